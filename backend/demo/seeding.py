"""Idempotent seeding of the demo world and of synthetic scale data for benchmarks."""

import json
import random
import tomllib
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.accounts.services import user_create
from backend.catalog.models import Category, Product, WrittenWarranty, WrittenWarrantyTranslation
from backend.catalog.services import product_bulk_upsert
from backend.catalog.warranties import warranty_publish
from backend.checkout.orders import LineInput, OrderInput, TermsAcceptance, order_upsert
from backend.claims.desk import claim_approve, claim_deny, claim_take_next
from backend.claims.models import CannedResponse, Claim, DeskQueue, RepairPartner
from backend.claims.services import claim_file
from backend.common.actors import Actor, ActorKind
from backend.contracts.services import contract_activate
from backend.crm import leads
from backend.crm.analytics import OfferEvent, offer_events_record
from backend.crm.models import Segment, Tag, TagRule
from backend.crm.services import rules_recompute, tags_for_event
from backend.customers.models import Customer
from backend.demo import data
from backend.ledger.earning import earning_catch_up
from backend.ledger.models import EarningDay
from backend.merchants.models import Merchant, MerchantAPIKey
from backend.merchants.services import merchant_api_key_create
from backend.obligors.models import MonthClose
from backend.obligors.services import month_close
from backend.plans.models import (
    Administrator,
    MerchantPlan,
    Plan,
    PlanPrice,
    PlanTranslation,
    Provider,
)
from backend.plans.offers import ProductInput, offers_for_product
from backend.plans.terms import terms_sha256
from backend.settlement.choices import StatementState
from backend.settlement.models import Statement
from backend.settlement.statements import statements_close_due

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
                summary=_first_sentence(data.COVERED[coverage]),
                covered=data.COVERED[coverage],
                exclusions=data.EXCLUSIONS,
                **data.PRICE_SPLIT,
            ),
        )
        plan.full_clean()
        plan.eligible_categories.set(categories)
        for language, translated_name in data.PLAN_NAMES.get(code, {}).items():
            covered = data.TRANSLATED_COVERED[language][coverage]
            PlanTranslation.objects.update_or_create(
                plan=plan,
                language=language,
                defaults=dict(
                    name=translated_name,
                    summary=_first_sentence(covered),
                    covered=covered,
                    exclusions=data.TRANSLATED_EXCLUSIONS[language],
                ),
            )
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


def _first_sentence(text: str) -> str:
    """A plan's one-line summary: the first sentence of what it covers."""
    for stop in (". ", "。"):
        if stop in text:
            return text.split(stop)[0] + stop.strip()
    return text


def seed_warranties(merchants: dict[str, Merchant]) -> None:
    """The demo merchants' own written warranties; each change issues a new revision."""
    for slug, specs in data.WARRANTIES.items():
        for spec in specs:
            fields = {
                k: v for k, v in spec.items() if k not in ("code", "categories", "translations")
            }
            warranty, _ = WrittenWarranty.objects.update_or_create(
                merchant=merchants[slug], code=spec["code"], defaults=fields
            )
            warranty.categories.set(spec["categories"])
            for language, words in spec.get("translations", {}).items():
                WrittenWarrantyTranslation.objects.update_or_create(
                    warranty=warranty, language=language, defaults=words
                )
            warranty_publish(warranty)


def seed_desk() -> None:
    """The warranty desk's repair partners, saved queues and canned responses."""

    for name, email, categories in data.REPAIR_PARTNERS:
        RepairPartner.objects.update_or_create(
            name=name, defaults={"email": email, "categories": categories}
        )
    for position, (name, filters) in enumerate(data.DESK_QUEUES):
        DeskQueue.objects.update_or_create(
            name=name, defaults={"filters": filters, "position": position}
        )
    with (Path(__file__).parent / "canned_responses.toml").open("rb") as f:
        responses = tomllib.load(f)["responses"]
    for r in responses:
        CannedResponse.objects.update_or_create(
            code=r["code"],
            language=r["language"],
            defaults={"title": r["title"], "body": r["body"]},
        )


DEMO_CLAIMS = [
    ("phones", "mechanical_failure", "The screen stays black after the last update."),
    ("laptops", "power_surge", "It died during a storm and will not charge any more."),
    ("tvs", "mechanical_failure", "Vertical lines across the picture since yesterday."),
    ("audio", "other", "The left earbud has no sound."),
]


BUYER_PLACES = ("US-CA", "US-TX", "US-CA", "US-FL", "US-CA", "US-WA")


