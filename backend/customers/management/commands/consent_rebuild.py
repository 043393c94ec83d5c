from django.core.management.base import BaseCommand

from backend.customers.services import consent_state_rebuild


class Command(BaseCommand):
    help = (
        "Recompute every customer's marketing consent and do-not-sell state from the consent "
        "records (set-based). The records are the truth; the state is their summary."
    )

    def handle(self, *args, **options):
        count = consent_state_rebuild()
        self.stdout.write(f"Consent state rebuilt for {count} customers.")
