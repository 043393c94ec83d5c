"""Every benchmark still runs on today's code: each one end to end at tiny sizes, in
seconds, on its own databases and results folder (targets are not judged at these sizes;
docs/PERFORMANCE.md has the real runs). A benchmark that breaks fails CI here, not the
next person who wants a number."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.postgres, pytest.mark.benchmark]

TINY = {
    "offers": [
        "--products",
        "500",
        "--plans",
        "20",
        "--offered",
        "10",
        "--rounds",
        "1",
        "--seconds",
        "2",
    ],
    "purchases": [
        "--rate",
        "5",
        "--seconds",
        "4",
        "--workers",
        "4",
        "--upsert-seconds",
        "2",
        "--gunicorn-workers",
        "2",
    ],
    "claims": [
        "--claims",
        "2000",
        "--depths",
        "10",
        "--rounds",
        "1",
        "--seconds",
        "2",
        "--agents",
        "2",
        "--take-seconds",
        "2",
    ],
    "documents": ["--documents", "4", "--rounds", "1", "--latency-seconds", "3"],
    "followups": ["--activations", "4", "--rounds", "1"],
    "activation": ["--purchases", "2", "--configurations", "embedded"],
    "crm": ["--customers", "2000", "--contracts", "1000", "--rounds", "1"],
    "month_close": ["--contracts", "3000", "--claims", "300", "--merchants", "3"],
    "shopify": ["--seconds", "2", "--rounds", "1", "--storm", "20", "--gunicorn-workers", "2"],
}


def test_every_benchmark_has_a_smoke_run():
    assert set(TINY) == {p.stem for p in (ROOT / "benchmarks").glob("*.py")}


@pytest.mark.parametrize("name", sorted(TINY))
def test_the_benchmark_runs_end_to_end(name, tmp_path):
    results = tmp_path / "results"
    env = {
        key: value
        for key, value in os.environ.items()
        # The benchmark sets up its own world: none of the tests' settings leak into it.
        if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "CACHE_", "PYTEST"))
    }
    env.update(BENCH_RESULTS=str(results), BENCH_DATABASE_SUFFIX="_smoke")
    run = subprocess.run(
        [str(ROOT / "benchmarks" / "run"), name, *TINY[name]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = run.stdout + run.stderr
    # 0: targets met, 1: missed (meaningless at these sizes); a crash also exits 1, so a
    # traceback and the results file tell the two apart.
    assert run.returncode in (0, 1) and "Traceback" not in output, output[-6000:]
    saved = list(results.glob(f"{name}-*.json"))
    assert len(saved) == 1, output[-3000:]
    assert saved[0].stat().st_size > 100
