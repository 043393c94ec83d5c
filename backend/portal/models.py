from django.db import models


class LoginLink(models.Model):
    """A one-time sign-in link e-mailed to a customer. Only its hash is stored."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="login_links"
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"login link for {self.customer_id}"
