from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "backend.crm"
    label = "crm"
    verbose_name = "CRM and marketing"

    def ready(self) -> None:
        # Imported once the apps are loaded: the subscribers' module imports models.
        from backend.crm import subscribers

        subscribers.register()
