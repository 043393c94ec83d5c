from celery import shared_task
from django.utils import timezone

from backend.catalog.models import WrittenWarranty
from backend.catalog.warranties import warranty_languages, warranty_terms
from backend.documents.services import (
    DocumentNotCompliant,
    document_issue,
    documents_stuck,
    warranty_document_issue,
    warranty_pack,
)


@shared_task(
    name="documents.issue",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def document_issue_task(contract_id: int, kind: str, language: str) -> str:
    """Issue one document. A compliance failure is recorded on the document and is final
    until staff retry it; a rendering or storage error is retried."""
    try:
        return document_issue(contract_id=contract_id, kind=kind, language=language).state
    except DocumentNotCompliant:
        return "failed"


@shared_task(
    name="documents.issue_warranty",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def warranty_documents_issue_task(warranty_id: int, revision: int) -> dict[str, str]:
    """Issue a written warranty revision in each of its pack's languages that its text is
    written in (``catalog.warranties.warranty_languages``). Returns each
    language's outcome: issued, failed (its check; staff see it) or superseded."""
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


@shared_task(name="documents.sweep")
def documents_sweep_task() -> int:
    """Render again every document a killed worker or a lost task left ``rendering``. Each
    task issues its document once (documents.services), so a duplicate only costs time."""
    stuck = documents_stuck(now=timezone.now())
    for document in stuck:
        if document.warranty_id:
            warranty_documents_issue_task.delay(document.warranty_id, document.warranty_revision)
        else:
            document_issue_task.delay(document.contract_id, document.kind, document.language)
    return len(stuck)
