"""Document issuance: documents/s through the Celery pipeline against raw wkhtmltopdf on
the same HTML in the same run, and the time from activation to an issued document.

Seeds a fresh PostgreSQL database with the demo catalogue and sells contracts through the
real services. For each worker concurrency (1, then 2):

1. raw: the HTML of each contract's document written to files and turned into PDFs by the
   wkhtmltopdf command line, with the same options, that many at a time, two ways: a
   process per document (``wkhtmltopdf in.html out.pdf``: the baseline the issue names,
   and what the target is measured against) and one process per slot reading a command
   line per document (``--read-args-from-stdin``, as the pipeline runs it: the physical
   limit, reported beside it);
2. pipeline: one Celery worker (prefork by default, ``--pool threads`` to compare; that
   concurrency) on Redis issuing the same number of documents from ``documents.issue``
   tasks: data, template, PDF, text read back, compliance check, storage, database. Its CPU
   is reported split between the worker's own processes and the wkhtmltopdf they run;
3. latency: contracts activated through the real services, first all at once (what whole
   activations sustain: the delivery e-mail, webhooks and tags come with each), then at a
   steady 60% of that; the time from each activation to its issued contract document
   (p50/p99).

    ./benchmarks/run documents [--documents 60 --rounds 5 --latency-seconds 30]

Raw and pipeline alternate, ``--rounds`` times for each worker count, and the ratio reported
is the median of the neighbouring pairs' ratios (the machine's speed drifts by a third
within minutes here).
"""

import argparse
import contextlib
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
from offers import DATABASE_SUFFIX, PY, RESULTS, ROOT, bench_env, manage, recreate_database, shown
from purchases import cpu_by_component

DATABASE = "coverdesk_bench_documents" + DATABASE_SUFFIX


