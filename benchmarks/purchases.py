"""Purchases end to end: sustained rate, webhook-to-active latency, order-upsert throughput.

Seeds a fresh PostgreSQL database, starts localstripe (its webhooks pointed at us),
gunicorn with production settings, and one Celery worker on Redis. Then:

1. Purchases at a fixed rate (open loop) for the given duration. Each one is what a
   merchant integration does: offers for a SKU, PUT the order, the shopper pays at Stripe
   (update + confirm, as Stripe.js would), and Stripe's payment_intent.succeeded webhook
   activates the contracts. Reports achieved purchases/s and, from the stored Stripe
   events, the time from webhook receipt to the contracts being active (p50/p99).
2. Order-upsert throughput (new orders, each creating a PaymentIntent) against the
   trivial authenticated endpoint, in the same run, with the same client concurrency.

    ./benchmarks/run purchases [--rate 20 --seconds 60]
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import aiohttp
import psycopg
import requests

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
    wait_until_up,
)

WEBHOOK_SECRET = "whsec_coverdesk_bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Purchaser:
    """Shoppers and the merchant's server, as one asyncio client (cheap on a shared CPU).

    Each purchase is what a merchant integration and Stripe.js do: offers for a SKU, PUT
    the order, then the shopper's card on the PaymentIntent and its confirmation, straight
    against the Stripe API (localstripe) as Stripe.js would.
    """

    def __init__(self, base, api_key, skus, stripe_base):
        self.base, self.skus, self.stripe_base = base, skus, stripe_base
        self.api_key = api_key
        self.errors: list[str] = []
        self.steps: dict[str, list[float]] = {"offers": [], "order": [], "pay": []}

    async def _json(self, response) -> dict:
        if response.status >= 400:
            raise RuntimeError(f"{response.method} {response.url.path}: {response.status}")
        return await response.json()

    async def purchase(self, http, n: int) -> float:
        started = time.perf_counter()
        api = {"Authorization": f"Api-Key {self.api_key}"}
        sku = self.skus[n % len(self.skus)]
        async with http.post(
            f"{self.base}/api/v1/offers/", json={"sku": sku, "jurisdiction": "US-CA"}, headers=api
        ) as response:
            listed = (await self._json(response))["offers"]
        if not listed:
            raise RuntimeError(f"no offers for {sku}")
        offer = listed[0]
        offered = time.perf_counter()
        async with http.put(
            f"{self.base}/api/v1/orders/bench-{n}-{uuid.uuid4().hex[:8]}/",
            json={
                "customer": {"email": f"bench{n}@example.com", "first_name": "Bench"},
                "jurisdiction": "US-CA",
                "lines": [
                    {
                        "offer_token": offer["offer_token"],
                        "terms_sha256": offer["terms_sha256"],
                        "quantity": 1,
                    }
                ],
                "terms_acceptance": {"accepted": True, "text": "I agree.", "text_version": "bench"},
            },
            headers=api,
        ) as response:
            order = await self._json(response)
        ordered = time.perf_counter()
        intent = order["payment"]["client_secret"].split("_secret")[0]
        stripe_auth = {"Authorization": "Bearer sk_test_bench"}
        intent_url = f"{self.stripe_base}/v1/payment_intents/{intent}"
        async with http.post(
            intent_url, data={"payment_method": "pm_card_visa"}, headers=stripe_auth
        ) as response:
            await self._json(response)
        async with http.post(f"{intent_url}/confirm", headers=stripe_auth) as response:
            if (await self._json(response))["status"] != "succeeded":
                raise RuntimeError(f"intent {intent} did not succeed")
        paid = time.perf_counter()
        for step, took in (
            ("offers", offered - started),
            ("order", ordered - offered),
            ("pay", paid - ordered),
        ):
            self.steps[step].append(took)
        return paid - started

    async def _run(self, rate: float, seconds: int, workers: int) -> dict:
        total = int(rate * seconds)
        durations, lags = [], []
        self.steps = {step: [] for step in self.steps}  # not the warm-up's
        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(limit=workers)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
            start = time.perf_counter()

            async def one(n):
                await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
                lags.append(time.perf_counter() - (start + n / rate))
                try:
                    durations.append(await self.purchase(http, n))
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    self.errors.append(f"{type(exc).__name__}: {exc}"[:200])

            await asyncio.gather(*(one(n) for n in range(total)))
            elapsed = time.perf_counter() - start
        return {
            "attempted": total,
            "completed": len(durations),
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "elapsed_s": round(elapsed, 2),
            "achieved_per_s": round(len(durations) / elapsed, 2),
            "client_p50_s": round(percentile(durations, 50), 3),
            "client_p99_s": round(percentile(durations, 99), 3),
            "schedule_lag_p99_s": round(percentile(lags, 99), 3),
            "step_p50_p99_s": {
                step: [round(percentile(v, 50), 3), round(percentile(v, 99), 3)]
                for step, v in self.steps.items()
            },
        }

    def run(self, rate: float, seconds: int, workers: int) -> dict:
        return asyncio.run(self._run(rate, seconds, workers))

    def warm_up(self, purchases: int) -> None:
        """A few purchases first, so every server process has its caches filled."""

        async def warm():
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
                await asyncio.gather(
                    *(self.purchase(http, 10_000_000 + n) for n in range(purchases))
                )

        asyncio.run(warm())


def closed_loop(fn, seconds: float, workers: int) -> dict:
    """Run ``fn(i)`` from ``workers`` threads for ``seconds``; requests per second."""
    stop = time.perf_counter() + seconds
    counts, latencies, lock = [0], [], threading.Lock()

    def loop(worker):
        i = 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            fn(worker * 1_000_000 + i)
            with lock:
                counts[0] += 1
                latencies.append(time.perf_counter() - t0)
            i += 1

    threads = [threading.Thread(target=loop, args=(w,)) for w in range(workers)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {
        "rps": round(counts[0] / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
    }


def _proc_table() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds), read from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # Its own user and system time, and that of its children that have exited (a
        # PostgreSQL backend ends when its connection is recycled).
        cpu = sum(int(value) for value in fields[11:15]) / ticks
        table[int(entry.name)] = (int(fields[1]), name, cpu)
    return table


def cpu_by_component(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each process tree in ``roots``, by PostgreSQL and Redis,
    and by this load generator (Linux only)."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _name, _cpu) in table.items():
        children.setdefault(parent, []).append(pid)

    def tree(pid):
        total, stack = 0.0, [pid]
        while stack:
            current = stack.pop()
            if current in table:
                total += table[current][2]
            stack.extend(children.get(current, ()))
        return total

    usage = {name: tree(pid) for name, pid in roots.items()}
    for service in ("postgres", "redis-server"):
        usage[service] = sum(cpu for _p, name, cpu in table.values() if name == service)
    usage["load generator"] = sum(os.times()[:2])
    return usage


def webhook_latencies(database: str, since: float) -> list[float]:
    with psycopg.connect(f"{PG}/{database}") as conn:
        rows = conn.execute(
            "SELECT EXTRACT(EPOCH FROM processed_at - received_at) FROM payments_stripeevent "
            "WHERE type = 'payment_intent.succeeded' AND status = 'processed' "
            "AND received_at >= to_timestamp(%s)",
            [since],
        ).fetchall()
    return [float(r[0]) for r in rows]


def count_active(database: str) -> int:
    with psycopg.connect(f"{PG}/{database}") as conn:
        return conn.execute(
            "SELECT count(*) FROM contracts_contract WHERE state = 'active'"
        ).fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=24, help="client connections")
    parser.add_argument("--upsert-seconds", type=int, default=15)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--gunicorn-threads", type=int, default=1)
    parser.add_argument("--worker-pool", default="threads", choices=["prefork", "threads"])
    args = parser.parse_args()

    database = "coverdesk_bench_purchases" + DATABASE_SUFFIX
    port, stripe_port = free_port(), free_port()
    base, stripe_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{stripe_port}"
    env = {
        **bench_env(database),
        "STRIPE_API_BASE": stripe_base,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/5",
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
        skus = [
            r[0]
            for r in conn.execute(
                "SELECT p.sku FROM catalog_product p JOIN merchants_merchant m "
                "ON m.id = p.merchant_id WHERE m.slug = 'scale-store' AND p.category_id = 'phones' "
                "AND p.price BETWEEN 10000 AND 200000"
            )
        ]

    processes, roots = [], {}

    def start(name, cmd, log):
        processes.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log))
        roots[name] = processes[-1].pid

    logs = RESULTS / "purchases-logs"
    logs.mkdir(parents=True, exist_ok=True)
    start(
        "localstripe",
        [PY, "scripts/run_localstripe.py", "--port", str(stripe_port)],
        (logs / "localstripe.log").open("w"),
    )
    start(
        "gunicorn",
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "backend.wsgi",
            "-w",
            str(args.gunicorn_workers),
            "-k",
            "gthread",
            "--threads",
            str(args.gunicorn_threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        (logs / "gunicorn.log").open("w"),
    )
    start(
        "celery worker",
        [
            PY,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "-P",
            args.worker_pool,
            "-c",
            "2",
            "-Q",
            "critical,fast,documents,slow",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        (logs / "worker.log").open("w"),
    )
    try:
        wait_until_up(f"{base}/healthz")
        requests.post(
            f"{stripe_base}/_config/webhooks/bench",
            timeout=5,
            data={"url": f"{base}/api/v1/webhooks/stripe/", "secret": WEBHOOK_SECRET},
        ).raise_for_status()
        buyer = Purchaser(base, seeded["api_key"], skus, stripe_base)
        buyer.warm_up(10)
        time.sleep(3)
        since = time.time()
        active_before = count_active(database)
        print(f"Purchasing at {args.rate}/s for {args.seconds}s ...")
        cpu_before = cpu_by_component(roots)
        load = buyer.run(args.rate, args.seconds, args.workers)
        deadline = time.monotonic() + 60  # let the last webhooks arrive and be processed
        while (
            time.monotonic() < deadline
            and count_active(database) - active_before < load["completed"]
        ):
            time.sleep(1)
        cpu_after = cpu_by_component(roots)
        cpu_ms_per_purchase = {
            name: round((cpu_after[name] - cpu_before[name]) * 1000 / max(load["completed"], 1), 1)
            for name in cpu_after
        }
        activated = count_active(database) - active_before
        latencies = webhook_latencies(database, since)

        print("Order upserts against the trivial endpoint ...")
        session = requests.Session()
        session.headers.update({"Authorization": f"Api-Key {seeded['api_key']}"})
        offer = session.post(
            f"{base}/api/v1/offers/", json={"sku": skus[0], "jurisdiction": "US-CA"}, timeout=30
        ).json()["offers"][0]

        def upsert(i):
            session.put(
                f"{base}/api/v1/orders/upsert-{i}-{uuid.uuid4().hex[:6]}/",
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

        def trivial(_i):
            session.get(f"{base}/api/v1/merchant/", timeout=30).raise_for_status()

        rounds = []
        for _ in range(2):
            rounds.append(
                (
                    closed_loop(trivial, args.upsert_seconds, 8),
                    closed_loop(upsert, args.upsert_seconds, 8),
                )
            )
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    upsert_ratio = statistics.median(u["rps"] / t["rps"] for t, u in rounds)
    report = {
        "benchmark": "purchases",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "setup": {
            **vars(args),
            "server": f"gunicorn {args.gunicorn_workers} workers x "
            f"{args.gunicorn_threads} threads, 1 Celery worker ({args.worker_pool}, 2) "
            "on Redis, PostgreSQL, localstripe",
            "cpus": os.cpu_count(),
        },
        "load": load,
        "contracts_activated": activated,
        "cpu_ms_per_purchase": cpu_ms_per_purchase,
        "webhook_to_active_s": {
            "count": len(latencies),
            "p50": round(percentile(latencies, 50), 3),
            "p99": round(percentile(latencies, 99), 3),
            "max": round(max(latencies, default=float("nan")), 3),
        },
        "upsert_vs_trivial": {
            "rounds": [{"trivial": t, "upsert": u} for t, u in rounds],
            "throughput_ratio": round(upsert_ratio, 3),
        },
        "targets": {"rate_per_s": args.rate, "webhook_to_active_p99_s": 2.0},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"purchases-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(
        json.dumps(
            {
                k: report[k]
                for k in (
                    "load",
                    "contracts_activated",
                    "webhook_to_active_s",
                    "cpu_ms_per_purchase",
                )
            },
            indent=2,
        )
    )
    t, u = rounds[-1]
    print(
        f"order upsert {u['rps']} req/s (p50 {u['p50_ms']} ms) vs trivial {t['rps']} req/s: "
        f"ratio {upsert_ratio:.2f}. Saved {shown(out)}"
    )
    return 0 if load["errors"] == 0 and activated == load["completed"] else 1


if __name__ == "__main__":
    sys.exit(main())
