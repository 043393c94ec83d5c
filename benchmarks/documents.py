"""Document issuance: documents/s through the Celery pipeline against raw wkhtmltopdf on
the same HTML in the same run, and the time from activation to an issued document.

Seeds a fresh PostgreSQL database with the demo catalogue and sells contracts through the
real services. For each worker concurrency (1, then 2):

1. raw: the HTML of each contract's document written to files and turned into PDFs by the
   wkhtmltopdf command line, with the same options, that many at a time: the physical limit;
2. pipeline: one Celery worker (prefork by default, ``--pool threads`` to compare; that
   concurrency) on Redis issuing the same number of documents from ``documents.issue``
   tasks: data, template, PDF, text read back, compliance check, storage, database. Its CPU
   is reported split between the worker's own processes and the wkhtmltopdf they run;
3. latency: contracts activated at a steady rate through the real services; the time from
   each activation to its issued contract document (p50/p99).

    ./benchmarks/run documents [--documents 60 --rounds 5 --latency-seconds 30]

Raw and pipeline alternate, ``--rounds`` times for each worker count, and the ratio reported
is the median of the neighbouring pairs' ratios (the machine's speed drifts by a third
within minutes here).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from offers import PY, RESULTS, ROOT, bench_env, manage, recreate_database
from purchases import cpu_by_component

DATABASE = "coverdesk_bench_documents"


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def sell(count: int) -> list[int]:
    """``count`` pending contracts for one demo phone in California, sold by the services."""
    from backend.catalog.models import Product
    from backend.contracts.services import LineInput, OrderInput, TermsAcceptance, order_upsert
    from backend.merchants.models import Merchant
    from backend.plans.offers import ProductInput, offers_for_product
    from backend.plans.terms import terms_sha256

    merchant = Merchant.objects.get(slug="voltmart")
    product = Product.objects.filter(merchant=merchant, category_id="phones").first()
    item = ProductInput.from_product(product)
    ids = []
    for n in range(0, count, 10):
        units = min(10, count - n)
        [offer, *_] = offers_for_product(
            merchant_id=merchant.id, product=item, quantity=units, jurisdiction="US-CA"
        ).offers
        result = order_upsert(
            merchant=merchant,
            data=OrderInput(
                merchant_order_id=f"bench-docs-{time.time_ns()}-{n}",
                jurisdiction="US-CA",
                customer={"email": f"docs{n}@example.com", "first_name": "Bench"},
                lines=[
                    LineInput(
                        offer_token=offer.token,
                        terms_sha256=terms_sha256(offer.plan.code, "US-CA", "en"),
                        quantity=units,
                    )
                ],
                terms=TermsAcceptance(text="I agree.", text_version="bench"),
            ),
        )
        ids += [c.pk for c in result.contracts]
    return ids


def activate(contract_ids) -> None:
    from django.utils import timezone

    from backend.common.actors import Actor
    from backend.contracts.services import contract_activate

    for contract_id in contract_ids:
        contract_activate(contract_id=contract_id, actor=Actor.system("bench"), at=timezone.now())


def purge_queues() -> None:
    from backend.celery import app

    app.control.purge()


POOL = "prefork"


def start_worker(env: dict, concurrency: int, queues: str, log: Path):
    return subprocess.Popen(
        [
            PY,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "-P",
            POOL,
            "-c",
            str(concurrency),
            "-Q",
            queues,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def stop(process) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


def raw_rate(contract_ids, concurrency: int, workdir: Path) -> tuple[float, float]:
    """Documents/s from the wkhtmltopdf command line on the same HTML, same options, and the
    CPU milliseconds its processes spent per document."""
    from backend.contracts.models import Contract
    from backend.documents.rendering import PDF_OPTIONS
    from backend.documents.services import render_document_html

    files = []
    for contract in Contract.objects.select_related("customer", "merchant").filter(
        pk__in=contract_ids
    ):
        _data, _clauses, html = render_document_html(contract, "service_contract", "en", "v1")
        path = workdir / f"{contract.number}.html"
        path.write_text(html)
        files.append(path)
    options = []
    for key, value in {**PDF_OPTIONS, "page-size": "Letter"}.items():
        options += [f"--{key}"] + ([value] if value else [])

    def one(path):
        subprocess.run(
            ["wkhtmltopdf", *options, str(path), str(path.with_suffix(".pdf"))],
            check=True,
            env={**os.environ, "XDG_RUNTIME_DIR": str(workdir)},
        )

    before = os.times()
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, files))
    elapsed = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user + after.children_system) - (
        before.children_user + before.children_system
    )
    return len(files) / elapsed, cpu * 1000 / len(files)


def worker_own_cpu(pid: int) -> float:
    """CPU seconds the worker's own processes (Celery and Python, not the wkhtmltopdf
    processes they ran and reaped) have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, own = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        own[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, stack = [], [pid]
    while stack:
        current = stack.pop()
        tree.append(current)
        stack.extend(child for child, parent in parents.items() if parent == current)
    # A wkhtmltopdf still running is the PDF's, not the worker's.
    return sum(own[p] for p in tree if p in own and _name(p) != "wkhtmltopdf")


def _name(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def pipeline_rate(worker, contract_ids) -> tuple[float, dict]:
    """Documents/s through a running worker, from the first task sent to the last document
    issued (its issued_at), and the CPU each process spent per document."""
    from django.utils import timezone

    from backend.documents.models import Document
    from backend.documents.tasks import document_issue_task

    roots = {"worker and its wkhtmltopdf": worker.pid}
    cpu_before = cpu_by_component(roots)
    own_before = worker_own_cpu(worker.pid)
    started = timezone.now()
    for contract_id in contract_ids:
        document_issue_task.delay(contract_id, "service_contract", "en")
    issued = Document.objects.filter(contract_id__in=contract_ids, state="issued")
    while issued.count() < len(contract_ids):
        if (timezone.now() - started).total_seconds() > 600:
            raise RuntimeError("documents were not issued within 10 minutes")
        time.sleep(0.2)
    finished = max(issued.values_list("issued_at", flat=True))
    cpu_after = cpu_by_component(roots)
    own = worker_own_cpu(worker.pid) - own_before
    cpu = {
        name: round((cpu_after[name] - cpu_before[name]) * 1000 / len(contract_ids), 1)
        for name in cpu_after
        if name != "load generator"
    }
    # The worker tree split in two: its own processes, and the wkhtmltopdf they ran.
    own_ms = round(own * 1000 / len(contract_ids), 1)
    tree = cpu.pop("worker and its wkhtmltopdf")
    cpu = {"worker (Celery, Python)": own_ms, "its wkhtmltopdf": round(tree - own_ms, 1), **cpu}
    return len(contract_ids) / (finished - started).total_seconds(), cpu


def throughput(env, concurrency: int, documents: int, rounds: int, logs: Path) -> dict:
    """Raw and pipeline alternately, ``rounds`` times, each pipeline round right after its
    raw round: on a noisy machine a ratio is only fair between neighbours in time. Reports
    each round and the median ratio."""
    worker = start_worker(env, concurrency, "slow", logs / f"worker-pipeline-{concurrency}.log")
    results = []
    try:
        time.sleep(4)  # the worker is up and connected
        for _round in range(rounds):
            raw_ids, pipeline_ids = sell(documents), sell(documents)
            activate(raw_ids + pipeline_ids)
            purge_queues()  # their own after-activation work is not what is measured here
            with tempfile.TemporaryDirectory() as workdir:
                raw, raw_cpu = raw_rate(raw_ids, concurrency, Path(workdir))
            pipeline, cpu = pipeline_rate(worker, pipeline_ids)
            results.append(
                {
                    "raw_documents_per_s": round(raw, 2),
                    "pipeline_documents_per_s": round(pipeline, 2),
                    "ratio": round(pipeline / raw, 3),
                    "raw_cpu_ms_per_document": round(raw_cpu, 1),
                    "pipeline_cpu_ms_per_document": cpu,
                    # CPU is steadier than wall time here: the same work in less CPU is
                    # the pipeline's overhead shrinking, whatever the neighbours do.
                    "cpu_ratio": round(raw_cpu / sum(cpu.values()), 3),
                }
            )
    finally:
        stop(worker)
    ratios = sorted(r["ratio"] for r in results)
    cpu_ratios = sorted(r["cpu_ratio"] for r in results)
    pipelines = sorted(r["pipeline_documents_per_s"] for r in results)
    return {
        "rounds": results,
        "ratio_median": ratios[len(ratios) // 2],
        "ratio_range": [ratios[0], ratios[-1]],
        "cpu_ratio_median": cpu_ratios[len(cpu_ratios) // 2],
        "pipeline_documents_per_s_median": pipelines[len(pipelines) // 2],
    }


def latency(env, contract_ids, concurrency: int, rate: float, logs: Path) -> dict:
    from backend.contracts.models import Contract
    from backend.documents.models import Document

    worker = start_worker(
        env, concurrency, "critical,fast,slow", logs / f"worker-latency-{concurrency}.log"
    )
    try:
        time.sleep(4)
        started = time.perf_counter()
        for n, contract_id in enumerate(contract_ids):
            time.sleep(max(0.0, started + n / rate - time.perf_counter()))
            activate([contract_id])
        deadline = time.perf_counter() + 600
        while (
            Document.objects.filter(contract_id__in=contract_ids, state="issued").count()
            < len(contract_ids)
            and time.perf_counter() < deadline
        ):
            time.sleep(0.2)
    finally:
        stop(worker)
    activated = dict(Contract.objects.filter(pk__in=contract_ids).values_list("pk", "activated_at"))
    waits = [
        (issued - activated[contract_id]).total_seconds()
        for contract_id, issued in Document.objects.filter(
            contract_id__in=contract_ids, kind="service_contract", state="issued"
        ).values_list("contract_id", "issued_at")
    ]
    return {
        "rate_per_s": rate,
        "documents": len(waits),
        "p50_s": round(percentile(waits, 50), 3),
        "p99_s": round(percentile(waits, 99), 3),
        "max_s": round(max(waits), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=60, help="per throughput round")
    parser.add_argument("--rounds", type=int, default=5, help="raw/pipeline pairs per worker count")
    parser.add_argument("--latency-seconds", type=int, default=30)
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads"])
    args = parser.parse_args()
    global POOL
    POOL = args.pool

    env = bench_env(DATABASE)
    print(f"Seeding {DATABASE} ...")
    recreate_database(DATABASE)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    os.environ.update(env)
    import django

    django.setup()

    logs = RESULTS / "documents-logs"
    logs.mkdir(parents=True, exist_ok=True)
    report = {"benchmark": "documents", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    report["setup"] = {**vars(args), "cpus": os.cpu_count()}
    runs = {}
    for concurrency in (1, 2):
        run = throughput(env, concurrency, args.documents, args.rounds, logs)
        rate = round(0.6 * run["pipeline_documents_per_s_median"], 2)
        latency_ids = sell(max(2, int(rate * args.latency_seconds)))
        run["activation_to_issued"] = latency(env, latency_ids, concurrency, rate, logs)
        runs[str(concurrency)] = run
        print(json.dumps({concurrency: run}))
    report["workers"] = runs
    report["target_ratio"] = 0.85
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"documents-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"Saved {out.relative_to(ROOT)}")
    return 0 if all(r["ratio_median"] >= 0.85 for r in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
