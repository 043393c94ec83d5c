"""Shop access tokens at rest: encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from
the ``cryptography`` library), under ``COVERDESK_ENCRYPTION_KEYS``. The first key encrypts;
every key decrypts, so a key is rotated by putting the new one first."""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        # Development and tests only (production settings require the keys): a key
        # derived from SECRET_KEY, which is itself secret.
        derived = hashlib.sha256(f"coverdesk-encryption:{secret_key}".encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return _keys().encrypt(value.encode()).decode() if value else ""


def decrypt(value: str) -> str:
    """The plain token; empty for none, or for one no current key can read."""
    if not value:
        return ""
    try:
        return _keys().decrypt(value.encode()).decode()
    except InvalidToken:
        return ""
