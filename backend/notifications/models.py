from django.db import models


class Notification(models.Model):
    """One message to one person, sent at most once: ``key`` names what it is about.

    A task first inserts the row (the unique key stops a retry or a duplicate task), then
    sends, then marks it sent. A failed send is marked and retried by the task.
    """

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=20, default="email")
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    language = models.CharField(max_length=10)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.key} -> {self.recipient}"
