"""Shopify ingestion and a return storm, against the order PUT in the same run.

Seeds a fresh PostgreSQL database, starts localstripe (for the order PUT's PaymentIntent),
gunicorn with production settings, one Celery worker on Redis, and the Shopify stand-in
(scripts/shopify_standin.py); installs the shop through the real OAuth flow. Then:

1. In alternating rounds, each for the same seconds and client concurrency:
   - the order PUT of the purchases benchmark (a new order, one contract, its
     PaymentIntent at localstripe): requests per second;
   - Shopify ``orders/paid`` webhooks, signed as Shopify signs them, each a new order with
     a plan: webhooks per second from the first sent until the last one's contract is
     active (received, stored, processed by the worker).
   The ratio is the second over the first (target: at least 0.8).
2. A return storm: ``refunds/create`` for 1,000 of those orders sent at once; the time
   until every plan is cancelled and its refund settled, and a check that each was
   cancelled, refunded and posted exactly once.

    ./benchmarks/run shopify [--seconds 15 --rounds 2 --storm 1000]
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import shopify_standin
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
    wait_until_up,
)
from purchases import closed_loop, cpu_by_component, free_port

SHOP = "bench-store.myshopify.com"
CLIENT_ID, SECRET = "coverdesk-bench", "shopify-bench-secret"
WORKERS = 8


def order_body(order_id: int, offer: dict) -> dict:
    """An ``orders/paid`` body as Shopify sends it, with one phone and its plan."""
    address = {"first_name": "Jon", "last_name": "Doe", "address1": "1 Main St",
               "city": "San Francisco", "zip": "94103", "province_code": "CA",
               "country_code": "US"}  # fmt: skip
    return {
        "id": order_id,
        "email": f"shopper{order_id}@example.com",
        "created_at": "2026-12-01T16:15:47-05:00",
        "processed_at": "2026-12-01T16:15:47-05:00",
        "currency": "USD",
        "customer_locale": "en-US",
        "financial_status": "paid",
        "name": f"#{order_id}",
        "cancelled_at": None,
        "client_details": {"browser_ip": "203.0.113.7", "user_agent": "bench"},
        "customer": {
            "id": order_id,
            "email": f"shopper{order_id}@example.com",
            "first_name": "Jon",
            "last_name": "Doe",
        },
        "shipping_address": address,
        "billing_address": address,
        "line_items": [
            {
                "id": order_id * 10 + 1,
                "variant_id": 808950810,
                "title": "Phone",
                "quantity": 1,
                "price": "799.00",
                "sku": offer["sku"],
                "properties": [],
            },
            {
                "id": order_id * 10 + 2,
                "variant_id": 642667041,
                "title": "Protection",
                "quantity": 1,
                "price": "99.99",
                "sku": "COVERDESK-PLAN",
                "properties": [
                    {"name": "_coverdesk_offer", "value": offer["offer_token"]},
                    {"name": "_coverdesk_terms", "value": offer["terms_sha256"]},
                    {"name": "_coverdesk_covers", "value": "808950810"},
                ],
            },
        ],
    }


def refund_body(order_id: int) -> dict:
    return {
        "id": order_id + 7_000_000,
        "order_id": order_id,
        "created_at": "2026-12-03T13:21:18-05:00",
        "refund_line_items": [
            {
                "id": order_id,
                "line_item_id": order_id * 10 + 1,
                "quantity": 1,
                "restock_type": "return",
            }
        ],
    }


def send(session, base: str, topic: str, payload: dict) -> None:
    body = json.dumps(payload).encode()
    headers = shopify_standin.webhook_headers(SECRET, body, topic=topic, shop=SHOP)
    response = session.post(f"{base}/connectors/shopify/webhooks/", data=body, headers=headers,
                            timeout=30)  # fmt: skip
    response.raise_for_status()


def scalar(database: str, sql: str, params=()) -> object:
    with psycopg.connect(f"{PG}/{database}") as conn:
        return conn.execute(sql, params).fetchone()[0]


def wait_for(database: str, sql: str, target: int, timeout: float = 300) -> float:
    """Poll ``sql`` (a count) until it reaches ``target``; when it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if scalar(database, sql) >= target:
            return time.perf_counter()
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {target}: {sql}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--storm", type=int, default=1000)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    args = parser.parse_args()

    database = "coverdesk_bench_shopify" + DATABASE_SUFFIX
    port, stripe_port = free_port(), free_port()
    base, stripe_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{stripe_port}"
    standin, _shopify = shopify_standin.serve(client_id=CLIENT_ID, secret=SECRET)
    env = {
        **bench_env(database),
        "STRIPE_API_BASE": stripe_base,
        "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/5",
        "SHOPIFY_API_KEY": CLIENT_ID,
        "SHOPIFY_API_SECRET": SECRET,
        "SHOPIFY_ADMIN_URL": f"http://127.0.0.1:{standin.server_address[1]}/{{shop}}",
    }
    print(f"Seeding {database} ...")
    recreate_database(database)
    manage(env, "migrate", "--noinput")
    seeded = json.loads(
        manage(env, "seed_scale", "--products=2000", "--plans=100", "--offered=20")
        .strip()
        .splitlines()[-1]
    )
    with psycopg.connect(f"{PG}/{database}") as conn:
        sku = conn.execute(
            "SELECT p.sku FROM catalog_product p JOIN merchants_merchant m "
            "ON m.id = p.merchant_id WHERE m.slug = 'scale-store' AND p.category_id = 'phones' "
            "AND p.price BETWEEN 10000 AND 200000 ORDER BY p.sku LIMIT 1"
        ).fetchone()[0]

    processes, roots = [], {}
    logs = RESULTS / "shopify-logs"
    logs.mkdir(parents=True, exist_ok=True)

    def start(name, cmd):
        log = (logs / f"{name.replace(' ', '-')}.log").open("w")
        processes.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log))
        roots[name] = processes[-1].pid

    start("localstripe", [PY, "scripts/run_localstripe.py", "--port", str(stripe_port)])
    start("gunicorn", [str(ROOT / ".venv/bin/gunicorn"), "backend.wsgi", "-w",
                       str(args.gunicorn_workers), "-k", "gthread", "--threads", "1", "-b",
                       f"127.0.0.1:{port}", "--log-level", "warning"])  # fmt: skip
    start("celery worker", [PY, "-m", "celery", "-A", "backend", "worker", "-P", "threads",
                            "-c", "2", "-Q", "critical,fast,documents,slow", "--without-gossip",
                            "--without-mingle", "--loglevel", "WARNING"])  # fmt: skip
    try:
        wait_until_up(f"{base}/healthz")
        api = requests.Session()
        api.headers.update({"Authorization": f"Api-Key {seeded['api_key']}"})
        started = api.post(f"{base}/api/v1/connectors/shopify/installs/", json={"shop": SHOP},
                           timeout=30)  # fmt: skip
        started.raise_for_status()
        consent = requests.get(started.json()["install_url"], allow_redirects=False, timeout=10)
        callback = urlsplit(consent.headers["Location"])
        installed = requests.get(f"{base}{callback.path}?{callback.query}", timeout=30)
        installed.raise_for_status()
        offer = api.post(f"{base}/api/v1/offers/", json={"sku": sku, "jurisdiction": "US-CA"},
                         timeout=30).json()["offers"][0]  # fmt: skip
        offer["sku"] = sku
        next_order = iter(range(1_000_000, 10_000_000))
        lock = threading.Lock()

        def put(i):
            api.put(
                f"{base}/api/v1/orders/put-{i}-{uuid.uuid4().hex[:6]}/",
                json={
                    "customer": {"email": f"u{i}@example.com"},
                    "jurisdiction": "US-CA",
                    "lines": [
                        {"offer_token": offer["offer_token"], "terms_sha256": offer["terms_sha256"]}
                    ],
                    "terms_acceptance": {"accepted": True, "text": "ok", "text_version": "b"},
                },
                timeout=30,
            ).raise_for_status()

        shopify = requests.Session()

        def webhook(_i):
            with lock:
                order_id = next(next_order)
            send(shopify, base, "orders/paid", order_body(order_id, offer))

        processed_sql = (
            "SELECT count(*) FROM shopify_webhook WHERE topic = 'orders/paid' "
            "AND status = 'processed'"
        )
        for n in range(3):  # warm every process
            webhook(n)
        wait_for(database, processed_sql, 3)
        rounds = []
        for _ in range(args.rounds):
            baseline = closed_loop(put, args.seconds, WORKERS)
            before = scalar(database, processed_sql)
            cpu_before = cpu_by_component(roots)
            t0 = time.perf_counter()
            received = closed_loop(webhook, args.seconds, WORKERS)
            sent = scalar(
                database, "SELECT count(*) FROM shopify_webhook WHERE topic = 'orders/paid'"
            )
            done = wait_for(database, processed_sql, sent)
            cpu_after = cpu_by_component(roots)
            ingested = sent - before
            rounds.append(
                {
                    "order_put": baseline,
                    "shopify_received": received,
                    "shopify_ingested": ingested,
                    "shopify_ingest_per_s": round(ingested / (done - t0), 1),
                    "cpu_ms_per_order": {k: round((cpu_after[k] - cpu_before[k]) * 1000
                                                  / max(ingested, 1), 1) for k in cpu_after},
                }
            )  # fmt: skip
            print(json.dumps(rounds[-1]))
        ratio = statistics.median(r["shopify_ingest_per_s"] / r["order_put"]["rps"] for r in rounds)
        active = scalar(
            database,
            "SELECT count(*) FROM contracts_contract c JOIN contracts_order o ON "
            "o.id = (SELECT order_id FROM contracts_orderline l WHERE l.id = c.order_line_id) "
            "WHERE o.merchant_order_id LIKE 'shopify-%%' AND c.state = 'active'",
        )

        # The return storm: refunds of `storm` of those orders, all at once (topped up first
        # where the rounds made fewer).
        missing = args.storm - scalar(database, "SELECT count(*) FROM shopify_shoporder")
        if missing > 0:
            with ThreadPoolExecutor(WORKERS) as pool:
                list(pool.map(webhook, range(missing)))
            wait_for(database, "SELECT count(*) FROM shopify_shoporder", args.storm)
        with psycopg.connect(f"{PG}/{database}") as conn:
            orders = [
                int(r[0])
                for r in conn.execute(
                    "SELECT shopify_order_id FROM shopify_shoporder ORDER BY id LIMIT %s",
                    [args.storm],
                )
            ]
        if len(orders) < args.storm:
            raise RuntimeError(f"only {len(orders)} orders for a storm of {args.storm}")
        refunds_sql = "SELECT count(*) FROM payments_refund WHERE state = 'succeeded'"
        refunds_before = scalar(database, refunds_sql)
        print(f"Return storm: {args.storm} refunds at once ...")
        t0 = time.perf_counter()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda o: send(shopify, base, "refunds/create", refund_body(o)), orders))
        posted = time.perf_counter()
        drained = wait_for(database, refunds_sql, refunds_before + args.storm)
        wait_for(database, "SELECT count(*) FROM shopify_webhook WHERE topic = 'refunds/create' "
                 "AND status <> 'received'", args.storm)  # fmt: skip
        # The ledger posts each refund from its event, after it is settled: wait for it too.
        posted_sql = "SELECT count(*) FROM ledger_ledgertransaction WHERE kind = 'refund'"
        ledgered = wait_for(database, posted_sql, args.storm)
        with psycopg.connect(f"{PG}/{database}") as conn:
            check = conn.execute(
                "SELECT (SELECT count(*) FROM payments_refund), "
                "(SELECT count(DISTINCT contract_id) FROM payments_refund), "
                "(SELECT count(*) FROM contracts_contract WHERE state = 'cancelled'), "
                "(SELECT count(*) FROM ledger_ledgertransaction WHERE kind = 'cancellation'), "
                "(SELECT count(*) FROM ledger_ledgertransaction WHERE kind = 'refund'), "
                "(SELECT count(*) FROM shopify_webhook WHERE topic = 'refunds/create' "
                " AND status = 'processed')"
            ).fetchone()
        storm = {
            "returns": args.storm,
            "post_s": round(posted - t0, 2),
            "drain_s": round(drained - t0, 2),
            "drain_to_books_s": round(ledgered - t0, 2),
            "returns_per_s": round(args.storm / (drained - t0), 1),
            "refunds": check[0],
            "contracts_refunded": check[1],
            "contracts_cancelled": check[2],
            "cancellations_posted": check[3],
            "refunds_posted": check[4],
            "webhooks_processed": check[5],
        }
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        standin.shutdown()

    timings = ("post_s", "drain_s", "drain_to_books_s", "returns_per_s")
    once = all(storm[k] == args.storm for k in storm if k not in timings)
    report = {
        "benchmark": "shopify",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "setup": {
            **vars(args),
            "client_threads": WORKERS,
            "cpus": os.cpu_count(),
            "server": f"gunicorn {args.gunicorn_workers} workers, 1 Celery worker "
            "(threads, 2) on Redis, PostgreSQL, localstripe, the Shopify stand-in",
        },
        "rounds": rounds,
        "shopify_vs_order_put": round(ratio, 3),
        "shopify_contracts_active": active,
        "return_storm": {**storm, "each_once": once},
        "targets": {"shopify_vs_order_put": 0.8},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"shopify-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps({k: report[k] for k in ("shopify_vs_order_put", "return_storm")}, indent=2))
    print(f"Saved {shown(out)}")
    return 0 if once else 1


if __name__ == "__main__":
    sys.exit(main())
