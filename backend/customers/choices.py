from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ConsentKind(models.TextChoices):
    TERMS_ACCEPTANCE = "terms_acceptance", _("Accepted the plan terms")
    E_DELIVERY = "e_delivery", _("Electronic delivery of documents")
    MARKETING_EMAIL = "marketing_email", _("Marketing e-mail")
    MARKETING_SMS = "marketing_sms", _("Marketing SMS")
    DO_NOT_SELL = "do_not_sell", _("Do not sell or share")


class ConsentSource(models.TextChoices):
    WIDGET = "widget", _("Checkout widget")
    MERCHANT_API = "merchant_api", _("Merchant API")
    STORE_CONNECTOR = "store_connector", _("The store's own checkout (a store connector)")
    PORTAL = "portal", _("Shopper portal")
    UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
    SMS_KEYWORD = "sms_keyword", _("SMS keyword")
    GPC = "gpc", _("Global Privacy Control signal")
    STAFF = "staff", _("Staff")


# The consent kinds mirrored on the customer row (ConsentKind -> Customer field).
CONSENT_STATE_FIELDS = {
    "marketing_email": "marketing_email",
    "marketing_sms": "marketing_sms",
    "do_not_sell": "do_not_sell",
}


# E-SIGN (15 U.S.C. 7001(c)): what a shopper is told before consenting to e-delivery. The
# version is recorded with every consent; change the text, change the version.
E_DELIVERY_TEXT_VERSION = "esign-1"


def e_delivery_disclosure() -> str:
    return gettext(
        "I agree to receive this plan's contract, notices and refund notices electronically, "
        "by e-mail and in my plans portal. I can ask for a paper copy at any time, free of "
        "charge; withdraw this consent at any time, after which documents come by post; and "
        "update my e-mail address in the plans portal. This consent covers the documents of "
        "this plan. To open them I need an e-mail account and a device that opens PDF files."
    )
