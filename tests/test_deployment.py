"""Deployment settings: the staff pages' Content-Security-Policy, and HTTPS settings from the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTTPS_WARNINGS = ("security.W004", "security.W008", "security.W012", "security.W016")
HTTPS_ENVIRONMENT = {
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """Runs manage.py in a fresh process, so settings are read from the given environment."""
    env = {name: value for name, value in os.environ.items() if name not in HTTPS_ENVIRONMENT}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- Content-Security-Policy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/staff/acme/", "/staff/acme/orders/", "/api/docs/"])
def test_staff_pages_carry_the_content_security_policy(viewer, settings, path):
    # when
    response = viewer.get(path)
    # then
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_staff_pages_have_no_inline_script_or_style(viewer):
    # when
    html = viewer.get("/staff/acme/orders/").content.decode()
    # then every script is a file, and htmx is told not to inject its inline indicator styles
    assert "<script>" not in html
    assert "<style" not in html
    assert " style=" not in html
    assert '"includeIndicatorStyles": false' in html


def test_api_responses_carry_no_content_security_policy(api):
    response = api.get("salesorders")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers


def test_an_empty_policy_sends_no_header(client, db, settings):
    settings.CONTENT_SECURITY_POLICY = ""
    assert "Content-Security-Policy" not in client.get("/accounts/login/").headers


# --- HTTPS deployments ------------------------------------------------------------------------------------------


def test_check_deploy_with_the_https_environment_has_no_https_warnings():
    # when
    plain = manage("check", "--deploy")
    https = manage("check", "--deploy", **HTTPS_ENVIRONMENT)
    # then plain HTTP (the default, for `make run`) warns, HTTPS does not
    assert plain.returncode == 0, plain.stderr
    assert all(code in plain.stderr + plain.stdout for code in HTTPS_WARNINGS)
    assert https.returncode == 0, https.stderr
    assert not [code for code in HTTPS_WARNINGS if code in https.stderr + https.stdout], https.stderr


def test_a_malformed_proxy_ssl_header_stops_the_start():
    result = manage("check", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER" in result.stderr
