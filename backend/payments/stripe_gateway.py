"""Every call Coverdesk makes to Stripe goes through here.

The official client, pointed at Stripe or at localstripe by settings. Network failures
become a 503 ``payment_provider_unavailable``; nothing calling this holds a database
transaction open (the callers are built that way, see contracts/services.py).
"""

import logging
from dataclasses import dataclass

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from backend.common.exceptions import ApplicationError

logger = logging.getLogger(__name__)


class PaymentProviderUnavailable(ApplicationError):
    status_code = 503
    default_code = "payment_provider_unavailable"


class PaymentProviderError(ApplicationError):
    status_code = 502
    default_code = "payment_provider_error"


class CardDeclined(ApplicationError):
    status_code = 402
    default_code = "card_declined"


@dataclass(frozen=True)
class IntentInfo:
    id: str
    status: str
    client_secret: str
    amount: int
    currency: str
    last_error: str = ""


def _client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    http_client = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)
    options = {"http_client": http_client, "max_network_retries": 0}
    if base:
        options["base_addresses"] = {"api": base}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **options)


def _call(what: str, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.APIConnectionError as exc:
        logger.warning("Stripe unreachable during %s: %s", what, exc)
        raise PaymentProviderUnavailable(
            _(
                "The payment provider cannot be reached right now; nothing was charged. "
                "Please try again in a moment."
            )
        ) from exc
    except stripe.StripeError as exc:
        logger.error("Stripe refused %s: %s", what, exc)
        raise PaymentProviderError(
            _("The payment provider refused the request: %(error)s")
            % {"error": getattr(exc, "user_message", None) or str(exc)[:200]}
        ) from exc


def _info(intent) -> IntentInfo:
    error = getattr(intent, "last_payment_error", None)
    message = ""
    if error:
        message = error.get("message", "") if isinstance(error, dict) else str(error)
    return IntentInfo(
        id=intent.id,
        status=intent.status,
        client_secret=intent.client_secret,
        amount=intent.amount,
        currency=intent.currency.upper(),
        last_error=message or "",
    )


def payment_intent_create(
    *, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str], description: str
) -> IntentInfo:
    intent = _call(
        "payment_intent_create",
        _client().v1.payment_intents.create,
        # The description travels in metadata: localstripe rejects the description field.
        params={
            "amount": amount,
            "currency": currency.lower(),
            "payment_method_types": ["card"],
            "metadata": {**metadata, "description": description[:500]},
        },
        options={"idempotency_key": idempotency_key},
    )
    return _info(intent)


def payment_intent_retrieve(payment_intent_id: str) -> IntentInfo:
    return _info(
        _call("payment_intent_retrieve", _client().v1.payment_intents.retrieve, payment_intent_id)
    )


def payment_intent_cancel(payment_intent_id: str) -> None:
    _call("payment_intent_cancel", _client().v1.payment_intents.cancel, payment_intent_id)


def refund_create(
    *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: dict[str, str]
) -> str:
    """Refund part of a payment; returns the Stripe refund id."""
    refund = _call(
        "refund_create",
        _client().v1.refunds.create,
        params={"payment_intent": payment_intent_id, "amount": amount, "metadata": metadata},
        options={"idempotency_key": idempotency_key},
    )
    return refund.id


def refund_find(*, payment_intent_id: str, coverdesk_refund: str) -> str | None:
    """The id of a refund already made for ``coverdesk_refund`` (our refund's id, in its
    metadata), if any: asked before paying again after a worker died mid-call."""
    refunds = _call(
        "refund_list",
        _client().v1.refunds.list,
        params={"payment_intent": payment_intent_id, "limit": 100},
    )
    for refund in refunds.data:
        metadata = refund.metadata.to_dict() if refund.metadata else {}
        if metadata.get("coverdesk_refund") == coverdesk_refund and refund.status != "failed":
            return refund.id
    return None


def payment_intent_confirm(payment_intent_id: str, *, payment_method: str) -> IntentInfo:
    """Confirm on the server with a payment method the browser created through Stripe.js.

    A declined card is an answer, not an error: it comes back as the intent's status
    with the decline message.
    """
    client = _client()
    _call(
        "payment_intent_update",
        client.v1.payment_intents.update,
        payment_intent_id,
        params={"payment_method": payment_method},
    )
    try:
        intent = client.v1.payment_intents.confirm(payment_intent_id)
    except stripe.CardError as exc:
        info = payment_intent_retrieve(payment_intent_id)
        return IntentInfo(
            id=info.id,
            status=info.status,
            client_secret=info.client_secret,
            amount=info.amount,
            currency=info.currency,
            last_error=exc.user_message or str(exc),
        )
    except stripe.StripeError:
        return _info(
            _call("payment_intent_confirm", client.v1.payment_intents.confirm, payment_intent_id)
        )
    return _info(intent)


