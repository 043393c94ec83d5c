import pytest

from backend.common import jurisdictions
from backend.common.money import Money, is_currency, minor_unit_exponent


def test_money_is_integer_minor_units():
    assert Money(1999, "USD") + Money(1, "USD") == Money(2000, "USD")
    assert Money(1999, "USD") * 3 == Money(5997, "USD")
    with pytest.raises(TypeError):
        Money(19.99, "USD")
    with pytest.raises(TypeError):
        Money(True, "USD")
    with pytest.raises(ValueError, match="currency mismatch"):
        Money(1, "USD") + Money(1, "PLN")
    with pytest.raises(ValueError, match="unknown currency"):
        Money(1, "ZZZ")


@pytest.mark.parametrize(
    ("money", "locale", "text"),
    [
        (Money(123450, "USD"), "en", "$1,234.50"),
        (Money(123450, "PLN"), "pl", "1\xa0234,50\xa0zł"),
        (Money(1234, "JPY"), "en", "¥1,234"),
        (Money(123450, "USD"), "zh-hans", "US$1,234.50"),
    ],
)
def test_money_formats_per_locale(money, locale, text):
    assert money.format(locale) == text


def test_currency_exponents():
    assert (minor_unit_exponent("USD"), minor_unit_exponent("JPY"), minor_unit_exponent("KWD")) == (
        2,
        0,
        3,
    )
    assert is_currency("PLN") and not is_currency("XAU") and not is_currency("usd")


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("US-CA", True),
        ("US-DC", True),
        ("us-ny", True),
        ("US", False),
        ("US-ZZ", False),
        ("PL", True),
        ("DE", True),
        ("XX", False),
        ("", False),
        ("EU", False),
        (None, False),
    ],
)
def test_shopper_jurisdictions(code, valid):
    assert jurisdictions.is_shopper_jurisdiction(code) is valid


def test_market_codes_include_groups_and_whole_countries():
    assert all(jurisdictions.is_market_code(c) for c in ("US", "EU", "US-TX", "PL"))
    assert not jurisdictions.is_market_code("Mars")
