import json
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from backend.catalog.models import Category, Product
from backend.demo.data import USD_BANDS
from backend.demo.seeding import seed_reference_data
from backend.merchants.models import Merchant
from backend.merchants.services import merchant_api_key_create
from backend.plans.catalog_cache import catalog_invalidate
from backend.plans.models import MerchantPlan, Plan, PlanPrice, Provider

STATES = ["US-CA", "US-NY", "US-TX", "US-FL", "US-IL", "US-WA", "US-GA", "US-OH", "US-PA"]


class Command(BaseCommand):
    help = (
        "Add a large synthetic catalogue for load tests: one merchant with N products and a "
        "catalogue of M plans, of which the merchant offers a realistic subset. Prints JSON "
        "with the merchant's API key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=100_000)
        parser.add_argument("--plans", type=int, default=500)
        parser.add_argument("--offered", type=int, default=60)

    @transaction.atomic
    def handle(self, *args, products, plans, offered, **options):
        rng = random.Random(42)  # noqa: S311 - synthetic data
        seed_reference_data()
        categories = list(Category.objects.values_list("slug", flat=True))
        provider = Provider.objects.filter(backing="insured").first() or Provider.objects.create(
            legal_name="Scale Test Provider Inc.",
            address_line1="1 Load Street",
            city="Austin",
            region="TX",
            postal_code="73301",
            country="US",
            toll_free_phone="+1 800 555 0123",
            backing="full_faith_and_credit",
        )
        merchant, _ = Merchant.objects.get_or_create(
            slug="scale-store",
            defaults={"name": "Scale Store", "country": "US", "default_currency": "USD"},
        )
        Product.objects.filter(merchant=merchant).delete()
        Plan.objects.filter(code__startswith="scale-").delete()

        plan_objs = Plan.objects.bulk_create(
            Plan(
                code=f"scale-{n:04d}",
                name=f"Scale plan {n}",
                provider=provider,
                coverage=rng.choice(["base", "adh"]),
                term_months=rng.choice([12, 24, 36, 48, 60]),
                service_type=rng.choice(["repair", "replace", "reimburse"]),
                coverage_starts=rng.choice(["immediate", "after_manufacturer_warranty"]),
                waiting_period_days=rng.choice([0, 0, 14, 30]),
                markets=["US"] if rng.random() < 0.7 else rng.sample(STATES, 4),
                excluded_markets=["US-FL"] if rng.random() < 0.1 else [],
                summary="Synthetic plan for load tests.",
                covered="Breakdown.",
                exclusions="Loss and theft.",
            )
            for n in range(plans)
        )
        through = Plan.eligible_categories.through
        through.objects.bulk_create(
            through(plan_id=plan.id, category_id=slug)
            for plan in plan_objs
            for slug in rng.sample(categories, 2)
        )
        PlanPrice.objects.bulk_create(
            PlanPrice(
                plan=plan,
                currency="USD",
                product_price_min=lo,
                product_price_max=hi,
                price=price * rng.randint(80, 200) // 100,
            )
            for plan in plan_objs
            for lo, hi, price in USD_BANDS
        )
        MerchantPlan.objects.bulk_create(
            MerchantPlan(merchant=merchant, plan=plan, display_order=n)
            for n, plan in enumerate(rng.sample(plan_objs, min(offered, len(plan_objs))))
        )
        for start in range(0, products, 5000):
            Product.objects.bulk_create(
                Product(
                    merchant=merchant,
                    sku=f"SCALE-{n:07d}",
                    title=f"Scale product {n}",
                    category_id=rng.choice(categories),
                    price=rng.randint(1_000, 499_999),
                    currency="USD",
                )
                for n in range(start, min(start + 5000, products))
            )
        catalog_invalidate()  # bulk writes send no signals
        _, key = merchant_api_key_create(merchant=merchant, name="scale")
        self.stdout.write(
            json.dumps({"merchant": merchant.slug, "api_key": key, "products": products})
        )
