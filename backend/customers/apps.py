from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "backend.customers"
    label = "customers"
