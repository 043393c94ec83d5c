"""Withdrawing marketing consent, as easily as it was given: one-click unsubscribe links
(RFC 8058), SMS stop keywords (TCPA), and Global Privacy Control signals (CCPA/CPRA).

Each takes effect at once: the consent record and the customer's consent state are written
in one transaction, and every export after it leaves the customer out.
"""

import base64
import hashlib
import hmac
import re

from django.conf import settings
from django.core import signing
from django.urls import reverse

from backend.common.clientip import client_ip
from backend.common.exceptions import ValidationFailed
from backend.crm.choices import Channel
from backend.customers.choices import ConsentKind, ConsentSource
from backend.customers.models import Customer
from backend.customers.services import consent_record

UNSUBSCRIBE_SALT = "crm.unsubscribe"
KIND = {Channel.EMAIL: ConsentKind.MARKETING_EMAIL, Channel.SMS: ConsentKind.MARKETING_SMS}
# TCPA opt-out words (COMPLIANCE.md section 7): the whole message, any case.
STOP_KEYWORDS = frozenset(
    {"STOP", "QUIT", "END", "REVOKE", "OPT OUT", "OPTOUT", "CANCEL", "UNSUBSCRIBE", "STOPALL"}
)
WITHDRAWN_TEXT = {
    ConsentSource.UNSUBSCRIBE_LINK: "Unsubscribed with the link in a marketing e-mail.",
    ConsentSource.SMS_KEYWORD: "Replied with a stop keyword to a text message.",
    ConsentSource.GPC: "The browser sent a Global Privacy Control signal (Sec-GPC: 1).",
}


def unsubscribe_token(customer: Customer, channel: str = Channel.EMAIL) -> str:
    return signing.dumps({"customer": customer.pk, "channel": channel}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(customer: Customer, channel: str = Channel.EMAIL) -> str:
    path = reverse("unsubscribe", args=[unsubscribe_token(customer, channel)])
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def unsubscribe_headers(customer: Customer) -> dict[str, str]:
    """The headers every marketing e-mail carries, so mail clients offer one-click
    unsubscribe (RFC 8058: the POST needs no cookie, form or confirmation)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(customer)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribe_target(token: str) -> tuple[Customer, str]:
    """The customer and channel a link is for; 400 for a forged or expired link."""
    try:
        data = signing.loads(
            token, salt=UNSUBSCRIBE_SALT, max_age=settings.CRM_UNSUBSCRIBE_LINK_DAYS * 86400
        )
    except signing.SignatureExpired:
        raise ValidationFailed(
            "This unsubscribe link has expired. Reply to the e-mail or write to us and we will "
            "unsubscribe you.",
            code="unsubscribe_link_expired",
        ) from None
    except signing.BadSignature:
        raise ValidationFailed(
            "This unsubscribe link is not valid.", code="unsubscribe_link_invalid"
        ) from None
    customer = Customer.objects.filter(pk=data.get("customer")).first()
    if customer is None or data.get("channel") not in KIND:
        raise ValidationFailed(
            "This unsubscribe link is not valid.", code="unsubscribe_link_invalid"
        )
    return customer, data["channel"]


def withdraw(
    customer: Customer, channel: str, *, source: str, ip_address=None, user_agent: str = ""
) -> bool:
    """Withdraw marketing consent on ``channel``; False when it was not given (nothing is
    written twice)."""
    kind = KIND[channel]
    if not getattr(customer, kind):
        return False
    consent_record(
        customer=customer,
        kind=kind,
        granted=False,
        text=WITHDRAWN_TEXT[source],
        text_version="withdrawal-1",
        source=source,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    return True


def honour_gpc(customer: Customer, request) -> bool:
    """A request from the customer's browser with ``Sec-GPC: 1`` is a do-not-sell-or-share
    request for them (CCPA/CPRA); recorded once."""
    if request.headers.get("Sec-GPC", "").strip() != "1" or customer.do_not_sell:
        return False
    consent_record(
        customer=customer,
        kind=ConsentKind.DO_NOT_SELL,
        granted=True,
        text=WITHDRAWN_TEXT[ConsentSource.GPC],
        text_version="gpc-1",
        source=ConsentSource.GPC,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )
    return True


def is_stop(body: str) -> bool:
    return " ".join(body.split()).upper() in STOP_KEYWORDS


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")


def customers_with_phone(phone: str) -> list[Customer]:
    """Customers whose stored number is this one, however it was written (+1 415..., (415)
    ...): matched on the last ten digits, then on all the digits either has."""
    wanted = digits(phone)
    if len(wanted) < 7:
        return []
    tail = wanted[-4:]
    matches = []
    for customer in Customer.objects.filter(phone__endswith=tail).exclude(phone=""):
        have = digits(customer.phone)
        if have and (wanted.endswith(have[-10:]) or have.endswith(wanted[-10:])):
            matches.append(customer)
    return matches


def sms_signature_valid(url: str, params: dict, signature: str) -> bool:
    """The provider's webhook signature (Twilio's scheme: base64 HMAC-SHA1 of the full URL
    followed by each POST parameter's name and value, sorted by name, under the auth
    token). Without a configured token nothing is valid."""
    token = settings.SMS_WEBHOOK_AUTH_TOKEN
    if not token or not signature:
        return False
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    expected = base64.b64encode(
        hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    ).decode()
    return hmac.compare_digest(expected, signature)
