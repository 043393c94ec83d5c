"""Issuing documents: render, check, store, and only then issue. Idempotent, crash-safe.

``document_issue`` claims a row per (contract, kind, language) first (a warranty's: per
revision and language, with a snapshot of its terms), so a duplicate task
finds it; renders and checks outside any transaction; stores the PDF under a name holding
its sha256; and issues the row in a short transaction that re-checks its state. A worker
that dies midway leaves the row ``rendering``, and the retry does the work again. A
document that fails its compliance check is ``failed``, with the report, and is never
issued; staff see it in the admin and ``retry`` it after fixing the template or the data.
"""

import hashlib
import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from backend.catalog.models import WrittenWarranty
from backend.catalog.warranties import highest_prices, warranty_languages, warranty_terms
from backend.catalog.warranty_document import warranty_data
from backend.common.exceptions import ApplicationError
from backend.common.packs import pack_for
from backend.contracts.models import Contract

# A module import: the tasks import this module too, and either may load first.
from backend.documents import tasks
from backend.documents.choices import DocumentKind, DocumentState, PaperCopyState
from backend.documents.data import document_data
from backend.documents.models import Document, PaperCopyRequest
from backend.legal import compliance
from backend.legal.pdf import PdfRenderError, html_to_pdf_in_background, pdf_text
from backend.legal.rendering import render_html
from backend.legal.text import html_text, marked_languages
from backend.plans.texts import snapshot_texts

logger = logging.getLogger(__name__)


class DocumentNotCompliant(ApplicationError):
    status_code = 422
    default_code = "document_not_compliant"


def _not_compliant(missing: list[str]) -> DocumentNotCompliant:
    return DocumentNotCompliant(
        _("This document failed its compliance check: %(missing)s")
        % {"missing": "; ".join(missing)}
    )


def document_languages(contract: Contract) -> list[str]:
    """The binding language first, then the holder's own if the pack offers it and the plan
    has text in it (a translation with English coverage in it would be refused)."""
    pack = pack_for(contract.jurisdiction)
    binding = pack.binding_language
    languages = [binding]
    locale = (contract.customer.locale or "").lower()
    if (
        locale != binding
        and locale in pack.languages
        and locale in snapshot_texts(contract.plan_snapshot)
    ):
        languages.append(locale)
    return languages


def template_version(pack, kind: str) -> str:
    version = pack.document_versions.get(kind)
    if not version:
        raise ApplicationError(
            f"The {pack.code} pack issues no {kind} documents.", code="document_kind_unsupported"
        )
    return version


def render_document_html(contract: Contract, kind: str, language: str, version: str):
    """The document's data, required clauses and HTML."""
    pack = pack_for(contract.jurisdiction)
    data = document_data(contract, kind, language)
    clauses = compliance.required_clauses(pack, kind, language, data)
    html = render_html(
        pack=pack, kind=kind, version=version, language=language, data=data, clauses=clauses
    )
    return data, clauses, html


def render_checked(*, pack, kind: str, language: str, version: str, data: dict, shown_clauses=None):
    """Render ``data`` to HTML and PDF and check both: (html, pdf, report), where pdf is
    None if the document fails its check. ``shown_clauses`` are the statements the document
    prints, when it prints more than it must (a warranty below the price gates)."""
    clauses = compliance.required_clauses(pack, kind, language, data)
    html = render_html(
        pack=pack,
        kind=kind,
        version=version,
        language=language,
        data=data,
        clauses=clauses if shown_clauses is None else shown_clauses,
    )
    # wkhtmltopdf runs while the HTML's text is extracted here; both renderings are then
    # checked in one pass (a document whose HTML fails is refused all the same).
    pdf_future = html_to_pdf_in_background(html, page_size=pack.page_size)
    text = html_text(html)
    pdf = pdf_future.result()
    report = compliance.check(
        pack=pack,
        kind=kind,
        language=language,
        data=data,
        clauses=clauses,
        html_text=text,
        pdf_text=pdf_text(pdf),
        marked_languages=marked_languages(html),
    )
    return html, pdf if report.passed else None, report


def render_document(contract: Contract, kind: str, language: str, version: str):
    """A contract document's HTML, PDF and compliance report (nothing is written)."""
    pack = pack_for(contract.jurisdiction)
    data = document_data(contract, kind, language)
    return render_checked(pack=pack, kind=kind, language=language, version=version, data=data)


def warranty_pack(warranty):
    """The pack a merchant's written warranty is issued under: its country's (federal law)."""
    pack = pack_for(warranty.merchant.country)
    if DocumentKind.WRITTEN_WARRANTY not in pack.document_versions:
        raise ApplicationError(
            _("Written warranties under 16 CFR 701 are for merchants selling in the US."),
            code="written_warranty_unsupported",
        )
    return pack


