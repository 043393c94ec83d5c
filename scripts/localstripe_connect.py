"""What localstripe lacks and Coverdesk's money needs, written to Stripe's API reference.

- **Processing fees.** A charge's balance transaction carries Stripe's fee (``fee``,
  ``fee_details``, ``net``), by a standard price list per currency (``FEES``); upstream
  charges nothing. https://docs.stripe.com/api/balance_transactions/object
- **The balance** is what the balance transactions add up to, per currency, in Stripe's
  shape (lists of ``{amount, currency}``), for the platform or, with a ``Stripe-Account``
  header, for a connected account; upstream answers a fixed 20 EUR.
- **Balance history filters**: ``created[gte|gt|lte|lt]``, ``type``, ``source``.
- **Connect**: connected accounts (``/v1/accounts``), onboarding links
  (``/v1/account_links``) whose page completes onboarding and sends ``account.updated``,
  and transfers (``/v1/transfers``) to a connected account's balance, refused as Stripe
  refuses them: an unknown destination (``resource_missing``), one without the transfers
  capability (``insufficient_capabilities_for_transfer``), more than the platform holds
  (``balance_insufficient``). https://docs.stripe.com/api/transfers/create
- **Top-ups** (``/v1/topups``): money the platform adds to its balance from its bank,
  available at once as in test mode; the runner's ``--opening-balance`` starts the demo
  with one per currency. https://docs.stripe.com/api/topups
- **Disputes**: a charge paid with Stripe's test card ``4000000000000259`` succeeds and is
  then disputed as fraudulent, as in Stripe's test mode: a ``dispute`` (``/v1/disputes``)
  with its balance transaction (type ``adjustment``, the amount withdrawn, Stripe's dispute
  fee) and the ``charge.dispute.created`` event.
  https://docs.stripe.com/testing#disputes https://docs.stripe.com/api/disputes/object
- **Idempotency keys** on every POST: the same key and body answer the first response
  again; the same key with another body is refused (``idempotency_error``).
  https://docs.stripe.com/api/idempotent_requests
"""

import asyncio
import json
import time
from collections import defaultdict

from aiohttp import web
from localstripe import resources
from localstripe.errors import UserError
from localstripe.resources import (
    BalanceTransaction,
    Charge,
    Event,
    StripeObject,
    random_id,
    store,
)
from localstripe.server import api_create, api_list_all, api_retrieve, get_post_data
from localstripe.webhooks import schedule_webhook

# Stripe's standard pricing for domestic cards: basis points of the amount plus a fixed
# fee in the currency's minor units (https://stripe.com/pricing).
FEES = {"eur": (150, 25), "gbp": (150, 20), "pln": (150, 100), "usd": (290, 30)}
DEFAULT_FEE = (290, 30)


