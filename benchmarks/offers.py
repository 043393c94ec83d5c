"""Offers endpoint against a trivial authenticated endpoint, in the same run.

Seeds a fresh PostgreSQL database with 100,000 products and 500 plans, serves it with
gunicorn (2 workers, production settings), and drives both endpoints with wrk in
alternating rounds. Reports throughput, p50 and p99 for each, and the ratios.

    ./benchmarks/run offers            (see benchmarks/README.md)
"""

import argparse
import base64
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
# A smoke run (tests/test_benchmarks.py) writes its results and databases apart from real runs.
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "benchmarks" / "results"))
DATABASE_SUFFIX = os.environ.get("BENCH_DATABASE_SUFFIX", "")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")


def shown(path: Path) -> str:
    """A results path as printed: relative to the project when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def bench_env(database: str) -> dict[str, str]:
    """Production settings on the bench database, with placeholders for what must not be
    reached (Stripe at the discard port, e-mail dropped, documents in a temporary folder);
    a benchmark that needs one of them overrides it."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "COVERDESK_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": f"{PG}/{database}",
        "CACHE_URL": f"{REDIS}/3",
        "CELERY_BROKER_URL": f"{REDIS}/4",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "EMAIL_URL": "dummymail://",
        "DJANGO_MEDIA_ROOT": tempfile.mkdtemp(prefix="coverdesk-bench-media-"),
    }


def start_gunicorn(env: dict, port: int, workers: int = 2, config: str = "") -> subprocess.Popen:
    """The app under gunicorn's sync workers, production settings, and the project's
    ``gunicorn.conf.py`` unless ``config`` names another."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "backend.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *(["-c", config] if config else []),
        ],
        cwd=ROOT,
        env=env,
    )


def recreate_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_wrk(output: str) -> dict:
    def latency(pct: str) -> float:
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * _UNITS[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def run_wrk(script: str, url: str, seconds: int, connections: int, env: dict) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "benchmarks" / "wrk" / script),
            url,
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(out)


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not come up at {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--plans", type=int, default=500)
    parser.add_argument("--offered", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    database = "coverdesk_bench" + DATABASE_SUFFIX
    env = bench_env(database)
    print(f"Seeding {args.products:,} products and {args.plans} plans into {database} ...")
    recreate_database(database)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    seeded = json.loads(
        manage(
            env,
            "seed_scale",
            f"--products={args.products}",
            f"--plans={args.plans}",
            f"--offered={args.offered}",
        )
        .strip()
        .splitlines()[-1]
    )
    with psycopg.connect(f"{PG}/{database}") as conn:
        skus = [
            r[0]
            for r in conn.execute(
                "SELECT sku FROM catalog_product p "
                "JOIN merchants_merchant m ON m.id = p.merchant_id WHERE m.slug = 'scale-store'"
            )
        ]
    sku_file = Path(tempfile.mkstemp(prefix="coverdesk-skus-", suffix=".txt")[1])
    sku_file.write_text("\n".join(skus) + "\n")
    wrk_env = {**os.environ, "API_KEY": seeded["api_key"], "SKU_FILE": str(sku_file)}

    base = f"http://127.0.0.1:{args.port}"
    server = start_gunicorn(env, args.port)
    try:
        wait_until_up(f"{base}/healthz")
        # Warm both workers: catalogue snapshot, connections, code paths.
        for script in ("trivial.lua", "offers.lua"):
            run_wrk(script, base, 3, args.connections, wrk_env)
        probe = subprocess.run(
            [
                "curl",
                "-s",
                "-H",
                f"Authorization: Api-Key {seeded['api_key']}",
                "-H",
                "Content-Type: application/json",
                "-d",
                json.dumps({"sku": skus[0], "jurisdiction": "US-CA"}),
                f"{base}/api/v1/offers/",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        offers_per_response = len(json.loads(probe)["offers"])

        rounds = []
        for n in range(args.rounds):
            trivial = run_wrk("trivial.lua", base, args.seconds, args.connections, wrk_env)
            offers = run_wrk("offers.lua", base, args.seconds, args.connections, wrk_env)
            rounds.append({"trivial": trivial, "offers": offers})
            print(
                f"round {n + 1}: trivial {trivial['rps']:.0f} rps p50 {trivial['p50_ms']:.2f} "
                f"p99 {trivial['p99_ms']:.2f} ms | offers {offers['rps']:.0f} rps "
                f"p50 {offers['p50_ms']:.2f} p99 {offers['p99_ms']:.2f} ms"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        sku_file.unlink(missing_ok=True)

    bad = [
        r for r in rounds for k in ("trivial", "offers") if r[k]["non_2xx"] or r[k]["socket_errors"]
    ]
    med = {
        k: {m: statistics.median(r[k][m] for r in rounds) for m in ("rps", "p50_ms", "p99_ms")}
        for k in ("trivial", "offers")
    }
    ratios = {
        "throughput": statistics.median(r["offers"]["rps"] / r["trivial"]["rps"] for r in rounds),
        "p50": statistics.median(r["offers"]["p50_ms"] / r["trivial"]["p50_ms"] for r in rounds),
        "p99": statistics.median(r["offers"]["p99_ms"] / r["trivial"]["p99_ms"] for r in rounds),
    }
    report = {
        "benchmark": "offers",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "setup": {
            **vars(args),
            "offers_per_response": offers_per_response,
            "server": "gunicorn 2 sync workers, production settings, PostgreSQL, Redis cache",
            "cpus": os.cpu_count(),
        },
        "median": med,
        "ratios": ratios,
        "targets": {"throughput_at_least": 0.7, "p99_at_most": 2.0},
        "rounds": rounds,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"offers-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print()
    print("| endpoint | req/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    for k, label in (
        ("trivial", "GET /api/v1/merchant/ (trivial)"),
        ("offers", "POST /api/v1/offers/"),
    ):
        print(
            f"| {label} | {med[k]['rps']:.0f} | {med[k]['p50_ms']:.2f} | {med[k]['p99_ms']:.2f} |"
        )
    print(
        f"\nthroughput ratio {ratios['throughput']:.2f} (target >= 0.70), "
        f"p99 ratio {ratios['p99']:.2f} (target <= 2.00), p50 ratio {ratios['p50']:.2f}; "
        f"{offers_per_response} offers per response. Saved {shown(out)}"
    )
    if bad:
        print("ERROR: some requests failed (non-2xx or socket errors)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