def _demo_sale(merchant, product, *, place, customer, order_id, bought, pick=0, consent=None):
    """One plan bought for ``product`` by ``customer`` in ``place``, active since
    ``bought(plan)``; None where no plan is offered there."""
    item = ProductInput.from_product(product, manufacturer_warranty_months=0)
    offers = offers_for_product(
        merchant_id=merchant.pk, product=item, quantity=1, jurisdiction=place
    ).offers
    if not offers:
        return None
    offer = offers[pick % len(offers)]
    result = order_upsert(
        merchant=merchant,
        data=OrderInput(
            merchant_order_id=order_id,
            jurisdiction=place,
            customer=customer,
            lines=[
                LineInput(
                    offer_token=offer.token,
                    terms_sha256=terms_sha256(offer.plan.code, place, customer.get("locale", "en")),
                    quantity=1,
                    product_title=product.title,
                )
            ],
            terms=TermsAcceptance(text="I agree to the plan terms.", text_version="demo"),
            marketing_email_consent=consent,
        ),
    )
    [contract] = result.contracts
    at = bought(offer.plan)
    type(contract).objects.filter(pk=contract.pk).update(purchased_at=at)
    contract_activate(contract_id=contract.pk, actor=Actor.system("demo"), at=at)
    contract.refresh_from_db()
    return contract