# --- Balance history: what Stripe holds, for the daily reconciliation ------------------------


@dataclass(frozen=True)
class BalanceEntry:
    id: str
    type: str  # charge, refund, transfer, adjustment, payout, ...
    amount: int  # signed minor units, before the fee
    fee: int
    currency: str
    created: int  # Unix time
    source: str  # ch_..., re_..., tr_...
    payment_intent: str  # a charge's PaymentIntent, else ""


def balance_entries(*, created_from: int, created_before: int) -> list[BalanceEntry]:
    """Every balance transaction created in [from, before), with each charge's
    PaymentIntent (the source expanded), page by page."""
    client, entries, after = _client(), [], None
    while True:
        params = {
            "created": {"gte": created_from, "lt": created_before},
            "limit": 100,
            "expand": ["data.source"],
        }
        if after:
            params["starting_after"] = after
        page = _call(
            "balance_transactions_list", client.v1.balance_transactions.list, params=params
        )
        for txn in page.data:
            source = txn.source  # expanded: the charge, refund or transfer itself
            source_id = source if isinstance(source, str) else (source.id if source else "")
            intent = getattr(source, "payment_intent", None) if txn.type == "charge" else None
            if intent is not None and not isinstance(intent, str):
                intent = intent.id
            entries.append(
                BalanceEntry(
                    id=txn.id,
                    type=txn.type,
                    amount=txn.amount,
                    fee=txn.fee or 0,
                    currency=txn.currency.upper(),
                    created=txn.created,
                    source=source_id or "",
                    payment_intent=intent or "",
                )
            )
        if not page.has_more or not page.data:
            return entries
        after = page.data[-1].id


# --- Connect: merchants' and repair partners' accounts, and transfers to them ----------------


@dataclass(frozen=True)
class ConnectedAccount:
    id: str
    payouts_enabled: bool
    transfers_active: bool
    details_submitted: bool
    currently_due: tuple[str, ...]


def _account(account) -> ConnectedAccount:
    capabilities = account.capabilities.to_dict() if account.capabilities else {}
    requirements = account.requirements.to_dict() if account.requirements else {}
    return ConnectedAccount(
        id=account.id,
        payouts_enabled=bool(account.payouts_enabled),
        transfers_active=capabilities.get("transfers") == "active",
        details_submitted=bool(account.details_submitted),
        currently_due=tuple(requirements.get("currently_due") or ()),
    )


def connected_account_create(
    *, country: str, email: str, idempotency_key: str, metadata: dict[str, str]
) -> ConnectedAccount:
    """An Express account that can receive transfers, restricted until onboarded."""
    account = _call(
        "account_create",
        _client().v1.accounts.create,
        params={
            "type": "express",
            "country": country,
            "email": email,
            "capabilities": {"transfers": {"requested": True}},
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )
    return _account(account)


def connected_account_retrieve(account_id: str) -> ConnectedAccount:
    return _account(_call("account_retrieve", _client().v1.accounts.retrieve, account_id))


def onboarding_link_create(*, account_id: str, return_url: str, refresh_url: str) -> str:
    """Stripe's hosted onboarding for the account: a single-use URL, valid minutes."""
    link = _call(
        "account_link_create",
        _client().v1.account_links.create,
        params={
            "account": account_id,
            "return_url": return_url,
            "refresh_url": refresh_url,
            "type": "account_onboarding",
        },
    )
    return link.url


class TransferRefused(PaymentProviderError):
    """Stripe refused the transfer itself (not onboarded, not enough balance): ``code``
    says why, as Stripe does."""


def transfer_create(
    *,
    account_id: str,
    amount: int,
    currency: str,
    idempotency_key: str,
    transfer_group: str,
    metadata: dict[str, str],
    description: str,
) -> str:
    """Move ``amount`` from the platform's balance to the connected account; its id."""
    params = {
        "amount": amount,
        "currency": currency.lower(),
        "destination": account_id,
        "transfer_group": transfer_group,
        "metadata": metadata,
        "description": description[:300],
    }

    def create():
        try:
            return _client().v1.transfers.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except stripe.InvalidRequestError as exc:
            logger.warning("Stripe refused a transfer to %s: %s", account_id, exc)
            raise TransferRefused(
                exc.user_message or str(exc)[:200], code=exc.code or "transfer_refused"
            ) from exc

    return _call("transfer_create", create).id


def transfer_find(*, transfer_group: str) -> str | None:
    """The transfer already made for ``transfer_group`` (one per payout), if any: asked
    before paying again after a worker died mid-call."""
    transfers = _call(
        "transfer_list",
        _client().v1.transfers.list,
        params={"transfer_group": transfer_group, "limit": 10},
    )
    return transfers.data[0].id if transfers.data else None
