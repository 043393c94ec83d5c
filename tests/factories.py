import factory
from factory.django import DjangoModelFactory

from backend.accounts.models import User
from backend.catalog.models import Category, Product, WrittenWarranty, WrittenWarrantyTranslation
from backend.merchants.models import Merchant
from backend.plans.models import (
    Administrator,
    MerchantPlan,
    Plan,
    PlanPrice,
    PlanTranslation,
    Provider,
)


class MerchantFactory(DjangoModelFactory):
    class Meta:
        model = Merchant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Merchant {n}")
    slug = factory.Sequence(lambda n: f"merchant-{n}")
    country = "US"
    default_currency = "USD"


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    title = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory, slug="phones")
    price = 49_999
    currency = "USD"
    manufacturer_warranty_months = 12


class WrittenWarrantyFactory(DjangoModelFactory):
    """A limited one-year warranty that limits implied warranties, excludes consequential
    damages and names a dispute mechanism: every optional 16 CFR 701.3 statement applies."""

    class Meta:
        model = WrittenWarranty
        skip_postgeneration_save = True

    merchant = factory.SubFactory(MerchantFactory)
    code = factory.Sequence(lambda n: f"warranty-{n}")
    designation = "limited"
    duration_months = 12
    covered = "Defects in materials and workmanship of the phone and its charger."
    excluded = "Cracked screens, water damage, and batteries after six months."
    will_do = "We repair the phone, or replace it with the same model if it cannot be repaired."
    will_not_do = "We do not pay for data recovery, or for damage caused by unauthorised repairs."
    remedy_days = 14
    implied_warranty_limit_months = 12
    excludes_consequential_damages = True
    claim_steps = "E-mail warranty@example.com with your order number.\nShip the phone to us."
    warrantor_name = "Gadget Store Inc."
    warrantor_address = "100 Market Street\nSan Francisco, CA 94105"
    warrantor_contact = "Warranty department, +1 800 555 0199"
    dispute_name = "BBB AUTO LINE"
    dispute_contact = "bbbautoline.example, +1 800 555 0123"
    dispute_required_first = True

    @factory.post_generation
    def translations(self, create, extracted, **kwargs):
        """Its words in Chinese; ``translations=()`` leaves them out."""
        if create and (extracted is None or "zh-hans" in extracted):
            WrittenWarrantyTranslation.objects.create(
                warranty=self, language="zh-hans", **WARRANTY_TEXT_ZH
            )


WARRANTY_TEXT_ZH = {
    "covered": "手机及其充电器的材料和工艺缺陷。",
    "excluded": "屏幕破裂、进水损坏，以及六个月后的电池。",
    "will_do": "我们维修手机；无法维修时，更换为同型号手机。",
    "will_not_do": "我们不支付数据恢复费用，也不赔偿未经授权的维修造成的损坏。",
    "claim_steps": "发送电子邮件至 warranty@example.com 并注明订单号。\n将手机寄给我们。",
}


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider

    legal_name = factory.Sequence(lambda n: f"Provider {n} Inc.")
    address_line1 = "1 Main Street"
    city = "Springfield"
    region = "IL"
    postal_code = "62701"
    country = "US"
    toll_free_phone = "+1 800 555 0100"
    backing = "full_faith_and_credit"


class InsuredProviderFactory(ProviderFactory):
    backing = "insured"
    insurer_name = "Reliable Insurance Co."
    insurer_address = "9 Insurance Way, Hartford, CT 06103"
    insurer_phone = "+1 800 555 0199"


class AdministratorFactory(DjangoModelFactory):
    class Meta:
        model = Administrator

    legal_name = factory.Sequence(lambda n: f"Administrator {n} LLC")
    address_line1 = "2 Side Street"
    city = "Springfield"
    postal_code = "62701"
    country = "US"
    toll_free_phone = "+1 800 555 0111"


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = Plan
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.Sequence(lambda n: f"Plan {n}")
    provider = factory.SubFactory(ProviderFactory)
    coverage = "base"
    term_months = 24
    service_type = "repair"
    coverage_starts = "immediate"
    markets = factory.LazyFunction(lambda: ["US"])
    summary = "Breakdown cover."
    covered = "Mechanical and electrical failures."
    exclusions = "Loss, theft, misuse."

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.eligible_categories.set(extracted if extracted is not None else ["phones"])

    @factory.post_generation
    def translations(self, create, extracted, **kwargs):
        """The plan's Polish and Chinese text; ``translations=()`` leaves them out, a list
        of languages keeps only those."""
        if not create:
            return
        for language in PLAN_TEXT if extracted is None else extracted:
            number = self.name.rpartition(" ")[2]
            PlanTranslation.objects.create(
                plan=self,
                language=language,
                **PLAN_TEXT[language],
                name=f"{PLAN_NAME[language]} {number}",
            )


PLAN_NAME = {"pl": "Plan ochrony", "zh-hans": "保障计划"}
PLAN_TEXT = {
    "pl": {
        "summary": "Ochrona przed awarią.",
        "covered": "Awarie mechaniczne i elektryczne.",
        "exclusions": "Utrata, kradzież, niewłaściwe użytkowanie.",
    },
    "zh-hans": {
        "summary": "故障保障。",
        "covered": "机械和电气故障。",
        "exclusions": "丢失、被盗、使用不当。",
    },
}


class PlanPriceFactory(DjangoModelFactory):
    class Meta:
        model = PlanPrice

    plan = factory.SubFactory(PlanFactory)
    currency = "USD"
    product_price_min = 0
    product_price_max = 99_999
    price = 4_999


class MerchantPlanFactory(DjangoModelFactory):
    class Meta:
        model = MerchantPlan

    merchant = factory.SubFactory(MerchantFactory)
    plan = factory.SubFactory(PlanFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct horse battery staple")
