"""Which URLs an endpoint may have: http(s) on public addresses only, checked when it is saved and at each delivery.

A host is resolved and every address it resolves to is checked; the delivery then connects to one of the checked
addresses, so a name that resolves elsewhere a moment later (DNS rebinding) cannot lead it inside.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SCHEMES = {"http": 80, "https": 443}
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(ValueError):
    """The URL is not one the back office sends events to; the message says why."""


@dataclass(frozen=True)
class Target:
    """Where a URL leads: its parts, and the checked addresses of its host."""

    scheme: str
    host: str
    port: int
    path: str  # with the query
    addresses: tuple[str, ...]


def check_url(url: str, *, allow_private: bool | None = None) -> Target:
    """The URL's target, or UrlRefused: not http(s), credentials in it, a host that does not resolve, or one that
    resolves to a loopback, link-local or private address (allowed by WEBHOOKS_ALLOW_PRIVATE_URLS)."""
    target = parse_url(url)
    if allow_private is None:
        allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_URLS
    addresses = resolve(target.host, target.port)
    for address in addresses:
        reason = refusal(ipaddress.ip_address(address), allow_private=allow_private)
        if reason:
            where = f"{address} is" if address == target.host.strip("[]") else f"{target.host} resolves to {address},"
            raise UrlRefused(f"{where} {reason}.")
    return Target(target.scheme, target.host, target.port, target.path, addresses)


def parse_url(url: str) -> Target:
    """The URL's parts, before any name is resolved."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UrlRefused(f"Not a valid URL: {error}.") from error
    if parts.scheme not in SCHEMES:
        raise UrlRefused("Only http:// and https:// URLs are allowed.")
    if not parts.hostname:
        raise UrlRefused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("The URL must not hold a user name or password; the signature authenticates deliveries.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, parts.hostname, port or SCHEMES[parts.scheme], path, ())


def resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UrlRefused(f"The host {host} does not resolve: {error}.") from error
    # An IPv6 address may carry a zone ("fe80::1%eth0"), which ip_address does not read.
    addresses = tuple(dict.fromkeys(info[4][0].split("%", 1)[0] for info in infos))
    if not addresses:
        raise UrlRefused(f"The host {host} does not resolve.")
    return addresses


def refusal(address: Address, *, allow_private: bool) -> str:
    """Why events may not go to this address, or "" when they may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified or address.is_multicast:
        return "not a host's address"
    if address.is_global:
        return ""
    if allow_private:
        return ""
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    return "a private or reserved address"
