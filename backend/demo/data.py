"""The demo world: two merchants, two providers, ten plans, about two hundred products."""

CATEGORIES = [
    # slug, name, appliance or home electronics (CA's 30-day free look)
    ("phones", "Phones", False),
    ("laptops", "Laptops", False),
    ("tablets", "Tablets", False),
    ("tvs", "TVs", True),
    ("audio", "Audio and home theatre", True),
    ("cameras", "Cameras", False),
    ("wearables", "Wearables", False),
    ("gaming", "Gaming consoles", False),
    ("major-appliances", "Major appliances", True),
    ("small-appliances", "Small appliances", True),
    ("furniture", "Furniture", False),
]

PROVIDERS = {
    "shieldline": dict(
        legal_name="Shieldline Protection Company",
        address_line1="200 Market Street, Suite 1400",
        city="Chicago",
        region="IL",
        postal_code="60606",
        country="US",
        toll_free_phone="+1 800 555 0142",
        email="claims@shieldline.example",
        registration_numbers={"US-TX": "TX-SC-004512", "US-FL": "FL-SCA-88231"},
        backing="insured",
        insurer_name="Great Lakes Casualty Insurance Company",
        insurer_address="1 Lakeshore Plaza, Milwaukee, WI 53202, US",
        insurer_phone="+1 800 555 0190",
    ),
    "ochrona": dict(
        legal_name="Ochrona Plus Sp. z o.o.",
        address_line1="ul. Prosta 20",
        city="Warszawa",
        region="mazowieckie",
        postal_code="00-850",
        country="PL",
        toll_free_phone="+48 800 555 014",
        email="reklamacje@ochronaplus.example",
        backing="full_faith_and_credit",
    ),
}

ADMINISTRATOR = dict(
    legal_name="Coverdesk Claims Administration LLC",
    address_line1="55 Water Street, Floor 9",
    city="New York",
    region="NY",
    postal_code="10041",
    country="US",
    toll_free_phone="+1 800 555 0177",
    email="admin@coverdesk.example",
    registration_numbers={"US-TX": "TX-ADM-1188"},
)

# (product price min, max, plan price) in minor units. Deductible and limit follow the plan.
USD_BANDS = [
    (0, 4999, 499),
    (5000, 9999, 999),
    (10000, 19999, 1999),
    (20000, 34999, 2999),
    (35000, 49999, 4499),
    (50000, 74999, 6499),
    (75000, 99999, 8499),
    (100000, 149999, 11999),
    (150000, 249999, 16999),
    (250000, 499999, 24999),
]
PLN_BANDS = [
    (0, 49999, 4900),
    (50000, 99999, 8900),
    (100000, 199999, 14900),
    (200000, 349999, 22900),
    (350000, 499999, 31900),
    (500000, 799999, 44900),
    (800000, 1499999, 64900),
]

_ELECTRONICS = ["phones", "laptops", "tablets", "tvs", "audio", "cameras", "gaming"]

