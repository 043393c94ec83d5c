"""A local stand-in for the parts of Shopify the connector talks to, since no Shopify store
can be reached from here: the OAuth consent screen and token exchange, and the Admin
API's webhook subscriptions. It behaves as Shopify's documentation says:

- ``GET /{shop}/admin/oauth/authorize``: the merchant "approves" at once, and is sent to
  ``redirect_uri`` with ``code``, ``hmac``, ``host``, ``shop``, ``state`` and
  ``timestamp``, the ``hmac`` the hex HMAC-SHA256 of the other parameters, sorted, under
  the app's client secret;
- ``POST /{shop}/admin/oauth/access_token``: a code, once, for an offline token;
- ``POST /{shop}/admin/api/{version}/webhooks.json``: a subscription, with the token in
  ``X-Shopify-Access-Token``; a second one of a topic to the same address is 422.

``webhook_headers`` signs a webhook the way Shopify does (``X-Shopify-Hmac-Sha256``, the
base64 HMAC-SHA256 of the raw body). Run it alone with ``python scripts/shopify_standin.py
--port 8111 --secret ...`` and point SHOPIFY_ADMIN_URL at ``http://127.0.0.1:8111/{shop}``.
"""

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit


def query_hmac(secret: str, params: dict) -> str:
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def webhook_headers(
    secret: str, body: bytes, *, topic: str, shop: str, webhook_id: str | None = None
) -> dict[str, str]:
    """The headers Shopify sends a webhook with."""
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": base64.b64encode(
            hmac.new(secret.encode(), body, hashlib.sha256).digest()
        ).decode(),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2025-07",
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
    }


class Shopify:
    """What the stand-in remembers: codes issued, tokens granted, subscriptions."""

    def __init__(self, client_id: str, secret: str):
        self.client_id, self.secret = client_id, secret
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (shop, scope)
        self.tokens: dict[str, str] = {}  # token -> shop
        self.subscriptions: dict[str, list[dict]] = {}  # shop -> webhooks
        self.lock = threading.Lock()


def _handler(shopify: Shopify):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _reply(self, status: int, body: dict | None = None, headers: dict | None = None):
            data = json.dumps(body or {}).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _parts(self) -> tuple[str, str, dict]:
            url = urlsplit(self.path)
            shop, _, rest = url.path.lstrip("/").partition("/")
            return shop, "/" + rest, dict(parse_qsl(url.query))

        def _json(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                return json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return {}

        def do_GET(self):
            shop, path, query = self._parts()
            if path == "/_standin/subscriptions":
                return self._reply(200, {"webhooks": shopify.subscriptions.get(shop, [])})
            if path != "/admin/oauth/authorize":
                return self._reply(404, {"errors": "Not Found"})
            if query.get("client_id") != shopify.client_id:
                return self._reply(400, {"errors": "Invalid client_id"})
            code = secrets.token_hex(16)
            with shopify.lock:
                shopify.codes[code] = (shop, query.get("scope", ""))
            params = {
                "code": code,
                "host": base64.b64encode(f"admin.shopify.com/store/{shop}".encode()).decode(),
                "shop": shop,
                "state": query.get("state", ""),
                "timestamp": str(int(time.time())),
            }
            params["hmac"] = query_hmac(shopify.secret, params)
            self._reply(302, headers={"Location": f"{query['redirect_uri']}?{urlencode(params)}"})

        def do_POST(self):
            shop, path, _query = self._parts()
            body = self._json()
            if path == "/admin/oauth/access_token":
                with shopify.lock:
                    issued = shopify.codes.pop(body.get("code", ""), None)
                if (
                    body.get("client_id") != shopify.client_id
                    or body.get("client_secret") != shopify.secret
                    or issued is None
                    or issued[0] != shop
                ):
                    return self._reply(400, {
                        "error": "invalid_request",
                        "error_description": "The authorization code was not found or was "
                        "already used",
                    })  # fmt: skip
                token = f"shpat_{secrets.token_hex(16)}"
                with shopify.lock:
                    shopify.tokens[token] = shop
                return self._reply(200, {"access_token": token, "scope": issued[1]})
            if path.startswith("/admin/api/") and path.endswith("/webhooks.json"):
                if shopify.tokens.get(self.headers.get("X-Shopify-Access-Token", "")) != shop:
                    return self._reply(401, {
                        "errors": "[API] Invalid API key or access token (unrecognized login "
                        "or wrong password)"
                    })  # fmt: skip
                webhook = body.get("webhook") or {}
                with shopify.lock:
                    existing = shopify.subscriptions.setdefault(shop, [])
                    if any(
                        w["topic"] == webhook.get("topic")
                        and w["address"] == webhook.get("address")
                        for w in existing
                    ):
                        return self._reply(
                            422, {"errors": {"address": ["for this topic has already been taken"]}}
                        )
                    created = {
                        "id": 4759306000000 + sum(len(v) for v in shopify.subscriptions.values()),
                        "topic": webhook.get("topic"),
                        "address": webhook.get("address"),
                        "format": webhook.get("format", "json"),
                        "created_at": datetime.now(UTC).isoformat(),
                        "api_version": path.split("/")[3],
                    }
                    existing.append(created)
                return self._reply(201, {"webhook": created})
            return self._reply(404, {"errors": "Not Found"})

    return Handler


def serve(*, client_id: str, secret: str, port: int = 0) -> tuple[ThreadingHTTPServer, Shopify]:
    """Start the stand-in in a thread; its address is ``server.server_address``."""
    shopify = Shopify(client_id, secret)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(shopify))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, shopify


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--client-id", default="coverdesk-dev")
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    server, _ = serve(client_id=args.client_id, secret=args.secret, port=args.port)
    print(f"Shopify stand-in on http://127.0.0.1:{server.server_address[1]}/{{shop}}")
    threading.Event().wait()
