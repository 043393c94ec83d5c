import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import login
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.common.exceptions import ApplicationError
from backend.customers.models import Customer
from backend.notifications.services import email_send_once
from backend.portal.models import LoginLink

LINK_LIFETIME = timedelta(minutes=20)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login_link_request(*, email: str, portal_url: str) -> None:
    """E-mail a sign-in link if we know this address. Says nothing either way, so the
    endpoint cannot be used to find out who is a customer."""
    customer = Customer.objects.filter(email=email.strip().lower()).first()
    if customer is None:
        return
    token = secrets.token_urlsafe(32)
    link = LoginLink.objects.create(
        customer=customer, token_sha256=_hash(token), expires_at=timezone.now() + LINK_LIFETIME
    )
    email_send_once(
        key=f"login-link:{link.pk}",
        to=customer.email,
        language=customer.locale,
        template="portal/email/login_link",
        context={
            "customer": customer,
            "url": f"{portal_url}?token={token}",
            "minutes": int(LINK_LIFETIME.total_seconds() // 60),
        },
    )


def login_link_consume(*, token: str) -> Customer:
    """The customer a link signs in, once: a used, expired or unknown link is refused."""
    now = timezone.now()
    with transaction.atomic():
        link = (
            LoginLink.objects.select_for_update()
            .select_related("customer")
            .filter(token_sha256=_hash(token or ""))
            .first()
        )
        if link is None or link.used_at is not None or link.expires_at <= now:
            raise ApplicationError(
                _("This sign-in link is not valid any more. Ask for a new one."),
                code="login_link_invalid",
            )
        LoginLink.objects.filter(pk=link.pk).update(used_at=now)
    return link.customer


def shopper_sign_in(*, request, customer: Customer) -> User:
    """Start a portal session for the customer, creating their shopper account if new."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        user = customer.user
        if user is None:
            email_free = not User.objects.filter(email=customer.email).exists()
            user = User(
                username=f"shopper-{customer.pk}",
                email=customer.email if email_free else f"shopper-{customer.pk}@invalid",
                first_name=customer.first_name,
                last_name=customer.last_name,
                locale=customer.locale,
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=Role.SHOPPER))
            Customer.objects.filter(pk=customer.pk).update(user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return user