PLANS = [
    # code, name, provider, coverage, months, service, starts, waiting days, categories, markets,
    # excluded, price factor (percent of band price), deductible (percent of plan price)
    (
        "us-elec-base-2y",
        "Electronics Protection, 2 years",
        "shieldline",
        "base",
        24,
        "repair",
        "after_manufacturer_warranty",
        0,
        _ELECTRONICS,
        ["US"],
        [],
        100,
        0,
    ),
    (
        "us-elec-base-3y",
        "Electronics Protection, 3 years",
        "shieldline",
        "base",
        36,
        "repair",
        "after_manufacturer_warranty",
        0,
        _ELECTRONICS,
        ["US"],
        [],
        140,
        0,
    ),
    (
        "us-elec-adh-2y",
        "Accident Protection, 2 years",
        "shieldline",
        "adh",
        24,
        "replace",
        "immediate",
        30,
        ["phones", "laptops", "tablets", "cameras", "wearables"],
        ["US"],
        [],
        180,
        25,
    ),
    (
        "us-elec-adh-3y",
        "Accident Protection, 3 years",
        "shieldline",
        "adh",
        36,
        "replace",
        "immediate",
        30,
        ["phones", "laptops", "tablets", "cameras", "wearables"],
        ["US"],
        [],
        240,
        25,
    ),
    # Covered from the day of purchase, with no waiting period: a plan bought in the demo
    # store can take a claim at once (the README's walkthrough files one).
    (
        "us-elec-adh-1y",
        "Accident Protection, 1 year",
        "shieldline",
        "adh",
        12,
        "replace",
        "immediate",
        0,
        ["phones", "laptops", "tablets", "cameras", "wearables", "audio", "gaming"],
        ["US"],
        [],
        120,
        20,
    ),
    (
        "us-tv-base-4y",
        "TV and Home Theatre Protection, 4 years",
        "shieldline",
        "base",
        48,
        "repair",
        "after_manufacturer_warranty",
        0,
        ["tvs", "audio"],
        ["US"],
        ["US-FL"],
        160,
        0,
    ),
    (
        "us-phone-adh-1y",
        "Phone Accident Protection, 1 year",
        "shieldline",
        "adh",
        12,
        "replace",
        "immediate",
        14,
        ["phones", "wearables"],
        ["US"],
        [],
        90,
        30,
    ),
    (
        "us-gaming-base-2y",
        "Gaming Console Protection, 2 years",
        "shieldline",
        "base",
        24,
        "reimburse",
        "after_manufacturer_warranty",
        0,
        ["gaming"],
        ["US-CA", "US-NY", "US-TX", "US-IL", "US-WA", "US-FL"],
        [],
        110,
        0,
    ),
    (
        "pl-agd-base-2y",
        "Extended Appliance Warranty, 2 years",
        "ochrona",
        "base",
        24,
        "repair",
        "after_manufacturer_warranty",
        0,
        ["major-appliances", "small-appliances"],
        ["PL"],
        [],
        100,
        0,
    ),
    (
        "pl-agd-base-5y",
        "Extended Appliance Warranty, 5 years",
        "ochrona",
        "base",
        60,
        "repair",
        "after_manufacturer_warranty",
        0,
        ["major-appliances"],
        ["PL"],
        [],
        210,
        0,
    ),
    (
        "pl-agd-adh-3y",
        "Accidental Damage Protection, 3 years",
        "ochrona",
        "adh",
        36,
        "replace",
        "immediate",
        30,
        ["small-appliances", "major-appliances"],
        ["EU"],
        [],
        170,
        20,
    ),
]

COVERED = {
    "base": "Mechanical and electrical failures in normal use after the manufacturer's warranty "
    "ends, including power surge. Parts and labour, or a replacement of like kind and "
    "quality when a repair is not possible.",
    "adh": "Everything in breakdown cover, plus accidental damage from handling from the first "
    "day: drops, spills and cracked screens.",
}
EXCLUSIONS = (
    "Loss, theft, cosmetic damage that does not affect function, damage from misuse, "
    "neglect or unauthorised repair, pre-existing conditions, normal wear and tear, "
    "consumable parts such as batteries after the first year, and consequential damages."
)

