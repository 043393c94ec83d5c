from django.conf import settings
from django.db import models

from backend.customers.choices import ConsentKind, ConsentSource


class Customer(models.Model):
    """A shopper who owns (or was offered) protection plans, across merchants.

    Identified by e-mail, stored lower-cased. A portal sign-in links a ``user``.
    """

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    jurisdiction = models.CharField(max_length=6)
    locale = models.CharField(max_length=10, default="en")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
    )
    # The current marketing consent, derived from the latest ConsentRecord of each kind by
    # ``consent_record`` in the same transaction (and rebuilt by ``manage.py
    # consent_rebuild``): exports filter a million customers on these without reading the
    # records. ``do_not_sell`` covers "Do Not Sell or Share" requests and GPC signals.
    marketing_email = models.BooleanField(default=False)
    marketing_sms = models.BooleanField(default=False)
    do_not_sell = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class ConsentRecord(models.Model):
    """One consent given or withdrawn, exactly as it happened. Never updated or deleted.

    The current consent for a kind is the latest record of that kind. For ``do_not_sell``,
    ``granted`` means the customer's request not to sell or share is in force.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=30, choices=ConsentKind.choices)
    granted = models.BooleanField()
    text = models.TextField(help_text="The text the customer saw.")
    text_version = models.CharField(max_length=40)
    text_sha256 = models.CharField(max_length=64)
    # For terms acceptance: the hash of exactly the document shown before payment.
    document_sha256 = models.CharField(max_length=64, blank=True)
    document_ref = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=30, choices=ConsentSource.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    merchant = models.ForeignKey(
        "merchants.Merchant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["customer", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {'granted' if self.granted else 'withdrawn'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Consent records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Consent records are append-only.")
