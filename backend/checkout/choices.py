from django.db import models
from django.utils.translation import gettext_lazy as _


class ReturnKind(models.TextChoices):
    RETURN = "return", _("Returned or refunded")
    EXCHANGE = "exchange", _("Exchanged for another product")
