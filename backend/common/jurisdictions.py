"""Jurisdictions: where a shopper lives and where a plan may be sold.

A jurisdiction code is an ISO 3166-1 alpha-2 country (``PL``, ``DE``) or an ISO 3166-2
subdivision (``US-CA``, ``US-NY``). US sales are always per state: a bare ``US`` is
accepted in a plan's list of markets (meaning every state), never as a shopper's home.
"""

import gettext
from functools import cache

import pycountry

# Countries whose consumer-protection rules for service contracts are set per subdivision.
SUBDIVIDED_COUNTRIES = frozenset({"US"})
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
# Market groups a plan may list instead of enumerating codes.
MARKET_GROUPS = {"EU": EU_MEMBER_STATES}


@cache
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _subdivisions(country: str) -> frozenset[str]:
    return frozenset(s.code for s in pycountry.subdivisions.get(country_code=country) or [])


def normalise(code: str) -> str:
    return code.strip().upper() if isinstance(code, str) else code


def is_shopper_jurisdiction(code: str) -> bool:
    """Valid as a shopper's home: a US state (``US-CA``) or a non-subdivided country."""
    code = normalise(code)
    if not isinstance(code, str):
        return False
    country, _, sub = code.partition("-")
    if country not in _countries():
        return False
    if country in SUBDIVIDED_COUNTRIES:
        return bool(sub) and code in _subdivisions(country)
    return not sub or code in _subdivisions(country)


# The kinds of US subdivision a shopper may live in: the states and DC (the service-contract
# laws the packs follow do not reach the outlying areas).
SHOPPER_SUBDIVISION_TYPES = frozenset({"State", "District"})


def homes_within(code: str) -> list[str]:
    """Every shopper jurisdiction that ``code`` (a country, a subdivision or a market group)
    takes in: ``US`` is its states and DC, ``EU`` its member states, ``PL`` itself."""
    code = normalise(code)
    if code in MARKET_GROUPS:
        return sorted(c for member in MARKET_GROUPS[code] for c in homes_within(member))
    if code in SUBDIVIDED_COUNTRIES:
        return sorted(
            s.code
            for s in pycountry.subdivisions.get(country_code=code) or []
            if s.type in SHOPPER_SUBDIVISION_TYPES
        )
    return [code] if is_shopper_jurisdiction(code) else []


def is_market_code(code: str) -> bool:
    """Valid in a plan's list of markets: a shopper jurisdiction, a country, or a group."""
    code = normalise(code)
    return code in MARKET_GROUPS or code in _countries() or is_shopper_jurisdiction(code)


def country_of(code: str) -> str:
    return normalise(code).partition("-")[0]


def market_matches(markets: frozenset[str], jurisdiction: str) -> bool:
    """Does a plan sold in ``markets`` cover a shopper in ``jurisdiction``?

    ``US`` covers every state, ``EU`` every member state, ``US-CA`` only California.
    """
    country = country_of(jurisdiction)
    if jurisdiction in markets or country in markets:
        return True
    return any(country in MARKET_GROUPS[g] for g in markets if g in MARKET_GROUPS)


_GETTEXT_LANGUAGES = {"pl": "pl", "zh-hans": "zh_CN", "en": "en"}


@cache
def _place_names(domain: str, language: str):
    return gettext.translation(
        domain,
        pycountry.LOCALES_DIR,
        languages=[_GETTEXT_LANGUAGES.get(language, language)],
        fallback=True,
    )


def place_name(code: str, language: str = "en") -> str:
    """A jurisdiction's own name in ``language``: ``US-OH`` is Ohio (俄亥俄州 in Chinese),
    ``PL`` is Polska in Polish; from the ISO 3166 names and translations pycountry ships."""
    code = normalise(code) or ""
    country, _, sub = code.partition("-")
    if sub:
        subdivision = pycountry.subdivisions.get(code=code)
        if subdivision is not None:
            return _place_names("iso3166-2", language).gettext(subdivision.name)
    entry = pycountry.countries.get(alpha_2=country)
    if entry is None:
        return code
    return _place_names("iso3166-1", language).gettext(entry.name)
