"""wkhtmltopdf kept running: one process renders document after document.

Four fifths of a ``wkhtmltopdf in.html out.pdf`` run is the process starting (Qt, WebKit,
the fonts): a contract costs 48 ms of CPU that way here, and 9 ms in a process that keeps
running (docs/PERFORMANCE.md). ``wkhtmltopdf --read-args-from-stdin`` reads one command
line per document from its standard input and converts each in the same process, so a
worker pays the start once. pdfkit still writes each document's command line
from the options; this module only keeps the process and talks to it.

The protocol, as wkhtmltopdf 0.12.6 speaks it: each line is one conversion with its own
options (so page sizes can differ from one document to the next); its progress goes to
standard error and ends with a line that is just ``Done``, whether or not the output could
be written, so the output file itself is checked too. A line it cannot parse (an unknown
option) makes it print its usage and exit. So the caller waits for ``Done``, or for the
process to end, or for a timeout, and in the last two cases starts a new process for the
next document.

Every document is a file in a directory only this process can read; the input file is the
one local file wkhtmltopdf may open (``--disable-local-file-access``), and each document's
files are deleted once its PDF is read back.
"""

import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
import weakref
from pathlib import Path

import pdfkit

# A process is replaced after this many documents, so nothing WebKit accumulates (its
# memory cache, fragmentation) can grow without bound.
DOCUMENTS_PER_PROCESS = 500
# A process that has had nothing to render for this long is stopped (see Renderers).
IDLE_SECONDS = 300.0


class WkhtmltopdfError(RuntimeError):
    pass