# The plans' text in the other languages (plans.PlanTranslation): a pack sells a plan only
# where it has text in the pack's binding language, so the Polish plans need Polish.
PLAN_NAMES = {
    "us-elec-base-2y": {"zh-hans": "电子产品保障，2 年"},
    "us-elec-base-3y": {"zh-hans": "电子产品保障，3 年"},
    "us-elec-adh-2y": {"zh-hans": "意外保障，2 年"},
    "us-elec-adh-3y": {"zh-hans": "意外保障，3 年"},
    "us-elec-adh-1y": {"zh-hans": "意外保障，1 年"},
    "us-tv-base-4y": {"zh-hans": "电视与家庭影院保障，4 年"},
    "us-phone-adh-1y": {"zh-hans": "手机意外保障，1 年"},
    "us-gaming-base-2y": {"zh-hans": "游戏主机保障，2 年"},
    "pl-agd-base-2y": {"pl": "Przedłużona gwarancja AGD, 2 lata", "zh-hans": "家电延长保修，2 年"},
    "pl-agd-base-5y": {"pl": "Przedłużona gwarancja AGD, 5 lat", "zh-hans": "家电延长保修，5 年"},
    "pl-agd-adh-3y": {
        "pl": "Ochrona od przypadkowych uszkodzeń, 3 lata",
        "zh-hans": "意外损坏保障，3 年",
    },
}
TRANSLATED_COVERED = {
    "pl": {
        "base": "Awarie mechaniczne i elektryczne podczas normalnego użytkowania po zakończeniu "
        "gwarancji producenta, w tym skutki przepięć. Części i robocizna albo wymiana na "
        "sprzęt tego samego rodzaju i jakości, gdy naprawa nie jest możliwa.",
        "adh": "Wszystko, co obejmuje ochrona od awarii, a do tego przypadkowe uszkodzenia od "
        "pierwszego dnia: upadki, zalania i pęknięte ekrany.",
    },
    "zh-hans": {
        "base": "正常使用中在制造商保修期结束后发生的机械和电气故障，包括电涌造成的故障。"
        "提供零件和人工；无法维修时，更换为同类同质的产品。",
        "adh": "包含故障保障的全部内容，另加自第一天起的意外损坏：跌落、液体泼溅和屏幕破裂。",
    },
}
TRANSLATED_EXCLUSIONS = {
    "pl": "Utrata, kradzież, uszkodzenia kosmetyczne, które nie wpływają na działanie, szkody "
    "wynikłe z niewłaściwego użytkowania, zaniedbania lub nieautoryzowanej naprawy, wady "
    "istniejące wcześniej, normalne zużycie, części eksploatacyjne, takie jak baterie po "
    "pierwszym roku, oraz szkody pośrednie.",
    "zh-hans": "丢失、被盗、不影响功能的外观损坏、因误用、疏忽或未经授权的维修造成的损坏、"
    "既有问题、正常磨损、首年后的电池等消耗部件，以及间接损失。",
}

BRANDS = {
    "phones": ["Nimbus", "Aster", "Orbi"],
    "laptops": ["Kestrel", "Lumen", "Northbook"],
    "tablets": ["Slate", "Aster"],
    "tvs": ["Vistar", "Lumen"],
    "audio": ["Sonance", "Tonic"],
    "cameras": ["Apertura", "Fotix"],
    "wearables": ["Pulse", "Orbi"],
    "gaming": ["Playforge"],
    "major-appliances": ["Mroźnik", "Pralux", "Amica-Demo"],
    "small-appliances": ["Kawka", "Blendo"],
}
PRICE_RANGES = {  # major units
    "phones": (149, 1299),
    "laptops": (399, 2899),
    "tablets": (129, 1199),
    "tvs": (199, 3499),
    "audio": (39, 999),
    "cameras": (249, 2499),
    "wearables": (49, 699),
    "gaming": (199, 599),
    "major-appliances": (999, 8999),
    "small-appliances": (79, 1999),
}

MERCHANTS = {
    "voltmart": dict(
        name="VoltMart Electronics",
        country="US",
        default_currency="USD",
        default_locale="en",
        revenue_share_bps=2500,
        support_email="help@voltmart.example",
        website="https://voltmart.example",
        currency="USD",
        categories=[*_ELECTRONICS, "wearables"],
        products=120,
        plans=[p[0] for p in PLANS if p[0].startswith("us-")],
    ),
    "domowe-agd": dict(
        name="Domowe AGD",
        country="PL",
        default_currency="PLN",
        default_locale="pl",
        revenue_share_bps=2000,
        support_email="pomoc@domowe-agd.example",
        website="https://domowe-agd.example",
        currency="PLN",
        categories=["major-appliances", "small-appliances"],
        products=80,
        plans=[p[0] for p in PLANS if p[0].startswith("pl-")],
    ),
}

DEMO_PASSWORD = "coverdesk-demo"  # noqa: S105 - demo accounts on a local embedded install
USERS = [
    # username, email, roles, merchant slug (an obligor's: its provider's legal name)
    ("admin", "admin@coverdesk.example", ["platform_admin"], None),
    ("merchant", "merchant@voltmart.example", ["merchant_admin"], "voltmart"),
    ("merchant-pl", "sklep@domowe-agd.example", ["merchant_admin"], "domowe-agd"),
    ("agent", "agent@coverdesk.example", ["desk_agent"], None),
    ("supervisor", "supervisor@coverdesk.example", ["desk_supervisor"], None),
    ("marketing", "marketing@coverdesk.example", ["marketing"], None),
    ("finance", "finance@coverdesk.example", ["finance"], None),
    # An obligor's user: the fourth field names its provider by legal name.
    ("obligor", "reports@shieldline.example", ["obligor"], "Shieldline Protection Company"),
    ("shopper", "shopper@example.com", ["shopper"], None),
]

