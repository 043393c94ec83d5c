from django.db import models
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
    PORTAL = "portal", _("Shopper portal")
    UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
    SMS_KEYWORD = "sms_keyword", _("SMS keyword")
    STAFF = "staff", _("Staff")