def render_warranty(*, terms: dict, item_prices: dict, pack, language: str, version: str):
    """A written warranty's HTML, PDF and report. It prints every statement the law asks of
    warranties above the price gates, whatever the price; only those are required."""
    data = warranty_data(terms, pack, language, item_prices)
    shown = compliance.required_clauses(
        pack, DocumentKind.WRITTEN_WARRANTY, language, {**data, "item_prices": {}}
    )
    return render_checked(
        pack=pack,
        kind=DocumentKind.WRITTEN_WARRANTY,
        language=language,
        version=version,
        data=data,
        shown_clauses=shown,
    )


def _claim(contract: Contract, kind: str, language: str) -> Document:
    pack = pack_for(contract.jurisdiction)
    binding = pack.binding_language
    if kind == "service_contract" and contract.template_version:
        version = contract.template_version.rpartition("/")[2]  # the version it was sold under
    else:
        version = template_version(pack, kind)
    # INSERT ... ON CONFLICT DO NOTHING, then read whoever holds the row: race-free, and two
    # round trips where get_or_create takes a transaction and a savepoint.
    Document.objects.bulk_create(
        [
            Document(
                contract=contract,
                kind=kind,
                language=language,
                pack=pack.code,
                template=version,
                binding=language == binding,
            )
        ],
        ignore_conflicts=True,
    )
    return Document.objects.get(contract=contract, kind=kind, language=language)


def document_issue(*, contract_id: int, kind: str, language: str) -> Document:
    """Issue one document, once. Returns the issued document; raises if it fails its check."""
    contract = Contract.objects.select_related("customer", "merchant", "refund").get(pk=contract_id)
    document = _claim(contract, kind, language)
    if document.state == DocumentState.ISSUED:
        return document
    if document.state == DocumentState.FAILED:
        raise _not_compliant(document.compliance_report.get("missing", []))
    _html, pdf, report = render_document(contract, kind, language, document.template)
    return _conclude(document, pdf, report, name=f"documents/{contract.number}/{kind}-{language}")


def warranty_document_issue(*, warranty_id: int, revision: int, language: str) -> Document | None:
    """Issue one language of a warranty revision, once, from a snapshot of its terms taken
    when the row is claimed. None if the warranty moved on to a newer revision first (that
    revision is issued by its own task)."""
    warranty = WrittenWarranty.objects.select_related("merchant").get(pk=warranty_id)
    pack = warranty_pack(warranty)
    kind = DocumentKind.WRITTEN_WARRANTY
    key = {"warranty": warranty, "warranty_revision": revision, "kind": kind, "language": language}
    document = Document.objects.filter(**key).first()
    if document is None:
        if warranty.revision != revision:
            return None
        snapshot = {"terms": warranty_terms(warranty), "item_prices": highest_prices(warranty)}
        Document.objects.bulk_create(
            [
                Document(
                    **key,
                    snapshot=snapshot,
                    pack=pack.code,
                    template=template_version(pack, kind),
                    binding=language == pack.binding_language,
                )
            ],
            ignore_conflicts=True,
        )
        document = Document.objects.get(**key)
    if document.state == DocumentState.ISSUED:
        return document
    if document.state == DocumentState.FAILED:
        raise _not_compliant(document.compliance_report.get("missing", []))
    _html, pdf, report = render_warranty(
        terms=document.snapshot["terms"],
        item_prices=document.snapshot["item_prices"],
        pack=pack,
        language=language,
        version=document.template,
    )
    name = f"documents/warranties/{warranty.merchant.slug}/{warranty.code}-r{revision}-{language}"
    return _conclude(document, pdf, report, name=name)


# A document renders in well under a second (60 s is wkhtmltopdf's own limit): one still
# ``rendering`` this long after it was claimed lost its worker.
STUCK_AFTER = timedelta(seconds=45)


def warranty_revision_issue(*, warranty_id: int, revision: int) -> dict[str, str]:
    """Issue a warranty revision in each language of its pack that its text is written in
    (``catalog.warranties.warranty_languages``). Returns each language's outcome: issued,
    failed (its check; staff see it) or superseded."""
    warranty = WrittenWarranty.objects.select_related("merchant").get(pk=warranty_id)
    outcomes = {}
    written_in = warranty_languages(warranty_terms(warranty))
    for language in (lang for lang in warranty_pack(warranty).languages if lang in written_in):
        try:
            document = warranty_document_issue(
                warranty_id=warranty_id, revision=revision, language=language
            )
        except DocumentNotCompliant:
            outcomes[language] = "failed"
            continue
        outcomes[language] = document.state if document else "superseded"
    return outcomes


