"""What the documents app does when other apps' state changes (domain events)."""

from django.db import transaction

from backend.documents.tasks import warranty_documents_issue_task
from backend.events.registry import subscribe


def issue_warranty_revision(event) -> None:
    """A warranty revision to issue in each of its languages, once the delivery commits."""
    warranty_id, revision = int(event.aggregate_id), event.payload["revision"]
    transaction.on_commit(lambda: warranty_documents_issue_task.delay(warranty_id, revision))


def register() -> None:
    subscribe(
        "documents.warranty_revision",
        events=["warranty.revised"],
        handler=issue_warranty_revision,
    )
