"""Month-end close at scale, against the same aggregates written as raw SQL in the same run.

A bench database is seeded with the demo, then grown set-based (``INSERT ... SELECT`` over
``generate_series``, cloned from the demo's own rows) to ``--contracts`` active contracts
over two years, each with its sale posted to the ledger, and ``--claims`` claims (a tenth
still open), across ``--merchants`` merchants and every demo plan. Premium is earned up
to the day before the month's last, and every merchant's statements are closed up to the
month: what a real month-end finds.

**Ours** is what finance's close does, in a fresh worker process (its peak memory is the
target's): ``obligors.services.month_close`` (the last day's earning postings, every
merchant's statement, each plan's figures and reserve), then both bordereaux and the
reserve report of every obligor, streamed to files. **Raw** is the same work's reads as
hand-written SQL on one connection: the earning target, the statements' entry selection and
sums, the figures' aggregates, and the bordereaux's rows streamed to CSV from a server-side
cursor. Raw runs before and after ours; the ratio is raw / ours (target >= 0.5), with the
worker's peak RSS under 200 MB.

    ./benchmarks/run month_close [--contracts 1000000 --claims 100000 --merchants 50]

``BENCH_PROFILE=1`` prints the close's profile (cumulative time per function) on stderr.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from documents import seeded_demo
from offers import DATABASE_SUFFIX, PY, RESULTS, ROOT, shown

DATABASE = "coverdesk_bench_month_close" + DATABASE_SUFFIX
TARGET_RATIO = 0.5
TARGET_RSS_MB = 200


def month_of(today: date) -> tuple[date, date]:
    """The month before ``today``'s: [start, end)."""
    end = today.replace(day=1)
    return (end - timedelta(days=1)).replace(day=1), end


def _clone(table: str, cols: list[str], over: dict[str, str], rest: str) -> str:
    """``INSERT INTO table SELECT`` of a template row ``t``, with ``over``'s expressions in
    place of its columns: SQL of our own column names and constants, values bound."""
    exprs = ", ".join(over.get(col, f"t.{col}") for col in cols)
    return f"INSERT INTO {table} ({', '.join(cols)}) SELECT {exprs} {rest}"


