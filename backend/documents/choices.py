from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    SERVICE_CONTRACT = "service_contract", _("Service contract")
    REFUND_NOTICE = "refund_notice", _("Refund notice")
    WRITTEN_WARRANTY = "written_warranty", _("Written warranty")


class DocumentState(models.TextChoices):
    RENDERING = "rendering", _("Rendering")
    ISSUED = "issued", _("Issued")
    FAILED = "failed", _("Failed compliance")


class PaperCopyState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SENT = "sent", _("Sent")
