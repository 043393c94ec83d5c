"""Returns and exchanges a merchant reports (``checkout.returns``): each once, by the
merchant's own id, with what it did to each covered unit's plan."""

from django.db import models

from backend.checkout.choices import ReturnKind


class ProductReturn(models.Model):
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="product_returns"
    )
    order = models.ForeignKey("contracts.Order", on_delete=models.PROTECT, related_name="returns")
    merchant_return_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=ReturnKind.choices)
    line_position = models.PositiveIntegerField()
    quantity = models.PositiveIntegerField()
    replacement = models.JSONField(default=dict, blank=True)  # an exchange's new product
    reported_at = models.DateTimeField()
    # What makes two reports "the same return": a repeat answers the first's outcome.
    content_sha256 = models.CharField(max_length=64)
    # Per covered unit: its contract's number and what the return did to it.
    outcome = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "merchant_return_id"], name="product_return_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_return_id} ({self.get_kind_display()})"
