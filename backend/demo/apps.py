from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and load-test data. No models: only seeding commands."""

    name = "backend.demo"
    label = "demo"