def grow(contracts: int, claims: int, merchants: int, end: date) -> dict:
    """The bench world, set-based, in the Django process this script set up."""
    from django.db import connection

    from backend.claims.models import Claim
    from backend.contracts.models import Contract, OrderLine
    from backend.ledger.choices import AccountPurpose as P
    from backend.ledger.earning import earning_post
    from backend.ledger.models import EarningDay
    from backend.ledger.services import AccountSpec, accounts_for
    from backend.merchants.models import Merchant
    from backend.obligors.models import MonthClose, PlanMonth
    from backend.plans.models import Plan
    from backend.settlement.statements import statements_close_due

    template = Contract.objects.filter(state="active").order_by("pk").first()
    claim = Claim.objects.order_by("pk").first()
    base = Merchant.objects.get(slug="voltmart")
    shops = [base] + [
        Merchant.objects.create(
            name=f"Bench shop {n}", slug=f"bench-{n}", country="US", default_currency="USD"
        )
        for n in range(1, merchants)
    ]
    # The demo's own month close and earning stay as they are; the bench contracts are on
    # plans of their own, so their premium is earned by the close (its own sources).
    PlanMonth.objects.all().delete()
    MonthClose.objects.all().delete()
    clones = []
    for plan in Plan.objects.filter(is_active=True):
        plan.pk, plan.code = None, f"{plan.code}-bench"[:50]
        plan.save()
        clones.append(plan)
    plans = [(plan.pk, plan.provider_id) for plan in clones]
    currency = template.currency
    specs = [AccountSpec(P.STRIPE_CASH, currency), AccountSpec(P.ADMINISTRATOR_REVENUE, currency)]
    specs += [AccountSpec(P.OWED_TO_MERCHANT, currency, merchant_id=m.pk) for m in shops]
    for plan, provider in plans:
        for purpose in (P.OBLIGOR_UNEARNED_PREMIUM, P.OWED_TO_OBLIGOR):
            specs.append(AccountSpec(purpose, currency, provider_id=provider, plan_id=plan))
    accounts_for(specs)
    shop_ids = ",".join(str(m.pk) for m in shops)
    plan_ids = ",".join(str(p) for p, _ in plans)
    started = time.perf_counter()
    cols = [f.column for f in OrderLine._meta.concrete_fields if f.column != "id"]
    over = {"position": "1000 + g"}
    with connection.cursor() as c:
        c.execute("ALTER TABLE ledger_entry DISABLE TRIGGER USER")  # bulk load; re-enabled below
        c.execute(
            _clone(
                "contracts_orderline",
                cols,
                over,
                "FROM contracts_orderline t, generate_series(1, 1000) g"
                " WHERE t.id = %s RETURNING id",
            ),
            [template.order_line_id],
        )
        first_line = min(row[0] for row in c.fetchall())
        cols = [f.column for f in Contract._meta.concrete_fields if f.column != "id"]
        price = "(10000 + (mod(g, 50)) * 100)"
        split = (
            f"jsonb_build_object('currency', t.currency, 'price', {price}, "
            f"'merchant_commission', {price} * 2 / 10, 'administrator_fee', {price} / 10, "
            f"'net_premium', {price} - {price} * 2 / 10 - {price} / 10, "
            "'merchant_commission_bp', 2000, 'administrator_fee_bp', 1000, "
            "'clawback_in_free_look', 'full', 'clawback_after_free_look', 'pro_rata')"
        )
        activated = (
            "(%s::timestamptz - (mod(g, 700) || ' days')::interval"
            " - (mod(g, 86000) || ' seconds')::interval)"
        )
        over = {
            "number": "'BM' || lpad(g::text, 10, '0')",
            "order_line_id": f"{first_line} + (mod(g, 1000))",
            "unit_index": "g / 1000 + 1",
            "merchant_id": f"(ARRAY[{shop_ids}])[1 + mod(g, {len(shops)})]",
            "plan_id": f"(ARRAY[{plan_ids}])[1 + mod(g, {len(plans)})]",
            "price": price,
            "net_premium": f"{price} - {price} * 2 / 10 - {price} / 10",
            "tax": "0",  # the split above has none, whatever the template's jurisdiction
            "plan_snapshot": f"jsonb_set(t.plan_snapshot::jsonb, '{{price_split}}', {split})",
            "state": "'active'",
            "purchased_at": activated,
            "activated_at": activated,
            "coverage_start": f"({activated})::date",
            "coverage_end": f"({activated})::date + 730",
            "waiting_period_ends": f"({activated})::date + 30",
            "limit_remaining": "t.limit_of_liability",
            "claims_paid": "0",
            "ended_at": "NULL",
        }
        when = f"{end.isoformat()} 00:00:00+00"
        params = [when] * sum(expr.count("%s") for expr in over.values())
        c.execute(
            _clone(
                "contracts_contract",
                cols,
                over,
                f"FROM contracts_contract t, generate_series(1, {contracts}) g WHERE t.id = %s",
            ),
            [*params, template.pk],
        )
        # Each contract's sale, as ledger.postings.sale_post would post it.
        c.execute(
            "INSERT INTO ledger_ledgertransaction (source, kind, description, reference, "
            "occurred_at, posted_at) SELECT 'contract:' || id || ':sale', 'sale', number, '', "
            "activated_at, activated_at FROM contracts_contract WHERE number LIKE 'BM%%'"
        )
        lines = {
            "stripe_cash:" + currency: "c.price",
            "administrator_revenue:" + currency: "-(c.price / 10)",
            f"'owed_to_merchant:{currency}:m' || c.merchant_id": "-(c.price * 2 / 10)",
            (
                f"'obligor_unearned_premium:{currency}:p' || p.provider_id || ':plan' || c.plan_id"
            ): "-c.net_premium",
        }
        for key, amount in lines.items():
            key_sql = key if key.startswith("'") else f"'{key}'"
            # Our own account keys and amounts, no input.
            entry = (
                "INSERT INTO ledger_entry (transaction_id, account_id, amount, currency) "  # noqa: S608
                f"SELECT tx.id, a.id, {amount}, c.currency FROM contracts_contract c "
                "JOIN plans_plan p ON p.id = c.plan_id "
                "JOIN ledger_ledgertransaction tx ON tx.source = 'contract:' || c.id || ':sale' "
                f"JOIN ledger_account a ON a.key = {key_sql} WHERE c.number LIKE 'BM%%'"
            )
            c.execute(entry)
        c.execute("ALTER TABLE ledger_entry ENABLE TRIGGER USER")
        cols = [f.column for f in Claim._meta.concrete_fields if f.column not in ("id", "urgency")]
        old = "(%s::timestamptz - ((mod(g, 690)) || ' days')::interval)"
        open_claim = "mod(g, 10) = 0"
        over = {
            "number": "'BMC' || lpad(g::text, 9, '0')",
            "contract_id": "c.id",
            "customer_id": "c.customer_id",
            "merchant_id": "c.merchant_id",
            "currency": "c.currency",
            "state": f"CASE WHEN {open_claim} THEN 'in_review' ELSE 'closed' END",
            "claimed_amount": "5000",
            "requested_amount": f"CASE WHEN {open_claim} THEN 4000 ELSE NULL END",
            "approved_amount": f"CASE WHEN {open_claim} THEN NULL ELSE 4000 END",
            "decided_at": f"CASE WHEN {open_claim} THEN NULL ELSE {old} + interval '3 days' END",
            "closed_at": f"CASE WHEN {open_claim} THEN NULL ELSE {old} + interval '9 days' END",
            "resolved_at": f"CASE WHEN {open_claim} THEN NULL ELSE {old} + interval '8 days' END",
            "created_at": old,
            "updated_at": old,
            "assignee_id": "NULL",
        }
        params = [when] * sum(expr.count("%s") for expr in over.values())
        every = max(contracts // max(claims, 1), 1)
        c.execute(
            _clone(
                "claims_claim",
                cols,
                over,
                f"FROM claims_claim t, generate_series(1, {claims}) g JOIN contracts_contract c"
                " ON c.number = 'BM' || lpad((g * %s)::text, 10, '0') WHERE t.id = %s",
            ),
            [*params, every, claim.pk],
        )
        c.execute("ANALYZE")
    loaded = time.perf_counter() - started
    # What the month's end finds: premium earned to the day before its last, and every
    # merchant's statements closed up to the month.
    start = (end - timedelta(days=1)).replace(day=1)
    EarningDay.objects.filter(day__gte=end - timedelta(days=2)).delete()
    earning_post(end - timedelta(days=2))
    statements_close_due(today=start)
    return {
        "load_seconds": round(loaded, 1),
        "prepared_seconds": round(time.perf_counter() - started, 1),
    }


def ours(env: dict, month: date, out_dir: Path) -> dict:
    """The close in a fresh worker process: its seconds and its peak memory."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [PY, __file__, "--close-only", month.isoformat(), "--out", str(out_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"the close failed ({status})")
    phases = json.loads(child.stdout.read())
    return {
        "seconds": round(sum(phases.values()), 2),  # the work, without the process's start
        "process_seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "phases": phases,
    }


def close_only(month: date, out_dir: Path) -> None:
    import django

    django.setup()
    from backend.obligors.reports import claims_bordereau, premium_bordereau, reserve, write_csv
    from backend.obligors.services import month_bounds, month_close
    from backend.plans.models import Provider

    phases = {}
    profile = None
    if os.environ.get("BENCH_PROFILE"):  # where the close's time goes, on stderr
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    started = time.perf_counter()
    close = month_close(month=month, today=month_bounds(month)[1] + timedelta(days=1))
    phases["close"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    for provider in Provider.objects.values_list("pk", flat=True):
        for name, report in (
            ("premium", premium_bordereau),
            ("claims", claims_bordereau),
            ("reserve", reserve),
        ):
            with open(out_dir / f"{name}-{provider}.csv", "w", newline="") as out:
                write_csv(report(provider, close), out)
    phases["reports"] = round(time.perf_counter() - started, 2)
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
    print(json.dumps(phases))


def raw(month: date, end: date, out_dir: Path) -> float:
    """The same reads as hand-written SQL on one connection."""
    from django.db import connection, transaction

    day = (end - timedelta(days=1)).isoformat()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        # The earning target of the last day, and the unearned balances it is moved from.
        c.execute(
            "SELECT c.plan_id, SUM(COALESCE(c.net_premium, c.price) - COALESCE(c.net_premium, "
            "c.price) * LEAST(GREATEST(%s::date + 1 - c.coverage_start, 0), GREATEST("
            "c.coverage_end - c.coverage_start, 1)) / GREATEST(c.coverage_end - "
            "c.coverage_start, 1)) FROM contracts_contract c WHERE c.state = 'active' "
            "AND c.coverage_start IS NOT NULL GROUP BY c.plan_id",
            [day],
        )
        c.fetchall()
        c.execute(
            "SELECT a.plan_id, SUM(e.amount) FROM ledger_entry e JOIN ledger_account a "
            "ON a.id = e.account_id WHERE a.purpose = 'obligor_unearned_premium' GROUP BY a.plan_id"
        )
        c.fetchall()
        # Every merchant's statement: the month's uncovered entries, copied and summed.
        c.execute(
            "CREATE TEMP TABLE raw_lines ON COMMIT DROP AS SELECT e.id, e.account_id, t.kind, "
            "-e.amount AS amount FROM ledger_entry e JOIN ledger_ledgertransaction t ON "
            "t.id = e.transaction_id JOIN ledger_account a ON a.id = e.account_id WHERE "
            "a.purpose = 'owed_to_merchant' AND t.occurred_at < %s AND NOT EXISTS (SELECT 1 "
            "FROM settlement_statementline l WHERE l.entry_id = e.id)",
            [end],
        )
        c.execute("SELECT account_id, kind, SUM(amount), COUNT(*) FROM raw_lines GROUP BY 1, 2")
        c.fetchall()
        # The figures: the month's movements on the obligors' accounts, and the reserve.
        c.execute(
            "SELECT a.plan_id, a.purpose, t.kind, SUM(e.amount) FROM ledger_entry e JOIN "
            "ledger_account a ON a.id = e.account_id JOIN ledger_ledgertransaction t ON "
            "t.id = e.transaction_id WHERE a.plan_id IS NOT NULL AND t.occurred_at >= %s "
            "AND t.occurred_at < %s GROUP BY 1, 2, 3",
            [month, end],
        )
        c.fetchall()
        c.execute(
            "SELECT a.plan_id, SUM(e.amount) FROM ledger_entry e JOIN ledger_account a ON "
            "a.id = e.account_id JOIN ledger_ledgertransaction t ON t.id = e.transaction_id "
            "WHERE a.purpose = 'obligor_unearned_premium' AND t.occurred_at < %s GROUP BY 1",
            [end],
        )
        c.fetchall()
        c.execute(
            "SELECT plan_id, COUNT(*), SUM(price) FROM contracts_contract WHERE activated_at "
            ">= %s AND activated_at < %s GROUP BY 1",
            [month, end],
        )
        c.fetchall()
    # The bordereaux's rows, streamed to CSV.
    for name, sql, params in (
        (
            "premium",
            "SELECT c.number, p.code, c.product_snapshot->>'title', c.jurisdiction, "
            "c.activated_at, c.coverage_start, c.coverage_end, c.currency, c.price, "
            "c.net_premium, r.requested_at, r.amount FROM contracts_contract c JOIN plans_plan "
            "p ON p.id = c.plan_id LEFT JOIN payments_refund r ON r.contract_id = c.id WHERE "
            "(c.activated_at >= %s AND c.activated_at < %s) OR (r.requested_at >= %s AND "
            "r.requested_at < %s) ORDER BY c.activated_at, c.id",
            [month, end, month, end],
        ),
        (
            "claims",
            "SELECT k.number, c.number, p.code, k.failure_date, k.created_at, k.state, "
            "k.decided_at, k.approved_amount, COALESCE(k.requested_amount, k.claimed_amount) "
            "FROM claims_claim k JOIN contracts_contract c ON c.id = k.contract_id JOIN "
            "plans_plan p ON p.id = c.plan_id WHERE k.created_at < %s AND (k.closed_at IS "
            "NULL OR k.closed_at >= %s) ORDER BY k.created_at, k.id",
            [end, month],
        ),
    ):
        with transaction.atomic(), connection.connection.cursor(name=f"raw_{name}") as cursor:
            cursor.itersize = 2000
            cursor.execute(sql, params)
            with open(out_dir / f"raw-{name}.csv", "w", newline="") as out:
                writer = csv.writer(out, lineterminator="\n")
                for row in cursor:
                    writer.writerow(row)
    return round(time.perf_counter() - started, 2)


def _lines(path: Path) -> int:
    with open(path) as f:
        return sum(1 for _ in f)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--merchants", type=int, default=50)
    parser.add_argument("--close-only", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.close_only:
        close_only(date.fromisoformat(args.close_only), Path(args.out))
        return 0

    env = seeded_demo(DATABASE)
    env["DJANGO_LOG_LEVEL"] = "ERROR"
    month, end = month_of(datetime.now(tz=UTC).date())
    print(f"Growing to {args.contracts:,} contracts and {args.claims:,} claims ...")
    prepared = grow(args.contracts, args.claims, args.merchants, end)
    out_dir = Path(env["DJANGO_MEDIA_ROOT"]) / "month-close"
    out_dir.mkdir(parents=True, exist_ok=True)
    raw_before = raw(month, end, out_dir)
    mine = ours(env, month, out_dir)
    raw_after = raw(month, end, out_dir)
    raw_seconds = (raw_before + raw_after) / 2
    result = {
        "contracts": args.contracts,
        "claims": args.claims,
        "merchants": args.merchants,
        "month": f"{month:%Y-%m}",
        **prepared,
        "raw_seconds": [raw_before, raw_after],
        "ours": mine,
        "ratio": round(raw_seconds / mine["seconds"], 3),
        "rows": {p.name: _lines(p) - 1 for p in sorted(out_dir.glob("*.csv"))},
        "targets": {"ratio": TARGET_RATIO, "peak_rss_mb": TARGET_RSS_MB},
    }
    met = result["ratio"] >= TARGET_RATIO and mine["peak_rss_mb"] < TARGET_RSS_MB
    result["met"] = met
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"month_close-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2))
    print(json.dumps({k: result[k] for k in ("ratio", "raw_seconds", "ours")}, indent=2))
    print(
        f"ratio raw/ours {result['ratio']} (target >= {TARGET_RATIO}), worker peak "
        f"{mine['peak_rss_mb']} MB (target < {TARGET_RSS_MB}); saved {shown(path)}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
