"""Marketing exports at scale: a million consent-clean rows through the Celery worker against
raw COPY of the same query, the worker's peak memory at 1M and 2M rows, and the set-based
recompute of time-based tags for a million customers.

Seeds a fresh PostgreSQL database (set-based INSERT ... SELECT, no Python loop) with
2,500,000 customers (80% consenting to marketing e-mail, a tenth of the rest do-not-sell),
tagged ``wave-1`` (the first 1,250,000: 1,000,000 reachable) or ``wave-2`` (the next), and
1,000,000 paid contracts for the first million. Then, in the same run:

1. raw: ``psql -c "COPY (<the export's own query>) TO STDOUT ..." > /dev/null``, the
   physical limit of the query;
2. export: the segment ``{"tags_any": ["wave-1"]}`` in the Mailchimp layout through a real
   Celery worker (solo pool, Redis), from the job's creation to its ``done``; rounds
   alternate with the raw ones. Then ``wave-1`` + ``wave-2`` (2,000,000 rows) once. Each
   export starts a fresh worker so its peak RSS (VmHWM) is the export's own;
3. recompute: the ``contract_expiring`` (60 days) and ``lifetime_value`` rules over the
   million contracts, cold (every tag added) and warm (nothing changes).

Targets: export throughput at least 0.5 x raw COPY; worker peak RSS under 200 MB at 1M and
at 2M rows (flat).

    ./benchmarks/run crm [--customers 2500000 --rounds 3] [--reuse]
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from offers import (
    DATABASE_SUFFIX,
    PG,
    PY,
    RESULTS,
    ROOT,
    bench_env,
    manage,
    recreate_database,
    shown,
)

DATABASE = "coverdesk_bench_crm" + DATABASE_SUFFIX


def seed(customers: int, contracts: int) -> None:
    half = customers // 2
    with psycopg.connect(f"{PG}/{DATABASE}", autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO customers_customer (email, first_name, last_name, phone, address_line1,
              address_line2, city, region, postal_code, country, jurisdiction, locale,
              marketing_email, marketing_sms, do_not_sell, created_at, updated_at)
            SELECT 'customer' || g || '@bench.example', 'First' || g, 'Last' || (g %% 997),
              CASE WHEN g %% 3 = 0 THEN '+1415555' || lpad((g %% 10000)::text, 4, '0') ELSE '' END,
              g || ' Main Street', '', 'San Francisco', 'CA',
              '94' || lpad((g %% 1000)::text, 3, '0'),
              'US', 'US-CA', CASE WHEN g %% 4 = 0 THEN 'pl' ELSE 'en' END,
              g %% 5 <> 0, g %% 3 = 0, g %% 10 = 5, now() - (g %% 700) * interval '1 day', now()
            FROM generate_series(1, %s) g
            """,
            (customers,),
        )
        conn.execute(
            "INSERT INTO crm_tag (slug, name, description, created_at) VALUES "
            "('wave-1', 'Wave 1', '', now()), ('wave-2', 'Wave 2', '', now()), "
            "('expiring-60d', 'Expiring in 60 days', '', now()), "
            "('high-value', 'High lifetime value', '', now()) "
            # The demo seeding (run by every benchmark's migrate) may have made some already.
            "ON CONFLICT (slug) DO NOTHING"
        )
        conn.execute(
            """
            INSERT INTO crm_customertag (customer_id, tag_id, source, applied_at)
            SELECT c.id, t.id, 'manual', now() FROM customers_customer c
            JOIN crm_tag t ON t.slug = CASE WHEN c.id <= %s THEN 'wave-1' ELSE 'wave-2' END
            """,
            (half,),
        )
        merchant, plan = conn.execute(
            "SELECT m.id, p.id FROM merchants_merchant m, plans_plan p "
            "WHERE m.slug = 'voltmart' AND p.code = 'us-elec-base-2y'"
        ).fetchone()
        conn.execute(
            """
            INSERT INTO contracts_order (merchant_order_id, currency, jurisdiction, total,
              content_sha256, purchased_at, created_at, customer_id, merchant_id)
            SELECT 'bench-' || g, 'USD', 'US-CA', 9999, '', now() - interval '30 days', now(),
              g, %s FROM generate_series(1, %s) g
            """,
            (merchant, contracts),
        )
        conn.execute(
            """
            INSERT INTO contracts_orderline (position, product, quantity, unit_price, currency,
              order_id, plan_id)
            SELECT 1, '{"sku": "B", "title": "Bench TV", "category": "tvs", "price": 49900}',
              1, 9999, 'USD', o.id, %s FROM contracts_order o
            WHERE o.merchant_order_id LIKE 'bench-%%'
            """,
            (plan,),
        )
        conn.execute(
            """
            INSERT INTO contracts_contract (number, unit_index, product_snapshot, plan_snapshot,
              price, currency, jurisdiction, purchased_at, template_version, state,
              activated_at, coverage_start, coverage_end, limit_of_liability, limit_remaining,
              claims_paid, flagged_for_desk, flag_reason, created_at, updated_at, customer_id,
              merchant_id, plan_id, order_line_id)
            SELECT 'CT-BENCH-' || l.id, 0, l.product, '{}', 9999 + (o.customer_id %% 7) * 10000,
              'USD', 'US-CA', o.purchased_at, 'v1', 'active', o.purchased_at,
              current_date - 30, current_date + (o.customer_id %% 720)::int, 49900, 49900, 0,
              false, '', now(), now(), o.customer_id, o.merchant_id, %s, l.id
            FROM contracts_orderline l JOIN contracts_order o ON o.id = l.order_id
            WHERE o.merchant_order_id LIKE 'bench-%%'
            """,
            (plan,),
        )
        conn.execute("ANALYZE")


