"""The long-running wkhtmltopdf: many documents per process, and a process that fails,
hangs or is forked never takes a document down with it."""

import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

import pymupdf
import pytest

from backend.legal import pdf, wkhtmltopdf
from backend.legal.pdf import PDF_OPTIONS, pdf_text
from backend.legal.text import squash
from backend.legal.wkhtmltopdf import Renderers, Wkhtmltopdf, WkhtmltopdfError

BINARY = shutil.which("wkhtmltopdf")
ENV = {**os.environ, "XDG_RUNTIME_DIR": tempfile.mkdtemp(prefix="coverdesk-xdg-")}
HTML = "<html><head><meta charset='utf-8'></head><body><p>Umowa {n}: zażółć 保修合同</p></body>"


@pytest.fixture
def renderer():
    process = Wkhtmltopdf(BINARY, ENV)
    yield process
    process.close()
    assert not process.workdir.exists()


def _render(renderer, n: int, page_size: str = "A4", **extra) -> bytes:
    return renderer.render(HTML.format(n=n), {**PDF_OPTIONS, "page-size": page_size, **extra})


def _page_width(pdf: bytes) -> float:
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return round(document[0].rect.width)


def test_one_process_renders_document_after_document_each_with_its_own_options(renderer):
    widths = []
    for n, size in enumerate(["A4", "Letter", "A4", "Letter"]):
        pdf = _render(renderer, n, size)
        assert squash(f"Umowa {n}: zażółć 保修合同") in squash(pdf_text(pdf))
        widths.append(_page_width(pdf))
        if n == 0:
            pid = renderer.process.pid
    assert widths == [595, 612, 595, 612]  # A4 and Letter, in points
    assert renderer.process.pid == pid and renderer.rendered == 4
    assert list(renderer.workdir.iterdir()) == []  # each document's files are gone


def test_a_process_that_died_is_replaced_for_the_next_document(renderer):
    _render(renderer, 1)
    first = renderer.process.pid
    renderer.process.kill()
    renderer.process.wait()
    assert (
        b"Umowa"
        in pymupdf.open(stream=_render(renderer, 2), filetype="pdf")[0].get_text("text").encode()
    )
    assert renderer.process.pid != first


def test_a_line_wkhtmltopdf_refuses_fails_that_document_only(renderer):
    with pytest.raises(WkhtmltopdfError, match="exited with 1"):
        _render(renderer, 1, **{"no-such-option": ""})
    assert renderer.process is None
    assert _render(renderer, 2).startswith(b"%PDF-")


def test_an_argument_that_would_not_survive_the_line_is_refused(renderer):
    with pytest.raises(WkhtmltopdfError, match="cannot pass"):
        _render(renderer, 1, title="Two words")


def test_a_hung_process_is_killed_at_the_timeout(tmp_path):
    silent = tmp_path / "silent-wkhtmltopdf"
    silent.write_text("#!/bin/sh\nexec sleep 60\n")
    silent.chmod(silent.stat().st_mode | stat.S_IEXEC)
    process = Wkhtmltopdf(str(silent), ENV)
    try:
        with pytest.raises(WkhtmltopdfError, match="longer than 1 s"):
            process.render(HTML, dict(PDF_OPTIONS), timeout=1)
        assert process.process is None  # killed, not left running
    finally:
        process.close()


def test_a_process_is_replaced_after_its_share_of_documents(renderer, monkeypatch):
    monkeypatch.setattr(wkhtmltopdf, "DOCUMENTS_PER_PROCESS", 2)
    _render(renderer, 1)
    first = renderer.process
    _render(renderer, 2)
    _render(renderer, 3)
    assert renderer.process.pid != first.pid and renderer.rendered == 1
    assert first.poll() == 0  # it was let finish, not killed


def test_unescaped_html_still_reads_no_local_file_not_even_beside_the_input(renderer):
    """Escaping keeps user text from becoming markup (test_issuance); this is the layer
    under it: markup that did get through cannot read a file, including another
    document waiting in the renderer's own directory."""
    neighbour = renderer.workdir / "neighbour.html"
    neighbour.write_text("<p>NEIGHBOURSECRET</p>")
    hostile = (
        "<html><body><p>visible</p>"
        '<iframe src="file:///etc/passwd"></iframe>'
        '<iframe src="neighbour.html"></iframe>'
        f'<iframe src="file://{neighbour}"></iframe>'
        '<object data="file:///etc/hostname"></object>'
        "</body></html>"
    )
    try:
        text = pdf_text(renderer.render(hostile, dict(PDF_OPTIONS)))
    finally:
        neighbour.unlink()
    assert "visible" in text
    assert "root:" not in text and "NEIGHBOURSECRET" not in text


