from django.core.management.base import BaseCommand, CommandError

from backend.documents.choices import DocumentState
from backend.documents.models import Document
from backend.documents.services import document_verify


class Command(BaseCommand):
    help = (
        "Re-check every issued document: its file against the sha256 recorded at issue, "
        "and its PDF text against its pack's required clauses. Exits non-zero on any failure."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contract", help="only this contract number")

    def handle(self, *args, contract=None, **options):
        documents = Document.objects.filter(state=DocumentState.ISSUED).select_related(
            "contract__customer", "contract__merchant", "contract__refund", "warranty__merchant"
        )
        if contract:
            documents = documents.filter(contract__number=contract)
        checked = failed = 0
        for document in documents.iterator(chunk_size=200):
            checked += 1
            problems = document_verify(document)
            if problems:
                failed += 1
                label = (
                    f"{document.contract.number} {document.kind} {document.language}"
                    if document.contract_id
                    else str(document)
                )
                for problem in problems:
                    self.stderr.write(f"{label}: {problem}")
        self.stdout.write(f"{checked} issued documents checked, {failed} failed.")
        if failed:
            raise CommandError(f"{failed} of {checked} issued documents failed verification.")
