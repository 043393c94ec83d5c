from celery import shared_task

from backend.documents.services import DocumentNotCompliant, document_issue


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
