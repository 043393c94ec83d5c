from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The shopper portal: passwordless sign-in and the shopper's own contracts."""

    name = "backend.portal"
    label = "portal"
