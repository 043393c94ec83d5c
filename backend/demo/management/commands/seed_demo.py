from django.core.management.base import BaseCommand
from django.test import override_settings
from django.utils import timezone

from backend.celery import app
from backend.crm.leads import lead_url
from backend.crm.models import Lead
from backend.demo.seeding import (
    seed_catalogue,
    seed_crm,
    seed_demo_api_keys,
    seed_demo_claims,
    seed_desk,
    seed_settlement,
    seed_users,
    seed_warranties,
)


class Command(BaseCommand):
    help = "Seed (or refresh) the demo world: merchants, providers, plans, products, users."

    def handle(self, *args, **options):
        # The demo's history (its claims, their e-mails, their documents) is made here and
        # now, not queued: a fresh demo would otherwise open by mailing dozens of made-up
        # customers into the console. What it "sends" is recorded as sent.
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                merchants = seed_catalogue()
                seed_warranties(merchants)
                seed_desk()
                seed_demo_claims()
                users = seed_users(merchants)
                seed_crm()
                seed_settlement()
                keys = seed_demo_api_keys(merchants)
        finally:
            app.conf.task_always_eager = eager
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        where = {
            "platform_admin": "/admin/",
            "merchant_admin": "/merchant/ (keys, webhooks, plans, widget, claims, statements)",
            "desk_agent": "/desk/",
            "desk_supervisor": "/desk/",
            "marketing": "/marketing/",
            "finance": "/books/ (month close, reconciliation, payouts, every obligor's reports)",
            "obligor": "/books/ (its own provider's months and reports)",
        }
        self.stdout.write("Staff sign-ins (username / password / where):")
        shoppers = []
        for username, password, roles in users:
            places = [where[role] for role in roles if role in where]
            if not places:
                shoppers.append(username)
                continue
            self.stdout.write(f"  {username:<12} {password:<16} {', '.join(places)}")
        if shoppers:
            self.stdout.write(
                "Shoppers sign in to /portal/ with a link e-mailed to them (no password): "
                "the link is printed in this console."
            )
        lead = Lead.objects.filter(merchant_order_id="demo-lead-1").first()
        if lead is not None and lead.state == "open" and lead.window_ends_at > timezone.now():
            self.stdout.write(f"A post-purchase offer page: {lead_url(lead)}")
        self.stdout.write("Merchant API keys (header 'Authorization: Api-Key <key>'):")
        for slug, key in keys.items():
            self.stdout.write(f"  {slug:<12} {key}")
