"""Only http(s) URLs on public addresses: every address a host resolves to is checked, when an endpoint is saved and
again at each delivery."""

import socket

import pytest

from orders.actors import Actor
from orders.errors import ValidationFailed
from orders.services import create_order
from orders.webhooks import addresses, services
from orders.webhooks.addresses import UrlRefused, check_url
from orders.webhooks.models import WebhookDelivery


def resolving_to(*ips: str):
    """getaddrinfo as the resolver would answer for a name with these addresses."""

    def getaddrinfo(host, port, *args, **kwargs):
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (family[6 if ":" in ip else 4], socket.SOCK_STREAM, 6, "", (ip, port, 0, 0) if ":" in ip else (ip, port))
            for ip in ips
        ]

    return getaddrinfo


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hooks", "loopback"),
        ("http://localhost:8000/hooks", "localhost resolves to .*, a loopback address"),
        ("http://[::1]/hooks", "::1 is a loopback address"),
        ("http://10.0.0.5/", "private"),
        ("http://172.16.3.4/", "private"),
        ("https://192.168.1.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://100.64.0.1/", "private or reserved"),
        ("http://0.0.0.0/", "0.0.0.0 is not a host's address"),
        ("ftp://example.com/", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("https://user:pw@example.com/", "user name or password"),
        ("https:///hooks", "no host"),
        ("https://example.com:99999/", "valid URL"),
    ],
)
def test_refused_urls(url, reason, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    with pytest.raises(UrlRefused, match=reason):
        check_url(url)


def test_a_name_is_refused_when_any_of_its_addresses_is_private(monkeypatch, settings):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    monkeypatch.setattr(addresses.socket, "getaddrinfo", resolving_to("93.184.215.14", "10.0.0.7"))
    # then
    with pytest.raises(UrlRefused, match=r"10\.0\.0\.7"):
        check_url("https://hooks.example.com/orders")


def test_a_public_name_is_accepted_with_every_address_kept(monkeypatch, settings):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    ipv6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
    monkeypatch.setattr(addresses.socket, "getaddrinfo", resolving_to("93.184.215.14", ipv6))
    # when
    target = check_url("https://hooks.example.com:8443/orders?x=1")
    # then
    assert (target.scheme, target.host, target.port, target.path) == ("https", "hooks.example.com", 8443, "/orders?x=1")
    assert target.addresses == ("93.184.215.14", ipv6)


def test_a_name_that_does_not_resolve_is_refused(settings):
    with pytest.raises(UrlRefused, match="does not resolve"):
        check_url("https://no-such-host.invalid/")


def test_the_setting_allows_loopback_and_private_addresses(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    assert check_url("http://127.0.0.1:8000/hooks").addresses == ("127.0.0.1",)
    assert check_url("http://10.0.0.5/").addresses == ("10.0.0.5",)


def test_creating_an_endpoint_on_a_private_address_is_refused(tenant, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    with pytest.raises(ValidationFailed, match="loopback"):
        services.create_endpoint(tenant=tenant, url="http://127.0.0.1:8000/hooks")


def test_the_address_is_checked_again_at_delivery(
    tenant, seed_order, receiver, subscribed, settings, django_capture_on_commit_callbacks
):
    """A name that pointed outside when the endpoint was saved may point inside since (DNS rebinding)."""
    # given: the endpoint was accepted; loopback is no longer allowed
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOKS_RETRY_FIRST_DELAY_SECONDS = 60
    # when
    with django_capture_on_commit_callbacks(execute=True):
        create_order(tenant=tenant, document=seed_order, actor=Actor(label="test"))
    # then: nothing reached the address; the attempt says why
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "PENDING"
    assert delivery.last_status_code is None
    assert "Refused" in delivery.last_error and "loopback" in delivery.last_error
