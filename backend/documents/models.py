from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.documents.choices import DocumentKind, DocumentState, PaperCopyState

S = DocumentState


class Document(ConcurrentTransitionMixin, models.Model):
    """A document in one language, rendered, checked, then issued for good: a contract's
    (its service contract, its refund notice) or a revision of a merchant's written warranty.

    An issued document never changes: its PDF is stored under a name that holds its
    sha256, and ``manage.py verify_documents`` re-checks both the hash and the compliance.
    A document that fails its compliance check is never issued; the report says why.
    """

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    warranty = models.ForeignKey(
        "catalog.WrittenWarranty",
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    warranty_revision = models.PositiveIntegerField(null=True, blank=True)
    snapshot = models.JSONField(
        default=dict,
        blank=True,
        help_text="A warranty's terms as of its revision: what the document was rendered from.",
    )
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    language = models.CharField(max_length=10)
    binding = models.BooleanField(
        default=True, help_text="Whether this language is the legally binding one."
    )
    pack = models.CharField(max_length=10, help_text="The jurisdiction pack it was checked under.")
    template = models.CharField(max_length=60, help_text="Template and version, e.g. v1.")
    state = FSMField(default=S.RENDERING, choices=S.choices, protected=True, db_index=True)
    file = models.FileField(upload_to="documents/", max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    compliance_report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("contract_id", "warranty_id", "warranty_revision", "kind", "language")
        constraints = [
            models.UniqueConstraint(
                fields=("contract", "kind", "language"),
                condition=models.Q(contract__isnull=False),
                name="one_document_per_language",
            ),
            models.UniqueConstraint(
                fields=("warranty", "warranty_revision", "kind", "language"),
                condition=models.Q(warranty__isnull=False),
                name="one_warranty_document_per_revision_and_language",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(contract__isnull=False, warranty__isnull=True)
                    | models.Q(
                        contract__isnull=True,
                        warranty__isnull=False,
                        warranty_revision__isnull=False,
                    )
                ),
                name="document_of_a_contract_or_a_warranty_revision",
            ),
        ]

    def __str__(self) -> str:
        if self.warranty_id:
            return (
                f"{self.kind} {self.language} for warranty {self.warranty_id} "
                f"revision {self.warranty_revision}"
            )
        return f"{self.kind} {self.language} for contract {self.contract_id}"

    @transition(field=state, source=S.RENDERING, target=S.ISSUED)
    def issue(self, *, name: str, sha256: str, size: int, report: dict, at) -> None:
        self.file.name = name
        self.sha256 = sha256
        self.size = size
        self.compliance_report = report
        self.error = ""
        self.issued_at = at

    @transition(field=state, source=S.RENDERING, target=S.FAILED)
    def fail(self, *, report: dict, error: str) -> None:
        self.compliance_report = report
        self.error = error

    @transition(field=state, source=S.FAILED, target=S.RENDERING)
    def retry(self) -> None:
        self.error = ""


class PaperCopyRequest(ConcurrentTransitionMixin, models.Model):
    """A holder's request for the contract on paper, due by the pack's deadline (CA: 10
    business days, Cal. Civ. Code 1794.45). Staff work them from the admin list."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="paper_copy_requests"
    )
    mailing_address = models.TextField()
    requested_by = models.CharField(max_length=200)
    requested_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField()
    state = FSMField(
        default=PaperCopyState.REQUESTED,
        choices=PaperCopyState.choices,
        protected=True,
        db_index=True,
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.CharField(max_length=200, blank=True)
    postal_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ("due_on", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("contract",),
                condition=models.Q(state="requested"),
                name="one_open_paper_copy_request",
            )
        ]

    def __str__(self) -> str:
        return f"paper copy of contract {self.contract_id}, due {self.due_on}"

    @transition(field=state, source=PaperCopyState.REQUESTED, target=PaperCopyState.SENT)
    def send(self, *, at, by: str, reference: str) -> None:
        self.sent_at = at
        self.sent_by = by[:200]
        self.postal_reference = reference
