"""Standard Webhooks signatures, and endpoint secrets encrypted at rest with a key derived from SECRET_KEY."""

import base64

import pytest

from orders.webhooks.signing import SecretUnreadable, decrypt_secret, encrypt_secret, new_secret, sign


def test_the_specifications_test_vector():
    # The example of the Standard Webhooks specification (and of its reference libraries' tests).
    secret, message_id, timestamp = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330
    signature = sign(secret, message_id, timestamp, b'{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_new_secrets_are_32_random_bytes_in_base64():
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


def test_a_secret_is_stored_encrypted_and_read_back(settings):
    secret = new_secret()
    token = encrypt_secret(secret)
    assert secret.removeprefix("whsec_") not in token
    assert decrypt_secret(token) == secret


def test_after_a_secret_key_rotation_the_old_key_in_fallbacks_still_decrypts(settings):
    # given
    token = encrypt_secret("whsec_c2VjcmV0")
    # when
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-of-the-deployment"
    # then
    assert decrypt_secret(token) == "whsec_c2VjcmV0"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SecretUnreadable):
        decrypt_secret(token)