def test_a_forked_child_starts_its_own_process_and_leaves_the_parents_alone():
    renderers = Renderers()
    try:
        renderers.render(BINARY, ENV, HTML.format(n=1), dict(PDF_OPTIONS))
        [parent] = renderers._all
        parent_pid = parent.process.pid
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # the child: render, report its wkhtmltopdf's pid, and leave
            try:
                renderers.render(BINARY, ENV, HTML.format(n=2), dict(PDF_OPTIONS))
                os.write(write, str(renderers._all[0].process.pid).encode())
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(child, 0)
        child_wkhtmltopdf = int(os.read(read, 32) or b"0")
        os.close(read)
        assert child_wkhtmltopdf not in (0, parent_pid)
        assert parent.process.poll() is None  # still running, still the parent's
        assert renderers.render(BINARY, ENV, HTML.format(n=3), dict(PDF_OPTIONS))
        assert parent.process.pid == parent_pid
    finally:
        renderers.close()


def test_html_to_pdf_keeps_its_process_between_documents():
    # Fresh processes: those the suite used already may be at their last document
    # (DOCUMENTS_PER_PROCESS) and rightly replaced between the two below.
    pdf._renderers.close()
    pdf.html_to_pdf(HTML.format(n=1))
    pids = {r.process.pid for r in pdf._renderers._all if r.process}
    pdf.html_to_pdf(HTML.format(n=2))
    assert {r.process.pid for r in pdf._renderers._all if r.process} == pids


def test_a_process_left_idle_is_stopped_and_started_again_when_needed(monkeypatch):
    monkeypatch.setattr(wkhtmltopdf, "IDLE_SECONDS", 0.4)
    renderers = Renderers()
    try:
        renderers.render(BINARY, ENV, HTML.format(n=1), dict(PDF_OPTIONS))
        [renderer] = renderers._all
        process = renderer.process
        deadline = time.monotonic() + 5
        while renderer.process is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert renderer.process is None and process.wait(timeout=5) == 0  # ended, not killed
        pdf = renderers.render(BINARY, ENV, HTML.format(n=2), dict(PDF_OPTIONS))
        assert squash("Umowa 2") in squash(pdf_text(pdf)) and renderers._all == [renderer]
    finally:
        renderers.close()


def test_threads_rendering_at_once_each_get_their_own_document():
    """A threads-pool worker renders on several threads: each document comes back to the
    thread that sent it (a mix-up would hand one holder another's contract)."""
    from concurrent.futures import ThreadPoolExecutor

    renderers = Renderers()

    def render(n: int) -> tuple[int, str]:
        pdf = renderers.render(BINARY, ENV, HTML.format(n=f"T{n:03d}"), dict(PDF_OPTIONS))
        return n, squash(pdf_text(pdf))

    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(render, range(24)))
        for n, text in results:
            others = {f"UmowaT{m:03d}" for m in range(24)} - {f"UmowaT{n:03d}"}
            assert f"UmowaT{n:03d}" in text and not any(o in text for o in others)
        assert 1 <= len(renderers._all) <= 4  # one process per thread at most, reused
    finally:
        renderers.close()


def test_the_directories_of_processes_that_are_gone_are_swept():
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    base = Path(tempfile.gettempdir())
    abandoned = base / f"{wkhtmltopdf.WORKDIR_PREFIX}{gone}-abc"
    alive = base / f"{wkhtmltopdf.WORKDIR_PREFIX}{os.getpid()}-def"
    abandoned.mkdir()
    alive.mkdir()
    try:
        process = Wkhtmltopdf(BINARY, ENV)
        assert not abandoned.exists() and alive.exists() and process.workdir.exists()
        assert process.workdir.name.startswith(f"{wkhtmltopdf.WORKDIR_PREFIX}{os.getpid()}-")
        process.close()
    finally:
        shutil.rmtree(alive, ignore_errors=True)
        shutil.rmtree(abandoned, ignore_errors=True)
