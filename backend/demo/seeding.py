"""Idempotent seeding of the demo world and of synthetic scale data for benchmarks."""

import json
import random
from pathlib import Path

from django.conf import settings
from django.db import transaction

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.accounts.services import user_create
from backend.catalog.models import Category, WrittenWarranty
from backend.catalog.services import product_bulk_upsert
from backend.catalog.warranties import warranty_publish
from backend.demo import data
from backend.merchants.models import Merchant, MerchantAPIKey
from backend.merchants.services import merchant_api_key_create
from backend.plans.models import Administrator, MerchantPlan, Plan, PlanPrice, Provider

DEMO_KEYS_FILE = Path(settings.VAR_DIR) / "demo-api-keys.json"


def _plan_price(band_price: int, factor_percent: int, currency: str) -> int:
    """Scale a band price and round it the way shops print prices (x.99 USD, whole PLN)."""
    raw = band_price * factor_percent // 100
    if currency == "USD":
        return max(99, raw - raw % 100 + 99)
    return max(100, raw - raw % 100)


def seed_reference_data() -> None:
    for slug, name, appliance in data.CATEGORIES:
        Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "is_appliance_or_home_electronics": appliance}
        )


@transaction.atomic
def seed_catalogue() -> dict[str, Merchant]:
    seed_reference_data()
    providers = {
        key: Provider.objects.update_or_create(legal_name=fields["legal_name"], defaults=fields)[0]
        for key, fields in data.PROVIDERS.items()
    }
    administrator, _ = Administrator.objects.update_or_create(
        legal_name=data.ADMINISTRATOR["legal_name"], defaults=data.ADMINISTRATOR
    )
    plans = {}
    for (
        code,
        name,
        provider,
        coverage,
        months,
        service,
        starts,
        waiting,
        categories,
        markets,
        excluded,
        factor,
        deductible_pct,
    ) in data.PLANS:
        plan, _ = Plan.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                provider=providers[provider],
                administrator=administrator if provider == "shieldline" else None,
                coverage=coverage,
                term_months=months,
                service_type=service,
                coverage_starts=starts,
                waiting_period_days=waiting,
                markets=markets,
                excluded_markets=excluded,
                summary=f"{data.COVERED[coverage].split('.')[0]}.",
                covered=data.COVERED[coverage],
                exclusions=data.EXCLUSIONS,
            ),
        )
        plan.full_clean()
        plan.eligible_categories.set(categories)
        currency, bands = (
            ("PLN", data.PLN_BANDS) if code.startswith("pl-") else ("USD", data.USD_BANDS)
        )
        plan.prices.all().delete()
        PlanPrice.objects.bulk_create(
            PlanPrice(
                plan=plan,
                currency=currency,
                product_price_min=lo,
                product_price_max=hi,
                price=(price := _plan_price(band, factor, currency)),
                deductible=price * deductible_pct // 100 // 100 * 100,
            )
            for lo, hi, band in bands
        )
        plans[code] = plan

    merchants = {}
    rng = random.Random(7)  # noqa: S311 - deterministic demo data
    for slug, spec in data.MERCHANTS.items():
        fields = {
            k: spec[k]
            for k in (
                "name",
                "country",
                "default_currency",
                "default_locale",
                "revenue_share_bps",
                "support_email",
                "website",
            )
        }
        merchant, _ = Merchant.objects.update_or_create(slug=slug, defaults=fields)
        merchants[slug] = merchant
        for order, code in enumerate(spec["plans"]):
            MerchantPlan.objects.update_or_create(
                merchant=merchant, plan=plans[code], defaults={"display_order": order * 10}
            )
        product_bulk_upsert(
            merchant=merchant,
            rows=list(
                _demo_products(rng, spec["currency"], spec["categories"], spec["products"], slug)
            ),
        )
    return merchants


def seed_warranties(merchants: dict[str, Merchant]) -> None:
    """The demo merchants' own written warranties; each change issues a new revision."""
    for slug, specs in data.WARRANTIES.items():
        for spec in specs:
            fields = {k: v for k, v in spec.items() if k not in ("code", "categories")}
            warranty, _ = WrittenWarranty.objects.update_or_create(
                merchant=merchants[slug], code=spec["code"], defaults=fields
            )
            warranty.categories.set(spec["categories"])
            warranty_publish(warranty)


def _demo_products(rng, currency, categories, count, merchant_slug):
    prefix = merchant_slug.split("-")[0][:4].upper()
    for n in range(count):
        category = categories[n % len(categories)]
        lo, hi = data.PRICE_RANGES[category]
        major = rng.randint(lo, hi)
        price = major * 100 + (99 if currency == "USD" else 0)
        brand = rng.choice(data.BRANDS[category])
        yield {
            "sku": f"{prefix}-{category[:4].upper()}-{n + 1:04d}",
            "title": f"{brand} {category.replace('-', ' ').rstrip('s').title()} {100 + n}",
            "category": category,
            "price": price,
            "currency": currency,
            "manufacturer_warranty_months": 24 if currency == "PLN" else 12,
            "brand": brand,
        }


def seed_users(merchants: dict[str, Merchant]) -> list[tuple[str, str, list[str]]]:
    created = []
    for username, email, roles, merchant_slug in data.USERS:
        if not User.objects.filter(username=username).exists():
            user_create(
                username=username,
                email=email,
                password=data.DEMO_PASSWORD,
                roles=[Role(r) for r in roles],
                merchant=merchants.get(merchant_slug) if merchant_slug else None,
            )
        created.append((username, data.DEMO_PASSWORD, roles))
    return created


def seed_demo_api_keys(merchants: dict[str, Merchant]) -> dict[str, str]:
    """One 'demo' key per merchant. Plaintext is kept in var/ so the demo can print it again."""
    known = json.loads(DEMO_KEYS_FILE.read_text()) if DEMO_KEYS_FILE.exists() else {}
    keys = {}
    for slug, merchant in merchants.items():
        key = known.get(slug)
        usable = key and MerchantAPIKey.objects.is_valid(key)
        if not usable:
            MerchantAPIKey.objects.filter(merchant=merchant, name="demo", revoked=False).update(
                revoked=True
            )
            _, key = merchant_api_key_create(merchant=merchant, name="demo")
        keys[slug] = key
    DEMO_KEYS_FILE.parent.mkdir(parents=True, exist_ok=True)
    DEMO_KEYS_FILE.write_text(json.dumps(keys, indent=2))
    DEMO_KEYS_FILE.chmod(0o600)
    return keys