# Merchants' own written warranties (16 CFR 701.3), by merchant slug. Only US merchants.
WARRANTIES = {
    "voltmart": [
        dict(
            code="voltmart-1-year",
            designation="limited",
            categories=[],
            duration_months=12,
            covered="Defects in materials and workmanship of the product and the accessories "
            "in its box.",
            excluded="Accidental damage, liquid damage, cosmetic wear, batteries after six "
            "months, and products repaired by anyone but VoltMart or its partners.",
            will_do="We repair the product, or replace it with the same or an equivalent "
            "model if it cannot be repaired.",
            will_not_do="We do not pay for data recovery, shipping to us from outside the US, "
            "or losses while the product is being repaired.",
            remedy_days=21,
            implied_warranty_limit_months=12,
            excludes_consequential_damages=True,
            claim_steps="Open voltmart.example/warranty and enter your order number.\n"
            "Describe the defect; we reply within one business day with a prepaid label.\n"
            "Ship the product to us; we repair or replace it and ship it back free.",
            warrantor_name="VoltMart Electronics, Inc.",
            warrantor_address="VoltMart Warranty Department\n400 Commerce Drive\n"
            "Columbus, OH 43215",
            warrantor_contact="Warranty department, toll-free +1 800 555 0150",
            translations={
                "zh-hans": dict(
                    covered="产品及其包装盒内配件的材料和工艺缺陷。",
                    excluded="意外损坏、液体损坏、外观磨损、六个月后的电池，以及由 VoltMart "
                    "或其合作伙伴以外的任何人维修过的产品。",
                    will_do="我们维修产品；无法维修时，更换为相同或同等型号的产品。",
                    will_not_do="我们不支付数据恢复费用、从美国境外寄给我们的运费，"
                    "也不赔偿产品维修期间的损失。",
                    claim_steps="打开 voltmart.example/warranty 并输入您的订单号。\n"
                    "描述缺陷；我们会在一个工作日内回复并附上预付运单。\n"
                    "将产品寄给我们；我们维修或更换后免费寄回。",
                )
            },
        ),
        dict(
            code="voltmart-tv-full-2-year",
            designation="full",
            categories=["tvs"],
            duration_months=24,
            covered="Any defect in materials or workmanship of the television and its remote.",
            excluded="Damage from accidents, misuse, or power surges; burned-in images.",
            will_do="We repair the television in your home, or replace it, at no charge.",
            will_not_do="We do not pay for wall mounting or for cable and streaming services.",
            remedy_days=10,
            refund_or_replace_after_attempts=True,
            claim_steps="Call the toll-free number with your order number.\n"
            "We book a technician's visit within five business days.",
            warrantor_name="VoltMart Electronics, Inc.",
            warrantor_address="VoltMart Warranty Department\n400 Commerce Drive\n"
            "Columbus, OH 43215",
            warrantor_contact="TV warranty line, toll-free +1 800 555 0151",
            translations={
                "zh-hans": dict(
                    covered="电视机及其遥控器在材料或工艺上的任何缺陷。",
                    excluded="意外、误用或电涌造成的损坏；屏幕烧屏。",
                    will_do="我们上门维修电视机，或免费为您更换。",
                    will_not_do="我们不支付壁挂安装费用，也不支付有线电视和流媒体服务费用。",
                    claim_steps="拨打免费电话并提供您的订单号。\n"
                    "我们会在五个工作日内安排技术人员上门。",
                )
            },
        ),
    ],
}

# The warranty desk's repair partners, saved queues and canned responses (claims app).
REPAIR_PARTNERS = [
    ("FixIt Bay Area", "orders@fixit.example", ["phones", "tablets", "laptops", "wearables"]),
    (
        "HomeTech Appliance Service",
        "jobs@hometech.example",
        ["major-appliances", "small-appliances", "tvs"],
    ),
    (
        "Serwis AGD Warszawa",
        "zlecenia@serwis-agd.example",
        ["major-appliances", "small-appliances"],
    ),
]
DESK_QUEUES = [
    ("Urgent and breached", {"priority_min": 3}),
    ("Appliances", {"category": ["major-appliances", "small-appliances"]}),
    ("Appeals", {"state": ["appealed"]}),
]

