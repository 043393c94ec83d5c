"""What the documents app does when other apps' state changes (domain events)."""

from django.db import transaction

from backend.common.queries import unique_or_none
from backend.contracts.models import Contract
from backend.documents.services import DocumentNotCompliant, document_issue, document_languages
from backend.documents.tasks import warranty_documents_issue_task
from backend.events.registry import subscribe
from backend.events.services import publish

# The document an event calls for: the contract itself, and the refund notice.
DOCUMENT_FOR_EVENT = {
    "contract.activated": "service_contract",
    "contract.cancelled": "refund_notice",
}


def issue_warranty_revision(event) -> None:
    """A warranty revision to issue in each of its languages, once the delivery commits."""
    warranty_id, revision = int(event.aggregate_id), event.payload["revision"]
    transaction.on_commit(lambda: warranty_documents_issue_task.delay(warranty_id, revision))


def issue_contract_documents(event) -> None:
    """Issue the document the event calls for in every language the holder gets, then
    publish ``contract.documents_issued`` with those that passed their compliance check
    (one that failed is not among them: staff see it failed). Runs outside a transaction
    (rendering takes a while) and is idempotent: each document is issued once."""
    contract = unique_or_none(
        Contract.objects.select_related("customer").filter(pk=event.aggregate_id)
    )
    if contract is None:
        return
    kind = DOCUMENT_FOR_EVENT[event.name]
    issued = []
    for language in document_languages(contract):
        try:
            issued.append(document_issue(contract_id=contract.pk, kind=kind, language=language))
        except DocumentNotCompliant:
            continue
    with transaction.atomic():
        publish(
            "contract.documents_issued",
            aggregate="contract",
            aggregate_id=contract.pk,
            payload={"event": event.name, "kind": kind, "documents": [d.pk for d in issued]},
        )


def register() -> None:
    subscribe(
        "documents.warranty_revision",
        events=["warranty.revised"],
        handler=issue_warranty_revision,
    )
    subscribe(
        "documents.contract",
        events=list(DOCUMENT_FOR_EVENT),
        handler=issue_contract_documents,
        queue="documents",
        atomic=False,
    )
