from celery import shared_task
from django.utils import timezone

# A module import: the services enqueue these tasks after commit and import this module.
from backend.documents import services


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
        return services.document_issue(contract_id=contract_id, kind=kind, language=language).state
    except services.DocumentNotCompliant:
        return "failed"


@shared_task(
    name="documents.issue_warranty",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def warranty_documents_issue_task(warranty_id: int, revision: int) -> dict[str, str]:
    """Issue a written warranty revision in each language of its pack that its text is
    written in: each language's outcome (``services.warranty_revision_issue``)."""
    return services.warranty_revision_issue(warranty_id=warranty_id, revision=revision)


@shared_task(name="documents.sweep")
def documents_sweep_task() -> int:
    """Render again every document a killed worker or a lost task left ``rendering``. Each
    task issues its document once (documents.services), so a duplicate only costs time."""
    stuck = services.documents_stuck(now=timezone.now())
    for document in stuck:
        if document.warranty_id:
            warranty_documents_issue_task.delay(document.warranty_id, document.warranty_revision)
        else:
            document_issue_task.delay(document.contract_id, document.kind, document.language)
    return len(stuck)