# CRM: tags and the rules that apply them (name, trigger, conditions, tag slug, expiry days).
TAGS = [
    ("plan-holder", "Plan holder", "Bought at least one protection plan."),
    ("phone-plan", "Phone plan", "Bought a plan for a phone."),
    ("declined-offer", "Declined a plan", "Bought a product without the plan offered with it."),
    ("claimant", "Filed a claim", "Filed a claim in the last year."),
    ("claim-denied", "Claim denied", "A claim was denied."),
    ("detractor", "Detractor", "Rated a claim 2 or less."),
    ("cancelled", "Cancelled a plan", "Cancelled a plan."),
    ("expiring-60", "Plan ends within 60 days", "A plan ends within 60 days."),
    ("expiring-30", "Plan ends within 30 days", "A plan ends within 30 days."),
    ("lapsed", "Lapsed", "A plan ended in the last 90 days and nothing replaced it."),
    ("high-value", "High lifetime value", "Premiums paid at or above the threshold."),
]
TAG_RULES = [
    ("Bought any plan", "plan_bought", {}, "plan-holder", None),
    ("Bought a phone plan", "plan_bought", {"category": ["phones"]}, "phone-plan", None),
    ("Declined a plan at checkout", "offer_declined", {}, "declined-offer", 90),
    ("Filed a claim", "claim_filed", {}, "claimant", 365),
    ("Claim denied", "claim_denied", {}, "claim-denied", 180),
    ("Unhappy after a claim", "claim_rated", {"score_at_most": 2}, "detractor", 180),
    ("Cancelled a plan", "contract_cancelled", {}, "cancelled", None),
    ("Plan ends within 60 days", "contract_expiring", {"within_days": 60}, "expiring-60", None),
    ("Plan ends within 30 days", "contract_expiring", {"within_days": 30}, "expiring-30", None),
    ("Expired, not renewed", "contract_expired_unrenewed", {"within_days": 90}, "lapsed", None),
    (
        "High lifetime value",
        "lifetime_value",
        {"amounts": {"USD": 30000, "PLN": 120000}},
        "high-value",
        None,
    ),
]
SEGMENTS = [
    ("Phone plans ending soon, e-mail", {"tags_any": ["expiring-60"], "channel": "email"}),
    ("Declined a plan, no claims", {"tags_all": ["declined-offer"], "tags_none": ["claimant"]}),
    (
        "High-value customers in California",
        {"tags_any": ["high-value"], "jurisdictions": ["US-CA"]},
    ),
]
# Demo buyers for the CRM (first name, last name, locale, consents to offers by e-mail).
CRM_BUYERS = [
    ("Alex", "Kim", "en", True),
    ("Maria", "Lopez", "en", True),
    ("Jordan", "Lee", "en", False),
    ("Priya", "Shah", "en", True),
    ("Chen", "Wei", "zh-hans", True),
    ("Olivia", "Brown", "en", True),
    ("Noah", "Davis", "en", False),
    ("Emma", "Wilson", "en", True),
    ("Liam", "Moore", "en", True),
    ("Ava", "Taylor", "en", True),
    ("Mia", "Anderson", "en", False),
    ("Lucas", "Thomas", "en", True),
    ("Sofia", "Garcia", "en", True),
    ("Ethan", "Martin", "en", True),
    ("Lin", "Zhang", "zh-hans", True),
    ("Grace", "Clark", "en", True),
    ("Henry", "Lewis", "en", False),
    ("Zoe", "Walker", "en", True),
]

# How each demo plan's price is shared (plans.split): the selling store keeps 30%, Coverdesk
# as administrator 12%, and the obligor's net premium is the rest.
PRICE_SPLIT = {"merchant_commission_bp": 3_000, "administrator_fee_bp": 1_200}

# Buyers last month in the states that tax service contracts (the books' Tax tab).
TAXED_BUYERS = [
    ("US-TX", "Travis", "Ochoa"),
    ("US-TX", "Lupe", "Garza"),
    ("US-FL", "Marisol", "Reyes"),
    ("US-WA", "Quinn", "Larsen"),
    ("US-TX", "Dale", "Whitaker"),
]
