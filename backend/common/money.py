"""Money is integer minor units plus an ISO 4217 currency. Never floats.

All conversions between minor units and display strings live here.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

# Currencies that are no longer legal tender or are funds/metals codes: not sold in.
_EXCLUDED = {
    "XAU",
    "XAG",
    "XPT",
    "XPD",
    "XDR",
    "XTS",
    "XXX",
    "XBA",
    "XBB",
    "XBC",
    "XBD",
    "XSU",
    "XUA",
}


@cache
def supported_currencies() -> frozenset[str]:
    return frozenset(c for c in list_currencies() if len(c) == 3 and c not in _EXCLUDED)


def is_currency(code: str) -> bool:
    return isinstance(code, str) and code in supported_currencies()


@cache
def minor_unit_exponent(currency: str) -> int:
    """2 for USD and PLN, 0 for JPY, 3 for KWD."""
    return get_currency_precision(currency)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        if not is_currency(self.currency):
            raise ValueError(f"unknown currency {self.currency!r}")

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> "Money":
        if not isinstance(factor, int):
            raise TypeError("Money can only be multiplied by an int")
        return Money(self.amount * factor, self.currency)

    def _same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    @property
    def decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-minor_unit_exponent(self.currency))

    def format(self, locale: str = "en") -> str:
        """Locale-aware display: ``$1,234.50``, ``1 234,50 zł``, ``US$1,234.50``."""
        return format_minor(self.amount, self.currency, locale)

    def as_dict(self) -> dict:
        return {"amount": self.amount, "currency": self.currency}


@lru_cache(maxsize=8192)
def format_minor(amount: int, currency: str, locale: str = "en") -> str:
    """Format an amount of minor units for display. Memoised: prices repeat constantly."""
    value = Decimal(amount).scaleb(-minor_unit_exponent(currency))
    return format_currency(value, currency, locale=babel_locale(locale))


def babel_locale(language_code: str) -> str:
    return {"zh-hans": "zh_Hans_CN", "en": "en_US", "pl": "pl_PL"}.get(
        language_code.lower(), language_code.replace("-", "_")
    )
