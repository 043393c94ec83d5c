"""Make the thumbnails that photos stored before thumbnails existed do not have.

    manage.py evidence_thumbnails

Safe to run again: only photos without one are read. A photo that cannot be read is
reported and left as it is (the lists show the photo itself)."""

from django.core.management.base import BaseCommand

from backend.claims.models import ClaimEvidence
from backend.claims.services import evidence_thumbnail_make


class Command(BaseCommand):
    help = "Make the missing thumbnails of stored photos."

    def handle(self, *args, **options):
        missing = ClaimEvidence.objects.filter(
            content_type__startswith="image/", thumbnail=""
        ).select_related("claim")
        made = failed = 0
        for evidence in missing.iterator(chunk_size=200):
            if evidence_thumbnail_make(evidence):
                made += 1
            else:
                failed += 1
                claim = evidence.claim.number
                self.stderr.write(f"No thumbnail for evidence {evidence.pk} of {claim}")
        self.stdout.write(f"{made} thumbnails made, {failed} photos could not be read.")