def seeded_demo(database: str = DATABASE) -> dict[str, str]:
    """A fresh bench database with the demo data, and Django set up on it in this process;
    the environment a worker is started with."""
    env = bench_env(database)
    print(f"Seeding {database} ...")
    recreate_database(database)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    os.environ.update(env)
    import django

    django.setup()
    return env


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def sell(count: int) -> list[int]:
    """``count`` pending contracts for one demo phone in California, sold by the services."""
    from backend.catalog.models import Product
    from backend.checkout.orders import LineInput, OrderInput, TermsAcceptance, order_upsert
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
        start_new_session=True,  # its own process group, for stop()
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def stop(process) -> None:
    """Stop a worker and every process it started (its pool, their wkhtmltopdf): a child
    left behind would hold this benchmark's output open after it ends."""
    process.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=60)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def raw_rates(contract_ids, concurrency: int, workdir: Path) -> dict:
    """The same HTML, same options, through the wkhtmltopdf command line, ``concurrency``
    at a time, run two ways: a process per document (``wkhtmltopdf in.html out.pdf``, the
    baseline the issue names) and one process per slot reading a command line per document
    from its standard input (``--read-args-from-stdin``, what the pipeline does; the
    physical limit). Documents/s and CPU milliseconds per document for each."""
    from backend.contracts.models import Contract
    from backend.documents.services import render_document_html
    from backend.legal.pdf import PDF_OPTIONS

    files = []
    for contract in Contract.objects.select_related("customer", "merchant").filter(
        pk__in=contract_ids
    ):
        _data, _clauses, html = render_document_html(contract, "service_contract", "en", "v1")
        path = workdir / f"{contract.number}.html"
        path.write_text(html)
        files.append(path)
    options = []
    for key, value in {**PDF_OPTIONS, "quiet": "", "page-size": "Letter"}.items():
        options += [f"--{key}"] + ([value] if value else [])
    env = {**os.environ, "XDG_RUNTIME_DIR": str(workdir)}

    def per_document(path):
        subprocess.run(
            ["wkhtmltopdf", *options, str(path), str(path.with_suffix(".pdf"))],
            check=True,
            env=env,
        )

    def one_process(paths):
        lines = "".join(f"{' '.join(options)} {p} {p.with_suffix('.b.pdf')}\n" for p in paths)
        subprocess.run(
            ["wkhtmltopdf", "--read-args-from-stdin"], input=lines.encode(), check=True, env=env
        )

    def timed(run, items):
        before = os.times()
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(run, items))
        elapsed = time.perf_counter() - started
        after = os.times()
        cpu = (after.children_user + after.children_system) - (
            before.children_user + before.children_system
        )
        return len(files) / elapsed, cpu * 1000 / len(files)

    rate, cpu = timed(per_document, files)
    batch_rate, batch_cpu = timed(one_process, [files[i::concurrency] for i in range(concurrency)])
    missing = [p for p in files if not p.with_suffix(".b.pdf").exists()]
    if missing:
        raise RuntimeError(f"wkhtmltopdf --read-args-from-stdin wrote no {missing[0].name}")
    return {"per_document": (rate, cpu), "one_process": (batch_rate, batch_cpu)}


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
    worker = start_worker(
        env, concurrency, "documents", logs / f"worker-pipeline-{concurrency}.log"
    )
    results = []
    try:
        time.sleep(4)  # the worker is up and connected
        for _round in range(rounds):
            raw_ids, pipeline_ids = sell(documents), sell(documents)
            activate(raw_ids + pipeline_ids)
            purge_queues()  # their own after-activation work is not what is measured here
            with tempfile.TemporaryDirectory() as workdir:
                raws = raw_rates(raw_ids, concurrency, Path(workdir))
            pipeline, cpu = pipeline_rate(worker, pipeline_ids)
            (raw, raw_cpu), (batch, batch_cpu) = raws["per_document"], raws["one_process"]
            results.append(
                {
                    "raw_documents_per_s": round(raw, 2),
                    "raw_one_process_documents_per_s": round(batch, 2),
                    "pipeline_documents_per_s": round(pipeline, 2),
                    "ratio": round(pipeline / raw, 3),
                    "ratio_to_one_process": round(pipeline / batch, 3),
                    "raw_cpu_ms_per_document": round(raw_cpu, 1),
                    "raw_one_process_cpu_ms_per_document": round(batch_cpu, 1),
                    "pipeline_cpu_ms_per_document": cpu,
                    # CPU is steadier than wall time here: the same work in less CPU is
                    # the pipeline's overhead shrinking, whatever the neighbours do.
                    "cpu_ratio": round(raw_cpu / sum(cpu.values()), 3),
                    "cpu_ratio_to_one_process": round(batch_cpu / sum(cpu.values()), 3),
                }
            )
    finally:
        stop(worker)

    def median(key):
        values = sorted(r[key] for r in results)
        return values[len(values) // 2]

    ratios = [r["ratio"] for r in results]
    return {
        "rounds": results,
        "ratio_median": median("ratio"),
        "ratio_range": [min(ratios), max(ratios)],
        "ratio_to_one_process_median": median("ratio_to_one_process"),
        "cpu_ratio_median": median("cpu_ratio"),
        "cpu_ratio_to_one_process_median": median("cpu_ratio_to_one_process"),
        "raw_documents_per_s_median": median("raw_documents_per_s"),
        "raw_one_process_documents_per_s_median": median("raw_one_process_documents_per_s"),
        "pipeline_documents_per_s_median": median("pipeline_documents_per_s"),
    }


def latency(env, contract_ids, concurrency: int, rate: float | None, logs: Path) -> dict:
    """Contracts activated through the services at ``rate`` a second (None: all at once),
    and the time from each activation to its issued contract document."""
    from backend.contracts.models import Contract
    from backend.documents.models import Document

    worker = start_worker(
        env, concurrency, "critical,fast,documents,slow", logs / f"worker-latency-{concurrency}.log"
    )
    try:
        time.sleep(4)
        started = time.perf_counter()
        for n, contract_id in enumerate(contract_ids):
            if rate:
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
    last = Document.objects.filter(contract_id__in=contract_ids, state="issued").latest("issued_at")
    return {
        "rate_per_s": rate,
        "documents": len(waits),
        "seconds": (last.issued_at - min(activated.values())).total_seconds(),
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

    env = seeded_demo()
    logs = RESULTS / "documents-logs"
    logs.mkdir(parents=True, exist_ok=True)
    report = {"benchmark": "documents", "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    report["setup"] = {**vars(args), "cpus": os.cpu_count()}
    runs = {}
    for concurrency in (1, 2):
        run = throughput(env, concurrency, args.documents, args.rounds, logs)
        # An activation is more work than its document (the delivery e-mail, webhooks,
        # CRM tags, the activation itself in this process): measure what whole activations
        # sustain, all at once, then time a steady 60% of that.
        burst = latency(env, sell(args.documents), concurrency, None, logs)
        capacity = burst["documents"] / burst["seconds"]
        rate = round(0.6 * capacity, 2)
        latency_ids = sell(max(2, int(rate * args.latency_seconds)))
        run["activations_per_s_sustained"] = round(capacity, 2)
        run["activation_to_issued"] = latency(env, latency_ids, concurrency, rate, logs)
        runs[str(concurrency)] = run
        print(json.dumps({concurrency: run}))
    report["workers"] = runs
    report["target_ratio"] = 0.85
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"documents-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"Saved {shown(out)}")
    return 0 if all(r["ratio_median"] >= 0.85 for r in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