def seeded() -> int:
    try:
        with psycopg.connect(f"{PG}/{DATABASE}") as conn:
            return conn.execute(
                "SELECT count(*) FROM customers_customer WHERE email LIKE '%%@bench.example'"
            ).fetchone()[0]
    except psycopg.Error:
        return 0


def reset() -> None:
    """Forget the last run's exports, rules and the tags they gave (the seed stays)."""
    with psycopg.connect(f"{PG}/{DATABASE}", autocommit=True) as conn:
        conn.execute("DELETE FROM crm_exportdownload")
        conn.execute("DELETE FROM crm_exportjob")
        conn.execute("DELETE FROM crm_tagchange")
        conn.execute("DELETE FROM crm_customertag WHERE source = 'recompute'")
        conn.execute("DELETE FROM crm_tagrule")


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-m", "celery", "-A", "backend", "worker", "-P", "solo", "-Q", "slow",
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def raw_copy(definition: dict) -> dict:
    """The export's own query, as psql's COPY to /dev/null."""
    from django.utils import timezone

    from backend.crm.exports import export_query

    sql, params = export_query(
        definition=definition, export_format="mailchimp", channel="email", now=timezone.now()
    )
    with psycopg.connect(f"{PG}/{DATABASE}") as conn:
        literal = psycopg.ClientCursor(conn).mogrify(sql, params)
    started = time.perf_counter()
    subprocess.run(
        ["psql", f"{PG}/{DATABASE}", "-qAtc",
         f"COPY ({literal}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)"],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return {"seconds": time.perf_counter() - started}


def export(env: dict, definition: dict, log: Path) -> dict:
    """One export through a fresh worker: wall time from the job's creation to done, the
    task's own time, rows, and the worker's peak RSS."""
    from django.db import transaction

    from backend.crm.models import ExportJob
    from backend.crm.services import export_create

    worker = start_worker(env, log)
    try:
        time.sleep(4)  # the worker connects and waits on the queue
        started = time.perf_counter()
        with transaction.atomic():
            job = export_create(
                user=None, export_format="mailchimp", channel="email", definition=definition
            )
        while True:
            job.refresh_from_db()
            if job.state in ("done", "failed"):
                break
            if worker.poll() is not None:
                raise RuntimeError(f"the worker died: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        wall = time.perf_counter() - started
        if job.state != "done":
            raise RuntimeError(f"export failed: {job.error}")
        rss = peak_rss_mb(worker.pid)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    job = ExportJob.objects.get(pk=job.pk)
    task = (job.finished_at - job.started_at).total_seconds()
    if job.file:
        job.file.delete(save=False)
    return {
        "rows": job.rows_written,
        "bytes": job.size,
        "wall_seconds": wall,
        "task_seconds": task,
        "rows_per_s": job.rows_written / wall,
        "peak_rss_mb": rss,
    }


def recompute() -> dict:
    from backend.crm.models import Tag, TagRule
    from backend.crm.services import rule_recompute

    rules = [
        TagRule.objects.create(
            name="expiring 60", trigger="contract_expiring", conditions={"within_days": 60},
            tag=Tag.objects.get(slug="expiring-60d"),
        ),
        TagRule.objects.create(
            name="high value", trigger="lifetime_value", conditions={"amounts": {"USD": 50000}},
            tag=Tag.objects.get(slug="high-value"),
        ),
    ]  # fmt: skip
    out = {}
    for rule in rules:
        for phase in ("cold", "warm"):
            started = time.perf_counter()
            added, removed = rule_recompute(rule=rule)
            out[f"{rule.trigger}_{phase}"] = {
                "seconds": time.perf_counter() - started,
                "added": added,
                "removed": removed,
            }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2_500_000)
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the last run's data")
    args = parser.parse_args()

    env = bench_env(DATABASE)
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    if args.reuse and seeded() >= args.customers:
        print(f"Reusing {DATABASE}", flush=True)
        manage(env, "migrate", "--noinput")
        reset()
    else:
        print(f"Seeding {DATABASE} ...", flush=True)
        recreate_database(DATABASE)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        started = time.perf_counter()
        seed(args.customers, args.contracts)
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    os.environ.update(env)
    import django

    django.setup()
    from backend.celery import app

    app.control.purge()
    logs = RESULTS / "crm-logs"
    logs.mkdir(parents=True, exist_ok=True)

    one, two = {"tags_any": ["wave-1"]}, {"tags_any": ["wave-1", "wave-2"]}
    rounds = []
    for n in range(args.rounds):
        raw = raw_copy(one)
        job = export(env, one, logs / f"worker-{n}.log")
        raw_rate = job["rows"] / raw["seconds"]
        rounds.append({"raw": {**raw, "rows_per_s": raw_rate}, "export": job,
                       "ratio": job["rows_per_s"] / raw_rate})  # fmt: skip
        print(
            f"round {n + 1}: raw COPY {raw_rate:,.0f} rows/s | export {job['rows_per_s']:,.0f} "
            f"rows/s ({job['rows']:,} rows, {job['bytes'] / 1e6:.0f} MB) ratio "
            f"{rounds[-1]['ratio']:.2f} | worker peak RSS {job['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    double = export(env, two, logs / "worker-2m.log")
    print(f"2M rows: {double['rows_per_s']:,.0f} rows/s, peak RSS {double['peak_rss_mb']:.0f} MB")
    tags = recompute()
    print(json.dumps(tags, indent=1), flush=True)

    ratio = statistics.median(r["ratio"] for r in rounds)
    rss_1m = max(r["export"]["peak_rss_mb"] for r in rounds)
    report = {
        "benchmark": "crm",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "setup": {**vars(args), "cpus": os.cpu_count(), "worker": "celery solo pool, Redis"},
        "median": {
            "raw_rows_per_s": statistics.median(r["raw"]["rows_per_s"] for r in rounds),
            "export_rows_per_s": statistics.median(r["export"]["rows_per_s"] for r in rounds),
            "ratio": ratio,
        },
        "peak_rss_mb": {"1M": rss_1m, "2M": double["peak_rss_mb"]},
        "export_2m": double,
        "recompute": tags,
        "rounds": rounds,
    }
    out = RESULTS / f"crm-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(
        f"\nexport/raw ratio {ratio:.2f} (target 0.5); peak RSS {rss_1m:.0f} MB at 1M, "
        f"{double['peak_rss_mb']:.0f} MB at 2M (target < 200). Saved {shown(out)}"
    )
    met = ratio >= 0.5 and max(rss_1m, double["peak_rss_mb"]) < 200
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
