"""Standard Webhooks signatures (https://www.standardwebhooks.com/), and endpoint secrets encrypted at rest."""

import base64
import hashlib
import hmac
import secrets
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SECRET_PREFIX = "whsec_"
# The specification asks for 24 to 64 random bytes.
SECRET_BYTES = 32
SIGNATURE_VERSION = "v1"


def new_secret() -> str:
    """A new endpoint secret, as shown to its owner once: `whsec_` and the base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key_bytes(secret: str) -> bytes:
    """The HMAC key a `whsec_…` secret stands for: its base64-decoded bytes."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of "id.timestamp.body"."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key_bytes(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The secret back; keys derived from SECRET_KEY_FALLBACKS still decrypt after SECRET_KEY was rotated."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("The endpoint's secret was encrypted with another SECRET_KEY; rotate it.") from error


class SecretUnreadable(Exception):
    pass


def _fernet() -> MultiFernet:
    return _fernet_for(settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ())))


@cache
def _fernet_for(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_derived_key(key)) for key in (secret_key, *fallbacks)])


def _derived_key(secret_key: str) -> bytes:
    # A key of its own for this purpose, so that it reveals nothing of SECRET_KEY and serves nothing else.
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"orders.webhooks.endpoint-secret")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))