def fee_of(amount: int, currency: str) -> int:
    percent, fixed = FEES.get(currency.lower(), DEFAULT_FEE)
    return min(amount, (amount * percent + 5_000) // 10_000 + fixed)  # rounded half up


def _balance_entry(*, amount, currency, type, source, description, account=None, fee=0):
    """A balance transaction localstripe's constructor would refuse (a transfer, say)."""
    entry = BalanceTransaction.__new__(BalanceTransaction)
    StripeObject.__init__(entry)
    entry.amount = amount
    entry.available_on = entry.created
    entry.currency = currency
    entry.description = description
    entry.exchange_rate = None
    entry.fee = fee
    entry.fee_details = []
    entry.reporting_category = type
    entry.source = source
    entry.status = "available"
    entry.type = type
    entry._account = account
    return entry


def _charge_fees() -> None:
    init = BalanceTransaction.__init__

    def with_fee(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self._account = None
        if self.type == "charge" and self.amount > 0:
            self.fee = fee_of(self.amount, self.currency)
            self.fee_details = [
                {
                    "amount": self.fee,
                    "application": None,
                    "currency": self.currency,
                    "description": "Stripe processing fees",
                    "type": "stripe_fee",
                }
            ]

    BalanceTransaction.__init__ = with_fee


# Stripe's test card whose charge succeeds and is then disputed (reason: fraudulent), and
# the fee Stripe takes for a dispute (https://stripe.com/pricing: $15 in the US).
DISPUTE_CARD = "4000000000000259"
DISPUTE_FEES = {"usd": 1500, "eur": 2000, "gbp": 2000, "pln": 8000}


class Dispute(StripeObject):
    object = "dispute"
    _id_prefix = "dp_"

    def __init__(self, **kwargs):
        raise UserError(400, "Disputes are opened by the shopper's bank, not through the API")

    @classmethod
    def _open(cls, charge) -> "Dispute":
        dispute = cls.__new__(cls)
        StripeObject.__init__(dispute)
        fee = DISPUTE_FEES.get(charge.currency.lower(), 1500)
        entry = _balance_entry(
            amount=-charge.amount,
            currency=charge.currency,
            type="adjustment",
            source=dispute.id,
            description=f"Chargeback withdrawal for {charge.id}",
            fee=fee,
        )
        entry.reporting_category = "dispute"
        entry.fee_details = [
            {"amount": fee, "application": None, "currency": charge.currency,
             "description": "Dispute fee", "type": "stripe_fee"}
        ]  # fmt: skip
        dispute.amount = charge.amount
        dispute.currency = charge.currency
        dispute.charge = charge.id
        dispute.payment_intent = charge.payment_intent
        dispute.reason = "fraudulent"
        dispute.status = "needs_response"
        dispute.is_charge_refundable = False
        dispute.evidence = {}
        dispute.metadata = {}
        dispute.balance_transactions = [entry._export()]
        schedule_webhook(Event("charge.dispute.created", dispute))
        return dispute

    @classmethod
    def _api_list_all(cls, url, limit=None, starting_after=None, charge=None,
                      payment_intent=None):  # fmt: skip
        listed = super()._api_list_all(url, limit=limit, starting_after=starting_after)
        listed._list = [
            d for d in listed._list
            if (charge is None or d.charge == charge)
            and (payment_intent is None or d.payment_intent == payment_intent)
        ]  # fmt: skip
        return listed


_opening: set = set()


def _disputed_cards() -> None:
    """A charge on the dispute test card is disputed once it has succeeded (and its
    PaymentIntent is named on it), a moment later, as the shopper's bank would."""
    trigger = Charge._trigger_payment

    def with_dispute(self, on_success=None):
        def succeeded():
            if on_success:
                on_success()
            method = store.get("payment_method:" + (self.payment_method or ""))
            if getattr(method, "_card_number", None) == DISPUTE_CARD:

                async def later():
                    await asyncio.sleep(0.2)
                    Dispute._open(self)

                task = asyncio.ensure_future(later())
                _opening.add(task)  # held until done: the loop keeps only weak references
                task.add_done_callback(_opening.discard)

        trigger(self, on_success=succeeded)

    Charge._trigger_payment = with_dispute


def _entries(account=None) -> list:
    return [
        entry
        for entry in store.by_kind.get("balance_transaction", {}).values()
        if getattr(entry, "_account", None) == account
    ]


def _balance(request):
    account = request.headers.get("Stripe-Account")
    if account:
        Account._api_retrieve(account)
    totals = defaultdict(int)
    for entry in _entries(account):
        totals[entry.currency] += entry.amount - entry.fee
    available = [
        {"amount": v, "currency": c, "source_types": {"card": v}} for c, v in totals.items()
    ]
    return web.json_response(
        {"object": "balance", "livemode": False, "available": available, "pending": []}
    )


_COMPARE = {"gt": int.__gt__, "gte": int.__ge__, "lt": int.__lt__, "lte": int.__le__}


def _history(cls, url, limit=None, starting_after=None, created=None, type=None, source=None):
    """GET /v1/balance_transactions: newest first, filtered as Stripe filters it."""
    if created is not None and not isinstance(created, dict):
        created = {"gte": created, "lte": created}
    bounds = [(op, int(v)) for op, v in (created or {}).items()]
    if any(op not in _COMPARE for op, _v in bounds):
        raise UserError(400, "Invalid created filter")
    listing = resources.List(url, limit=limit, starting_after=starting_after)
    listing._list = sorted(
        (
            entry
            for entry in _entries()
            if (type is None or entry.type == type)
            and (source is None or entry.source == source)
            and all(_COMPARE[op](entry.created, v) for op, v in bounds)
        ),
        key=lambda entry: (entry.created, entry.id),
        reverse=True,
    )
    return listing


def _money_params(amount, currency, unknown: dict) -> tuple[int, str]:
    """A create call's amount and currency, refused as Stripe refuses them."""
    if unknown:
        raise UserError(400, "Received unknown parameters: " + ", ".join(unknown))
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        raise UserError(400, "Invalid integer: amount") from None
    if amount <= 0 or not currency:
        raise UserError(400, "Missing required param: a positive amount and a currency.")
    return amount, currency.lower()


class Account(StripeObject):
    """A connected account (https://docs.stripe.com/api/accounts/object): created
    restricted, enabled once its holder completes the onboarding link."""

    object = "account"
    _id_prefix = "acct_"

    def __init__(self, type="express", country="US", email=None, capabilities=None,
                 business_type=None, business_profile=None, default_currency=None,
                 metadata=None, **kwargs):  # fmt: skip
        if kwargs:
            raise UserError(400, "Received unknown parameters: " + ", ".join(kwargs))
        if type not in ("express", "standard", "custom"):
            raise UserError(400, "Invalid type: must be one of express, standard, or custom")
        super().__init__()
        self.type = type
        self.country = country
        self.email = email
        self.business_type = business_type
        self.business_profile = business_profile or {}
        self.default_currency = default_currency or ("eur" if country != "US" else "usd")
        self.metadata = metadata or {}
        requested = [name for name, ask in (capabilities or {}).items() if _truthy(ask)]
        self.capabilities = {name: "inactive" for name in requested or ["transfers"]}
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False
        self.requirements = {
            "currently_due": ["external_account", "tos_acceptance.date"],
            "disabled_reason": "requirements.past_due",
            "errors": [],
        }

    def _onboarded(self) -> None:
        self.details_submitted = self.charges_enabled = self.payouts_enabled = True
        self.capabilities = {name: "active" for name in self.capabilities}
        self.requirements = {"currently_due": [], "disabled_reason": None, "errors": []}
        schedule_webhook(Event("account.updated", self))


def _truthy(ask) -> bool:
    requested = ask.get("requested") if isinstance(ask, dict) else ask
    return requested in (True, "true", "True")


class AccountLink(StripeObject):
    """An onboarding link (https://docs.stripe.com/api/account_links): single use,
    expiring after five minutes; its page stands in for Stripe's hosted onboarding."""

    object = "account_link"
    _id_prefix = "link_"

    def __init__(self, account=None, refresh_url=None, return_url=None,
                 type="account_onboarding", collect=None, **kwargs):  # fmt: skip
        if kwargs:
            raise UserError(400, "Received unknown parameters: " + ", ".join(kwargs))
        if not account or not return_url or type not in ("account_onboarding", "account_update"):
            raise UserError(400, "Missing required param: account, return_url or type.")
        Account._api_retrieve(account)
        super().__init__()
        self._account = account
        self._return_url = return_url
        self._refresh_url = refresh_url or return_url
        self.expires_at = self.created + 300
        self.url = f"{_base_url}/_config/connect/onboarding/{self.id}"


class Transfer(StripeObject):
    """Money from the platform's balance to a connected account's
    (https://docs.stripe.com/api/transfers/object)."""

    object = "transfer"
    _id_prefix = "tr_"

    def __init__(self, amount=None, currency=None, destination=None, description=None,
                 metadata=None, transfer_group=None, source_transaction=None,
                 **kwargs):  # fmt: skip
        amount, currency = _money_params(amount, currency, kwargs)
        target = store.get(f"account:{destination}")
        if target is None:
            raise UserError(
                400,
                f"No such destination: '{destination}'",
                {"code": "resource_missing", "param": "destination"},
            )
        if target.capabilities.get("transfers") != "active":
            raise UserError(
                400,
                "Your destination account needs to have at least one of the following "
                "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                {"code": "insufficient_capabilities_for_transfer", "param": "destination"},
            )
        held = sum(e.amount - e.fee for e in _entries() if e.currency == currency)
        if held < amount:
            raise UserError(
                400,
                "You have insufficient available funds in your Stripe account. Try adding "
                "funds directly to your available balance by creating Charges.",
                {"code": "balance_insufficient"},
            )
        super().__init__()
        self.amount = amount
        self.amount_reversed = 0
        self.currency = currency
        self.description = description
        self.destination = destination
        self.metadata = metadata or {}
        self.reversed = False
        self.reversals = {"object": "list", "data": [], "has_more": False}
        self.source_transaction = source_transaction
        self.transfer_group = transfer_group
        self.destination_payment = f"py_{random_id(14)}"
        out = _balance_entry(
            amount=-amount, currency=currency, type="transfer", source=self.id,
            description=description,
        )  # fmt: skip
        _balance_entry(
            amount=amount, currency=currency, type="payment", source=self.destination_payment,
            description=description, account=destination,
        )  # fmt: skip
        self.balance_transaction = out.id
        schedule_webhook(Event("transfer.created", self))

    @classmethod
    def _api_update(cls, id, **data):
        unknown = set(data) - {"description", "metadata"}
        if unknown:
            raise UserError(400, "Received unknown parameters: " + ", ".join(sorted(unknown)))
        return super()._api_update(id, **data)

    @classmethod
    def _api_list_all(cls, url, limit=None, starting_after=None, destination=None,
                      transfer_group=None, created=None):  # fmt: skip
        listing = resources.List(url, limit=limit, starting_after=starting_after)
        listing._list = sorted(
            (
                t
                for t in store.by_kind.get("transfer", {}).values()
                if (destination is None or t.destination == destination)
                and (transfer_group is None or t.transfer_group == transfer_group)
            ),
            key=lambda t: (t.created, t.id),
            reverse=True,
        )
        return listing


class Topup(StripeObject):
    """Funds added to the platform's balance (https://docs.stripe.com/api/topups/object)."""

    object = "topup"
    _id_prefix = "tu_"

    def __init__(self, amount=None, currency=None, description=None, metadata=None,
                 statement_descriptor=None, **kwargs):  # fmt: skip
        amount, currency = _money_params(amount, currency, kwargs)
        super().__init__()
        self.amount = amount
        self.currency = currency
        self.description = description
        self.metadata = metadata or {}
        self.statement_descriptor = statement_descriptor
        self.status = "succeeded"
        entry = _balance_entry(
            amount=amount, currency=self.currency, type="topup", source=self.id,
            description=description,
        )  # fmt: skip
        self.balance_transaction = entry.id


def opening_balance(spec: str) -> None:
    """``usd=100000000,eur=...``: a top-up per currency, in minor units."""
    for part in filter(None, spec.split(",")):
        currency, _eq, amount = part.partition("=")
        Topup(amount=amount, currency=currency.strip(), description="Opening balance")


_base_url = "http://127.0.0.1:8420"
_ONBOARDING = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Set up payouts · Stripe (local emulator)</title>
<style>
body {{ margin: 0; background: #f6f9fc; color: #1a1f36; font: 16px/1.5 system-ui, sans-serif; }}
main {{ max-width: 30rem; margin: 4rem auto; background: #fff; border-radius: 8px;
  padding: 2rem; box-shadow: 0 2px 8px rgba(50, 50, 93, .12); }}
h1 {{ font-size: 1.5rem; margin: 0 0 .5rem; }} p {{ color: #4f566b; }}
code {{ background: #f6f9fc; padding: 0 .25rem; border-radius: 4px; }}
button {{ background: #635bff; color: #fff; border: 0; border-radius: 6px; padding: .6rem 1.2rem;
  font: inherit; font-weight: 600; cursor: pointer; }}
small {{ display: block; margin-top: 1.5rem; color: #8792a2; }}
</style></head>
<body><main><h1>Set up payouts</h1><p>Account <code>{account}</code> needs its business and
bank details before it can receive transfers. Submitting this form completes them, as the
account holder does on Stripe's hosted onboarding.</p>
<form method="post"><button type="submit">Complete onboarding</button></form>
<small>Local Stripe emulator: nothing here reaches Stripe.</small></main></body></html>"""


def _link(request) -> AccountLink:
    link = store.get("account_link:" + request.match_info["link"])
    if link is None:
        raise UserError(404, "This onboarding link is not valid.")
    return link


async def _onboarding_page(request):
    link = _link(request)
    if link.expires_at < time.time():
        raise web.HTTPFound(link._refresh_url)
    return web.Response(text=_ONBOARDING.format(account=link._account), content_type="text/html")


async def _onboarding_submit(request):
    link = _link(request)
    if link.expires_at < time.time():
        raise web.HTTPFound(link._refresh_url)
    Account._api_retrieve(link._account)._onboarded()
    del store["account_link:" + link.id]  # single use
    raise web.HTTPFound(link._return_url)


_idempotent: dict[tuple, tuple[str, int, bytes]] = {}


@web.middleware
async def idempotency(request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)
    body = json.dumps(await get_post_data(request, remove_auth=False) or {}, sort_keys=True)
    scope = (request.headers.get("Authorization", ""), key)
    seen = _idempotent.get(scope)
    if seen is not None:
        if seen[0] != request.path + body:
            refused = UserError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                "were first used with.",
            )
            refused.body["error"]["type"] = "idempotency_error"
            raise refused
        return web.Response(body=seen[2], status=seen[1], content_type="application/json")
    response = await handler(request)
    if response.status < 500:
        _idempotent[scope] = (request.path + body, response.status, response.body)
    return response


@web.middleware
async def overrides(request, handler):
    """Routes upstream registered first: the balance, and the store's flush."""
    if request.method == "GET" and request.path == "/v1/balance":
        return _balance(request)
    if request.method == "DELETE" and request.path == "/_config/data":
        _idempotent.clear()
    return await handler(request)


def install(app, *, base_url: str) -> None:
    global _base_url
    _base_url = base_url
    _charge_fees()
    _disputed_cards()
    BalanceTransaction._api_list_all = classmethod(_history)
    app.middlewares.extend([overrides, idempotency])
    for cls, plural in ((Account, "accounts"), (Transfer, "transfers"), (Topup, "topups")):
        app.router.add_post(f"/v1/{plural}", api_create(cls, None))
        app.router.add_get(f"/v1/{plural}/{{id}}", api_retrieve(cls, None))
        app.router.add_get(f"/v1/{plural}", api_list_all(cls, f"/v1/{plural}"))
    app.router.add_get("/v1/disputes/{id}", api_retrieve(Dispute, None))
    app.router.add_get("/v1/disputes", api_list_all(Dispute, "/v1/disputes"))
    app.router.add_post("/v1/transfers/{id}", _update(Transfer))
    app.router.add_post("/v1/account_links", api_create(AccountLink, None))
    app.router.add_get("/_config/connect/onboarding/{link}", _onboarding_page)
    app.router.add_post("/_config/connect/onboarding/{link}", _onboarding_submit)


def _update(cls):
    async def handler(request):
        data = await get_post_data(request) or {}
        data.pop("expand", None)
        return web.json_response(cls._api_update(request.match_info["id"], **data)._export())

    return handler
