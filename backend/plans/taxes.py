"""Taxes on a plan's price, where a jurisdiction pack says the plan is taxable.

Many US states tax service contracts as a sale (Texas, Florida and Washington among them;
California and Illinois do not). A pack lists its taxes as data, ``[[taxes]]`` in its
``pack.toml`` (legal_templates/README.md): an id, the law it comes from, its name per
language, and either a ``rate_bp`` (basis points of the taxable base) or a fixed ``amount``
per currency (a fee per contract).

Plan prices are **tax-inclusive**: the price a shopper sees at checkout is the price they
pay, and the tax is a part of it, shown beside it (docs/DESIGN.md: the parts of a price
sum to the price). The rule is explicit:

1. fixed amounts come first, each at most what is left of the price;
2. the taxable base is what remains, and each rate-based tax is
   ``base * rate / (10000 + total rate)``, rounded half up to the minor unit (so a 6.25%
   tax on a price that includes it is 6.25% of the price before it);
3. the merchant's commission, the administrator's fee and the obligor's net premium share
   the rest (``plans.split``).
"""

from dataclasses import dataclass
from functools import cache

from backend.common.languages import name_in
from backend.common.packs import Pack, load_packs, pack_for

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class TaxRule:
    id: str
    names: tuple[tuple[str, str], ...]  # (language, name), the first the fallback
    source: str = ""
    rate_bp: int = 0
    amounts: tuple[tuple[str, int], ...] = ()  # (currency, minor units): a fixed fee

    def name(self, language: str) -> str:
        return name_in(dict(self.names), language, self.names[0][1])

    def fixed_amount(self, currency: str) -> int:
        return dict(self.amounts).get(currency, 0)

    def as_dict(self) -> dict:
        """As ``TaxLine.as_dict``, with no amount: what a document shows before a sale."""
        return {"id": self.id, "names": dict(self.names), "rate_bp": self.rate_bp}


@dataclass(frozen=True)
class TaxLine:
    """One tax on one unit's price, as sold: what a contract snapshots."""

    id: str
    rate_bp: int
    amount: int
    names: dict[str, str]

    def as_dict(self) -> dict:
        return {"id": self.id, "rate_bp": self.rate_bp, "amount": self.amount,
                "names": self.names}  # fmt: skip


def _rule(raw: dict, pack: Pack) -> TaxRule:
    names = raw.get("name") or {}
    if isinstance(names, str):
        names = {"en": names}
    if not names or "id" not in raw:
        raise ValueError(f"pack {pack.code}: every [[taxes]] needs an id and a name")
    rate, amounts = raw.get("rate_bp", 0), raw.get("amount", {})
    if not isinstance(rate, int) or not 0 <= rate < BASIS_POINTS or bool(rate) == bool(amounts):
        raise ValueError(f"pack {pack.code}: tax {raw['id']} needs one rate_bp or amount")
    return TaxRule(
        id=raw["id"],
        names=tuple(names.items()),
        source=raw.get("source", ""),
        rate_bp=rate,
        amounts=tuple(sorted(amounts.items())),
    )


@cache
def _pack_rules(code: str) -> tuple[TaxRule, ...]:
    pack = load_packs()[code]
    return tuple(_rule(raw, pack) for raw in pack.data.get("taxes", ()))


def pack_tax_rules(pack: Pack) -> tuple[TaxRule, ...]:
    """The taxes a sale under ``pack`` carries (none where the pack levies none)."""
    return _pack_rules(pack.code)


def tax_rules(jurisdiction: str) -> tuple[TaxRule, ...]:
    """The taxes a sale to a shopper in ``jurisdiction`` carries."""
    return pack_tax_rules(pack_for(jurisdiction))


def tax_lines(price: int, currency: str, rules: tuple[TaxRule, ...]) -> list[TaxLine]:
    """The taxes included in ``price``, by the rule in the module's docstring."""
    lines, left = [], price
    for rule in rules:
        if not rule.rate_bp:
            amount = min(rule.fixed_amount(currency), left)
            left -= amount
            lines.append(TaxLine(rule.id, 0, amount, dict(rule.names)))
    total_rate = sum(rule.rate_bp for rule in rules)
    divisor = BASIS_POINTS + total_rate
    for rule in rules:
        if rule.rate_bp:
            amount = (2 * left * rule.rate_bp + divisor) // (2 * divisor)  # half up
            lines.append(TaxLine(rule.id, rule.rate_bp, amount, dict(rule.names)))
    return [line for line in lines if line.amount] if price else []


def tax_total(lines: list[TaxLine]) -> int:
    return sum(line.amount for line in lines)
