import secrets

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.webhooks.choices import DeliveryState, WebhookEventType

D = DeliveryState


def _new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class WebhookEndpoint(models.Model):
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, default=_new_secret)
    event_types = models.JSONField(default=list, help_text="Empty means every event type.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(ConcurrentTransitionMixin, models.Model):
    """One event for one endpoint, and how its delivery went. Retried with backoff."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    # What the event is about, to keep one delivery per endpoint and event.
    subject = models.CharField(max_length=100)
    payload = models.JSONField()
    state = FSMField(default=D.PENDING, choices=D.choices, protected=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_type", "subject"],
                name="webhookdelivery_once_per_endpoint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.subject} -> {self.endpoint_id}"

    _OPEN = [D.PENDING, D.RETRYING]

    @transition(field=state, source=_OPEN, target=D.DELIVERED)
    def delivered(self, *, status_code: int, at):
        self.attempts += 1
        self.last_status_code = status_code
        self.last_error = ""
        self.delivered_at = at

    @transition(field=state, source=_OPEN, target=D.RETRYING)
    def retry_later(self, *, status_code, error: str, next_attempt_at):
        self.attempts += 1
        self.last_status_code = status_code
        self.last_error = error[:500]
        self.next_attempt_at = next_attempt_at

    @transition(field=state, source=[D.DELIVERED, D.RETRYING, D.EXHAUSTED], target=D.PENDING)
    def resend(self, *, at):
        """Send again now, on the merchant's request: one more attempt (and, if it fails,
        the rest of the retry schedule that is left)."""
        self.next_attempt_at = at

    @transition(field=state, source=_OPEN, target=D.EXHAUSTED)
    def give_up(self, *, status_code, error: str):
        self.attempts += 1
        self.last_status_code = status_code
        self.last_error = error[:500]
