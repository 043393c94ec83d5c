"""HTML to PDF, and a PDF back to its text.

The renderer is hardened: no JavaScript, no local files, and every network fetch is sent
to a proxy that does not exist (nothing in a document may load from anywhere; its styles
are inline and it has no images).
"""

import atexit
import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings

from backend.legal.wkhtmltopdf import Renderers, WkhtmltopdfError

PDF_OPTIONS = {
    "encoding": "UTF-8",
    "disable-javascript": "",
    "disable-local-file-access": "",
    "disable-plugins": "",
    "no-images": "",
    "javascript-delay": "0",  # there is no JavaScript; the default waits 200 ms anyway
    "proxy": "http://127.0.0.1:9",  # the discard port: any fetch fails at once
    "load-error-handling": "ignore",
    "load-media-error-handling": "ignore",
    "margin-top": "16mm",
    "margin-bottom": "16mm",
    "margin-left": "16mm",
    "margin-right": "16mm",
}


class PdfRenderError(RuntimeError):
    pass


_renderers = Renderers()


atexit.register(_renderers.close)


def html_to_pdf(html: str, page_size: str = "A4") -> bytes:
    """The PDF of ``html``, from a wkhtmltopdf process that this process keeps running
    (see ``legal.wkhtmltopdf``: a worker pays wkhtmltopdf's start-up once, not per
    document)."""
    binary = settings.WKHTMLTOPDF_BINARY or shutil.which("wkhtmltopdf")
    if not binary:
        raise PdfRenderError("wkhtmltopdf is not installed")
    runtime = settings.VAR_DIR / "runtime"
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    try:
        return _renderers.render(
            binary,
            {**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
            html,
            {**PDF_OPTIONS, "page-size": page_size},
        )
    except (OSError, WkhtmltopdfError) as exc:
        raise PdfRenderError(f"wkhtmltopdf failed: {exc}") from exc


_pdf_threads: ThreadPoolExecutor | None = None


def html_to_pdf_in_background(html: str, page_size: str = "A4") -> Future:
    """``html_to_pdf`` on a thread of this process, so the caller can work meanwhile (the
    thread mostly waits for the wkhtmltopdf process, without the GIL). Created on first use,
    after a worker forks."""
    global _pdf_threads
    if _pdf_threads is None:
        _pdf_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wkhtmltopdf")
    return _pdf_threads.submit(html_to_pdf, html, page_size)


def warm_up() -> None:
    """Load what the first document would otherwise wait for: MuPDF (0.8 s to import, and
    130 MB, so only workers that issue documents load it). A prefork worker calls this
    before it forks, and its processes share it."""
    import pymupdf  # noqa: F401


def pdf_text(pdf: bytes) -> str:
    """The text a reader gets out of the PDF, read in-process by PyMuPDF (MuPDF): about
    3 to 5 ms of CPU a document, where pypdf took 170 ms and poppler's pdftotext 19 ms."""
    import pymupdf  # on first use (see warm_up): web processes never load it

    try:
        with pymupdf.open(stream=pdf, filetype="pdf") as document:
            return " ".join(page.get_text() for page in document)
    except (RuntimeError, ValueError) as exc:  # MuPDF's errors for a damaged file
        raise PdfRenderError(f"the PDF cannot be read: {exc}") from exc