def documents_stuck(*, now, limit: int = 200) -> list[Document]:
    """Documents whose worker died (or whose task was lost) while they were rendering."""
    return list(
        Document.objects.filter(state=DocumentState.RENDERING, created_at__lt=now - STUCK_AFTER)
        .order_by("pk")
        .only("pk", "contract_id", "warranty_id", "warranty_revision", "kind", "language")[:limit]
    )


def _conclude(document: Document, pdf: bytes | None, report, *, name: str) -> Document:
    """Fail a document that did not pass, or store its PDF and issue it."""
    # The row is not locked while rendering: its save below is an UPDATE ... WHERE state =
    # 'rendering' (ConcurrentTransitionMixin), so a duplicate task that got there first wins.
    if not report.passed:
        document.fail(report=report.as_dict(), error="; ".join(report.missing))
        document.attempts += 1
        _save_unless_overtaken(document)
        logger.error("Document %s refused: %s", document, "; ".join(report.missing))
        raise _not_compliant(report.missing)
    digest = hashlib.sha256(pdf).hexdigest()
    stored = default_storage.save(f"{name}-{digest[:16]}.pdf", ContentFile(pdf))
    document.issue(
        name=stored, sha256=digest, size=len(pdf), report=report.as_dict(), at=timezone.now()
    )
    document.attempts += 1
    if not _save_unless_overtaken(document):
        default_storage.delete(stored)  # a duplicate task issued it meanwhile: keep theirs
        return Document.objects.get(pk=document.pk)
    return document


def _save_unless_overtaken(document: Document) -> bool:
    """Save a transition; False if another task moved the row first (nothing is written)."""
    try:
        with transaction.atomic():
            document.save()
    except ConcurrentTransition:
        return False
    return True


def document_verify(document: Document) -> list[str]:
    """What is wrong with an issued document now: its file, its hash, its compliance."""
    problems = []
    try:
        with default_storage.open(document.file.name, "rb") as f:
            pdf = f.read()
    except (OSError, ValueError) as exc:
        return [f"its file cannot be read: {exc}"]
    if hashlib.sha256(pdf).hexdigest() != document.sha256:
        problems.append("its file does not match the sha256 recorded at issue")
    if document.warranty_id:
        pack = warranty_pack(document.warranty)
        data = warranty_data(
            document.snapshot["terms"], pack, document.language, document.snapshot["item_prices"]
        )
    else:
        pack = pack_for(document.contract.jurisdiction)
        data = document_data(document.contract, document.kind, document.language)
    clauses = compliance.required_clauses(pack, document.kind, document.language, data)
    try:
        text = pdf_text(pdf)
    except PdfRenderError as exc:  # a damaged file is a finding, not a crash
        return [*problems, str(exc)]
    report = compliance.check(
        pack=pack,
        kind=document.kind,
        language=document.language,
        data=data,
        clauses=clauses,
        html_text=text,  # the issued PDF is the document; check its text in both places
        pdf_text=text,
    )
    problems += report.missing
    return problems


def document_retry(*, document_id: int) -> Document:
    """Staff, after fixing a template or the data: render and check a failed document again."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if not can_proceed(document.retry):
            raise ApplicationError(
                _("Only a document that failed its check can be retried."),
                code="invalid_transition",
            )
        document.retry()
        document.save()
        if document.warranty_id:
            transaction.on_commit(
                lambda: tasks.warranty_documents_issue_task.delay(
                    document.warranty_id, document.warranty_revision
                )
            )
        else:
            transaction.on_commit(
                lambda: tasks.document_issue_task.delay(
                    document.contract_id, document.kind, document.language
                )
            )
    return document


def add_business_days(start, days: int):
    """``days`` working days after ``start`` (Monday to Friday; public holidays are not
    modelled, so the date errs early, never late)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def paper_copy_request(*, contract: Contract, mailing_address: str, actor) -> PaperCopyRequest:
    """Record a request for the contract on paper, due by the pack's deadline. A request
    still open is returned rather than duplicated."""
    pack = pack_for(contract.jurisdiction)
    days = int(pack.data.get("paper_copy_due_business_days", 20))
    try:
        with transaction.atomic():
            return PaperCopyRequest.objects.create(
                contract=contract,
                mailing_address=mailing_address.strip(),
                requested_by=actor.label[:200],
                due_on=add_business_days(timezone.localdate(), days),
            )
    except IntegrityError:
        return PaperCopyRequest.objects.get(contract=contract, state=PaperCopyState.REQUESTED)


def paper_copy_mark_sent(*, request_id: int, actor, reference: str = "") -> PaperCopyRequest:
    with transaction.atomic():
        request = PaperCopyRequest.objects.select_for_update().get(pk=request_id)
        if not can_proceed(request.send):
            raise ApplicationError(
                _("This paper copy was already sent."), code="invalid_transition"
            )
        request.send(at=timezone.now(), by=actor.label, reference=reference)
        request.save()
    return request
