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
        "Przedłużona gwarancja AGD, 2 lata",
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
        "Przedłużona gwarancja AGD, 5 lat",
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
        "Ochrona od przypadkowych uszkodzeń, 3 lata",
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
    # username, email, roles, merchant slug
    ("admin", "admin@coverdesk.example", ["platform_admin"], None),
    ("merchant", "merchant@voltmart.example", ["merchant_admin"], "voltmart"),
    ("merchant-pl", "sklep@domowe-agd.example", ["merchant_admin"], "domowe-agd"),
    ("agent", "agent@coverdesk.example", ["desk_agent"], None),
    ("supervisor", "supervisor@coverdesk.example", ["desk_supervisor"], None),
    ("marketing", "marketing@coverdesk.example", ["marketing"], None),
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