def seed_demo_claims() -> int:
    """A few claims by the demo shopper on plans bought 90 days ago, for the desk to work.
    Skipped once the shopper has claims."""
    email = "shopper@example.com"
    if Claim.objects.filter(customer__email=email).exists():
        return 0
    merchant = Merchant.objects.get(slug="voltmart")
    bought = timezone.now() - timedelta(days=90)
    filed = 0
    for n, (category, reason, description) in enumerate(DEMO_CLAIMS):
        product = Product.objects.filter(merchant=merchant, category_id=category).first()
        contract = _demo_sale(
            merchant,
            product,
            place="US-CA",
            customer={"email": email, "first_name": "Sam", "last_name": "Rivera"},
            order_id=f"demo-claims-{n}",
            bought=lambda _plan: bought,
        )
        if contract is None:
            continue
        claim_file(
            contract=contract,
            actor=Actor.system("demo"),
            reason=reason,
            failure_date=timezone.localdate() - timedelta(days=2),
            description=description,
            answers={"restarted": "yes"},
        )
        filed += 1
    return filed


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
    for username, email, roles, party in data.USERS:
        if not User.objects.filter(username=username).exists():
            obligor = "obligor" in roles
            user_create(
                username=username,
                email=email,
                password=data.DEMO_PASSWORD,
                roles=[Role(r) for r in roles],
                merchant=merchants.get(party) if party and not obligor else None,
                provider=Provider.objects.get(legal_name=party) if obligor else None,
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


def seed_crm() -> dict:
    """Tags, rules and segments for the marketing console, and a CRM world to show them on:
    demo buyers with plans bought over the last year (some ending soon), claims on a few of
    them (approved and denied), a purchase without a plan (a lead), and two months of offer
    impressions. The buyers are created once; tags, rules and segments are refreshed."""
    for slug, name, description in data.TAGS:
        Tag.objects.update_or_create(slug=slug, defaults={"name": name, "description": description})
    for name, trigger, conditions, slug, days in data.TAG_RULES:
        TagRule.objects.update_or_create(
            name=name,
            defaults={
                "trigger": trigger,
                "conditions": conditions,
                "tag": Tag.objects.get(slug=slug),
                "expires_after_days": days,
            },
        )
    marketing = User.objects.filter(username="marketing").first()
    for name, definition in data.SEGMENTS:
        Segment.objects.update_or_create(
            name=name, defaults={"definition": definition, "created_by": marketing}
        )
    if Customer.objects.filter(email__endswith="@buyers.example").exists():
        return {"buyers": 0}

    merchant = Merchant.objects.get(slug="voltmart")
    supervisor = Actor.person(ActorKind.STAFF, User.objects.get(username="supervisor"))
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    categories = ["phones", "laptops", "tvs", "audio", "tablets"]
    now = timezone.now()
    contracts = []
    for n, (first, last, locale, consent) in enumerate(data.CRM_BUYERS):
        category = categories[n % len(categories)]
        product = Product.objects.filter(merchant=merchant, category_id=category).first()
        if product is None:
            continue
        # Mostly Californians; some in states that tax service contracts (plans.taxes).
        # Most mid-term; a few near the end of their term (the expiring tags).
        near_end = rng.choice([20, 40, 50]) if n % 4 == 0 else None
        mid_term = rng.randint(40, 200)

        def bought(plan, near_end=near_end, mid_term=mid_term):
            days_ago = plan.term_months * 30 - near_end if near_end else mid_term
            return now - timedelta(days=max(days_ago, 40))

        contract = _demo_sale(
            merchant,
            product,
            place=BUYER_PLACES[n % len(BUYER_PLACES)],
            customer={
                "email": f"{first}.{last}@buyers.example".lower(),
                "first_name": first,
                "last_name": last,
                "locale": locale,
            },
            order_id=f"demo-crm-{n}",
            bought=bought,
            pick=n,
            consent=consent,
        )
        if contract is None:
            continue
        tags_for_event(trigger="plan_bought", object_id=contract.pk)
        contracts.append(contract)

    reasons = ["mechanical_failure", "accidental_damage", "power_surge", "mechanical_failure"]
    for n, contract in enumerate(contracts[::3]):
        contract.refresh_from_db()
        claim, _ = claim_file(
            contract=contract,
            actor=Actor.system("demo"),
            reason=reasons[n % len(reasons)] if contract.plan.coverage != "base" else reasons[0],
            failure_date=timezone.localdate() - timedelta(days=3),
            description="It stopped working.",
        )
        tags_for_event(trigger="claim_filed", object_id=claim.pk)
        if n % 3 != 2:  # the supervisor takes it and decides; the rest wait for the desk
            claim_take_next(actor=supervisor, queryset=Claim.objects.filter(pk=claim.pk))
        if n % 3 == 0:
            claim_approve(
                claim_id=claim.pk,
                actor=supervisor,
                amount=min(15_000, contract.limit_remaining),
                resolution="reimburse",
                note="Covered breakdown.",
            )
        elif n % 3 == 1:
            claim_deny(claim_id=claim.pk, actor=supervisor, note="Not covered: cosmetic only.")
            tags_for_event(trigger="claim_denied", object_id=claim.pk)

    laptop = Product.objects.filter(merchant=merchant, category_id="laptops").first()
    if laptop is not None:
        leads.leads_report(
            merchant=merchant,
            report=leads.LeadReport(
                merchant_order_id="demo-lead-1",
                jurisdiction="US-CA",
                customer={"email": "alex.kim@buyers.example", "first_name": "Alex"},
                purchased_at=now - timedelta(days=3),
                lines=[
                    leads.LeadLineInput(
                        position=0,
                        product=ProductInput.from_product(laptop),
                        quantity=1,
                    )
                ],
            ),
        )

    plans = [o.plan for o in MerchantPlan.objects.filter(merchant=merchant).select_related("plan")]
    today = timezone.localdate()
    for days_back in range(60):
        events = []
        for plan in plans:
            category = rng.choice(categories)
            events += [OfferEvent("impression", plan.code, category)] * rng.randint(5, 30)
            events += [OfferEvent("decline", plan.code, category)] * rng.randint(2, 12)
        offer_events_record(
            merchant_id=merchant.pk, events=events, day=today - timedelta(days=days_back)
        )
    rules_recompute()
    return {"buyers": len(contracts)}


def _seed_taxed_sales(month) -> None:
    """Plans bought last month in the states that tax them, for the books' Tax tab."""
    merchant = Merchant.objects.get(slug="voltmart")
    products = list(Product.objects.filter(merchant=merchant, category_id__in=["tvs", "laptops"]))
    for n, (place, first, last) in enumerate(data.TAXED_BUYERS):
        moment = timezone.make_aware(
            timezone.datetime.combine(
                month + timedelta(days=3 + 4 * n), timezone.datetime.min.time()
            )
        ) + timedelta(hours=12)
        _demo_sale(
            merchant,
            products[n % len(products)],
            place=place,
            customer={
                "email": f"{first}.{last}@buyers.example".lower(),
                "first_name": first,
                "last_name": last,
            },
            order_id=f"demo-tax-{n}",
            bought=lambda _plan, moment=moment: moment,
            pick=n,
        )


def seed_settlement() -> int:
    """The books as the demo's history leaves them: premium earned day by day over the last
    two months (what came before is earned in one posting on the first of those days), last
    month closed for the obligors' reports, and each merchant's statements closed for the
    periods gone by, their payouts due until the merchant sets up payouts (the console's
    Settlement tab). Each runs once; the statements closed so far."""
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    earning_from = (last_month - timedelta(days=1)).replace(day=1)
    if not EarningDay.objects.exists():
        EarningDay.objects.create(day=earning_from - timedelta(days=1))
    if not MonthClose.objects.filter(month=last_month).exists():
        _seed_taxed_sales(last_month)
        month_close(month=last_month, today=today)
    earning_catch_up(today=today)
    statements_close_due(today=today)
    return Statement.objects.filter(state=StatementState.CLOSED).count()