class Wkhtmltopdf:
    """One ``wkhtmltopdf --read-args-from-stdin`` process, started on first use and again
    whenever it ends or is due for replacement. Not thread-safe: see ``Renderers``."""

    def __init__(self, binary: str, environ: dict[str, str]) -> None:
        self.binary = binary
        self.environ = environ
        _sweep_abandoned_workdirs()
        # Mode 0700, named by the owning process so a later sweep knows when it is gone.
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
        self.process: subprocess.Popen | None = None
        self.rendered = 0
        self.last_used = time.monotonic()
        self.pid = os.getpid()

    def render(self, html: str, options: dict[str, str], timeout: float = 60.0) -> bytes:
        job = uuid.uuid4().hex
        source, target = self.workdir / f"{job}.html", self.workdir / f"{job}.pdf"
        source.write_text(html, encoding="utf-8")
        try:
            self._send(self._line(source, target, options))
            self._wait_done(timeout)
            pdf = target.read_bytes() if target.exists() else b""
        finally:
            source.unlink(missing_ok=True)
            target.unlink(missing_ok=True)
        self.rendered += 1
        if not pdf.startswith(b"%PDF-") or b"%%EOF" not in pdf[-1024:]:
            raise WkhtmltopdfError("wkhtmltopdf wrote no complete PDF")
        return pdf

    def stop(self) -> None:
        """End the process; the next document starts another."""
        self._end(gracefully=True)

    def close(self) -> None:
        """End the process and remove its directory."""
        self._end(gracefully=True)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _line(self, source: Path, target: Path, options: dict[str, str]) -> bytes:
        # pdfkit's command line for this file, less the program's name. Without "verbose"
        # pdfkit adds --quiet, which would silence the "Done" this module waits for.
        command = pdfkit.PDFKit(
            str(source),
            "file",
            options=options,
            configuration=pdfkit.configuration(wkhtmltopdf=self.binary),
            verbose=True,
        ).command(str(target))[1:]
        for argument in command:
            # wkhtmltopdf splits the line at whitespace and reads quotes and backslashes
            # itself; no argument of ours needs any of them, so none may have one.
            if not argument or any(c.isspace() or c in "\"'\\" for c in argument):
                raise WkhtmltopdfError(f"cannot pass {argument!r} to wkhtmltopdf on a line")
        return (" ".join(command) + "\n").encode()

    def _send(self, line: bytes) -> None:
        if self.process is not None and (
            self.process.poll() is not None or self.rendered >= DOCUMENTS_PER_PROCESS
        ):
            self._end(gracefully=True)
        if self.process is None:
            self.process = subprocess.Popen(  # noqa: S603 (the configured binary, no shell)
                [self.binary, "--read-args-from-stdin"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=self.environ,
                cwd=self.workdir,
            )
            self.rendered = 0
        try:
            self.process.stdin.write(line)
            self.process.stdin.flush()
        except OSError as exc:  # it died since the check above
            self._end(gracefully=False)
            raise WkhtmltopdfError(f"wkhtmltopdf is not running: {exc}") from exc

    def _wait_done(self, timeout: float) -> None:
        """Read the conversion's progress until its ``Done``. A process that ends first, or
        takes longer than ``timeout``, is gone afterwards and the document failed."""
        stderr = self.process.stderr.fileno()
        deadline = time.monotonic() + timeout
        output = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._end(gracefully=False)
                raise WkhtmltopdfError(f"wkhtmltopdf took longer than {timeout:.0f} s")
            ready, _, _ = select.select([stderr], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(stderr, 65536)
            if not chunk:
                code = self.process.wait()
                self.process = None
                tail = _messages(output)[-3:]
                raise WkhtmltopdfError(f"wkhtmltopdf exited with {code}: {' / '.join(tail)}")
            output += chunk
            # Progress bars are redrawn with carriage returns; "Done" is a line of its own,
            # padded with spaces (a warning that mentions a URL ending in /Done is not).
            if b"Done" in output and any(
                piece.strip() == b"Done" for piece in output.replace(b"\r", b"\n").split(b"\n")
            ):
                return

    def _end(self, *, gracefully: bool) -> None:
        """Stop the process: gracefully, it exits when its standard input closes; otherwise
        (hung, or half-way through a document) it is killed. A process started by the
        parent of a fork is the parent's to stop."""
        process, self.process = self.process, None
        if process is None or self.pid != os.getpid():
            return
        if gracefully:
            try:
                process.stdin.close()
                process.wait(timeout=5)
                return
            except (OSError, subprocess.TimeoutExpired):
                pass
        process.kill()
        process.wait()


WORKDIR_PREFIX = "coverdesk-pdf-"


def _sweep_abandoned_workdirs() -> None:
    """Remove the directories of processes that are gone. A prefork worker's child can end
    without running its exit handlers (os._exit), leaving its empty directory behind; one
    whose process still runs, or that another user owns, is left alone."""
    for directory in Path(tempfile.gettempdir()).glob(f"{WORKDIR_PREFIX}*-*"):
        pid = directory.name.removeprefix(WORKDIR_PREFIX).partition("-")[0]
        if not pid.isdigit() or directory.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(directory, ignore_errors=True)
        except PermissionError:
            pass  # a live process of another user


def _messages(output: bytes) -> list[str]:
    lines = output.decode(errors="replace").replace("\r", "\n").split("\n")
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("[")]


class Renderers:
    """The wkhtmltopdf processes of this Python process: one per document rendered at the
    same time (a threads-pool worker renders on several threads), reused most-recent first.
    A process forked from another (a prefork worker's child) starts its own. One left idle
    for ``IDLE_SECONDS`` is stopped, so a web process that made one PDF does not keep
    wkhtmltopdf's 70 MB for good; the next document starts it again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()
        # In a forked child the parent's processes are not ours, and the lock may have been
        # held by a parent's thread at the fork: start afresh.
        this = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (r := this()) and r._after_fork())

    def _after_fork(self) -> None:
        for renderer in self._all:  # the child's copies of the parent's pipes, not its processes
            if renderer.process is not None:
                renderer.process.stdin.close()
                renderer.process.stderr.close()
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._idle: list[Wkhtmltopdf] = []  # a stack: the most recently used on top
        self._all: list[Wkhtmltopdf] = []
        self._stopping = threading.Event()
        self._reaper: threading.Thread | None = None

    def render(self, binary: str, environ: dict[str, str], html: str, options: dict) -> bytes:
        renderer = self._acquire(binary, environ)
        try:
            return renderer.render(html, options)
        finally:
            with self._lock:
                renderer.last_used = time.monotonic()
                self._idle.append(renderer)

    def _acquire(self, binary: str, environ: dict[str, str]) -> Wkhtmltopdf:
        stale = []
        with self._lock:
            if self._reaper is None:
                self._reaper = threading.Thread(
                    target=self._reap, name="wkhtmltopdf-reaper", daemon=True
                )
                self._reaper.start()
            renderer = None
            while self._idle and renderer is None:
                candidate = self._idle.pop()
                if candidate.binary == binary:
                    renderer = candidate
                else:  # the configured binary changed (tests do this)
                    self._all.remove(candidate)
                    stale.append(candidate)
            if renderer is None:
                renderer = Wkhtmltopdf(binary, environ)
                self._all.append(renderer)
        for candidate in stale:
            candidate.close()
        return renderer

    def _reap(self) -> None:
        stopping = self._stopping
        while not stopping.wait(IDLE_SECONDS / 4):
            with self._lock:
                if self._stopping is not stopping:
                    return  # closed since
                now = time.monotonic()
                for renderer in self._idle:  # only idle ones: none is rendering
                    if renderer.process is not None and now - renderer.last_used > IDLE_SECONDS:
                        renderer.stop()

    def close(self) -> None:
        with self._lock:
            renderers = self._all
            self._stopping.set()
            self._reset()
        for renderer in renderers:
            renderer.close()
