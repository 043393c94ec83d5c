"""What an activation's follow-ups cost: worker, PostgreSQL and Redis CPU per activation.

Follow-ups are everything a contract's activation sets off after it commits: its documents,
the e-mail with them attached, the CRM's tags, merchants' webhooks, and since issue 15 the
outbox that hands them out (``events``). Contracts are sold through the services on
PostgreSQL and activated in a burst; one Celery worker on every queue works until the
broker is empty. The baseline, in the same run, is the same number of contract documents
issued by their task alone (``documents.issue``): the part no restructuring removes.

    ./benchmarks/run followups [--activations 60 --rounds 3]

To compare two commits, run it in a worktree of the other one with this checkout's venv:
``git worktree add /tmp/before <commit> && ln -s $PWD/.venv /tmp/before/.venv && cd
/tmp/before && PYTHONPATH=$PWD .venv/bin/python benchmarks/followups.py``.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from documents import activate, purge_queues, seeded_demo, sell, start_worker, stop
from offers import DATABASE_SUFFIX, RESULTS, shown
from purchases import cpu_by_component

DATABASE = "coverdesk_bench_followups" + DATABASE_SUFFIX
QUEUES = ("critical", "fast", "documents", "slow")
COMPONENTS = ("worker", "postgres", "redis-server")


def wait_until_idle(broker, quiet_seconds: float = 3.0, limit: float = 600) -> float:
    """Seconds until the broker's queues have stayed empty for ``quiet_seconds``."""
    started = time.perf_counter()
    idle_since = None
    while time.perf_counter() - started < limit:
        if any(broker.llen(q) for q in QUEUES):
            idle_since = None
        elif idle_since is None:
            idle_since = time.perf_counter()
        elif time.perf_counter() - idle_since >= quiet_seconds:
            return idle_since - started
        time.sleep(0.1)
    raise TimeoutError("the worker did not finish")


def measure(worker_pid: int, broker, count: int, work) -> dict:
    before = cpu_by_component({"worker": worker_pid})
    started = time.perf_counter()
    work()
    in_process = time.perf_counter() - started
    seconds = wait_until_idle(broker)
    after = cpu_by_component({"worker": worker_pid})
    result = {c: round((after[c] - before[c]) * 1000 / count, 1) for c in COMPONENTS}
    result["publisher_ms"] = round(in_process * 1000 / count, 1)
    result["seconds"] = round(seconds, 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activations", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = seeded_demo(DATABASE)
    import redis

    from backend.celery import app

    broker = redis.Redis.from_url(env["CELERY_BROKER_URL"])
    purge_queues()
    logs = RESULTS / "followups-logs"
    logs.mkdir(parents=True, exist_ok=True)
    worker = start_worker(env, 1, ",".join(QUEUES), logs / "worker.log")
    rounds = []
    try:
        time.sleep(5)
        n = args.activations
        for _ in range(args.rounds):
            alone_ids, followed_ids = sell(n), sell(n)

            def documents_alone(ids=alone_ids):
                for pk in ids:
                    app.send_task("documents.issue", args=[pk, "service_contract", "en"])

            alone = measure(worker.pid, broker, n, documents_alone)
            followed = measure(worker.pid, broker, n, lambda ids=followed_ids: activate(ids))
            rounds.append(
                {
                    "documents_alone": alone,
                    "activation_with_follow_ups": followed,
                    "worker_ratio": round(followed["worker"] / alone["worker"], 3),
                }
            )
            print(json.dumps(rounds[-1]))
    finally:
        stop(worker)
    report = {
        "benchmark": "followups",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "setup": {**vars(args), "cpus": os.cpu_count()},
        "rounds": rounds,
        "median": {
            key: {
                c: statistics.median(r[key][c] for r in rounds)
                for c in (*COMPONENTS, "publisher_ms")
            }
            for key in ("documents_alone", "activation_with_follow_ups")
        },
        "worker_ratio_median": statistics.median(r["worker_ratio"] for r in rounds),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"followups-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report["median"]), "worker ratio", report["worker_ratio_median"])
    print(f"Saved {shown(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
