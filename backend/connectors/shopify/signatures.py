"""Shopify's two signatures, checked in constant time with the app's client secret.

- A webhook: ``X-Shopify-Hmac-Sha256`` is the base64 HMAC-SHA256 of the raw body.
- An OAuth redirect (install and callback): ``hmac`` is the hex HMAC-SHA256 of the other
  query parameters, sorted by name, as ``name=value`` joined by ``&``.
"""

import base64
import hashlib
import hmac


def _digest(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def webhook_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(_digest(secret, body)).decode()


def webhook_signature_valid(secret: str, body: bytes, signature: str) -> bool:
    return bool(secret and signature) and hmac.compare_digest(
        webhook_signature(secret, body), signature.strip()
    )


def query_signature(secret: str, params: dict[str, str]) -> str:
    message = "&".join(
        f"{k}={v}" for k, v in sorted(params.items()) if k not in ("hmac", "signature")
    )
    return _digest(secret, message.encode()).hex()


def query_signature_valid(secret: str, params: dict[str, str]) -> bool:
    given = params.get("hmac", "")
    return bool(secret and given) and hmac.compare_digest(query_signature(secret, params), given)
