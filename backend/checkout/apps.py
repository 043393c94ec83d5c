from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "backend.checkout"
    label = "checkout"

    def ready(self) -> None:
        # Imported once the apps are loaded: the handlers' module imports models.
        from backend.checkout import outcomes

        outcomes.register()
