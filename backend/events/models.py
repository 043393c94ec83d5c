"""The transactional outbox: domain events and their deliveries to subscribers.

An ``Event`` is written in the same transaction as the state change it describes, so it
exists exactly when the change does. Relaying it creates one ``Delivery`` per subscriber,
unique by (event, subscriber), and each delivery is handled once (``events.delivery``).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Event(models.Model):
    name = models.CharField(max_length=64, db_index=True)  # "contract.activated"
    aggregate = models.CharField(max_length=32)  # "contract"
    aggregate_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)  # ids and a few facts, no objects
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When its deliveries were created; null until the relay has run (the sweep looks).
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["aggregate", "aggregate_id", "id"], name="event_aggregate"),
            models.Index(
                fields=["occurred_at"], name="event_unrelayed", condition=Q(relayed_at=None)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.aggregate}:{self.aggregate_id} (#{self.pk})"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed (gave up; retry it from the admin)"


class Delivery(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=100)
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # A worker holds a delivery from started_at for the lease (settings.EVENTS_LEASE); one
    # that dies holding it loses it when the lease runs out.
    started_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ("id",)
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.subscriber} ({self.state})"
