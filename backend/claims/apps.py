from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "backend.claims"
    label = "claims"

    def ready(self) -> None:
        # Inside ready(): services import models, which the app registry loads first.
        from backend.claims.services import no_unsettled_claim
        from backend.contracts.services import cancellation_guard_register

        cancellation_guard_register(no_unsettled_claim)
