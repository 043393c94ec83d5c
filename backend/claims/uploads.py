"""Evidence uploads, accepted by what they are, not by what they are called.

A photo must decode as a JPEG, PNG or WebP image (Pillow); it is re-encoded from its pixels,
so EXIF (location, device, owner) and any trailing payload are gone, with its orientation
applied first, and a JPEG thumbnail of it is made for the desk's and the portal's lists. A
receipt may also be a PDF that MuPDF opens; it is rebuilt from its pages alone, without
metadata, JavaScript, actions, launch actions, forms, attachments or links. Anything else,
an executable renamed ``.jpg`` included, is ``unsupported_file_type``. Sizes and counts
are limited by settings.
"""

import hashlib
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.claims.choices import EvidenceKind
from backend.common.exceptions import ApplicationError

IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# A decompression bomb is refused, not decoded. Pillow itself only warns between this and
# twice this, and refuses beyond; _clean_image refuses anything over it, before decoding.
Image.MAX_IMAGE_PIXELS = 40_000_000
THUMBNAIL_PIXELS = 480  # the longer side of a thumbnail


class UnsupportedFileType(ApplicationError):
    default_code = "unsupported_file_type"


class FileTooLarge(ApplicationError):
    status_code = 413
    default_code = "file_too_large"


class TooManyFiles(ApplicationError):
    default_code = "too_many_files"


@dataclass(frozen=True)
class CleanFile:
    kind: str
    content: bytes
    content_type: str
    extension: str
    original_name: str
    thumbnail: bytes | None = None  # a JPEG, for images

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _safe_name(name: str) -> str:
    """The uploaded name, for display only (it never names the stored file)."""
    return re.sub(r"[^\w.\- ]+", "_", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:200]


def _thumbnail(image: Image.Image) -> bytes:
    """A JPEG of at most THUMBNAIL_PIXELS a side (transparency on white)."""
    small = image.copy()
    small.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS), Image.Resampling.LANCZOS)
    if small.mode in ("RGBA", "LA", "P"):
        small = small.convert("RGBA")
        flat = Image.new("RGB", small.size, "white")
        flat.paste(small, mask=small.getchannel("A"))
        small = flat
    out = io.BytesIO()
    small.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def thumbnail_of(raw: bytes) -> bytes:
    """The thumbnail of an image already stored (so already cleaned)."""
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            return _thumbnail(image)
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, ValueError):
        raise UnsupportedFileType(_("This file is not a JPEG, PNG or WebP image.")) from None


def _clean_image(raw: bytes) -> tuple[bytes, str, str, bytes]:
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            image_format = probe.format
            if image_format not in IMAGE_FORMATS:
                raise UnidentifiedImageError(image_format)
            width, height = probe.size  # from the header: nothing is decoded yet
            if width * height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{width}x{height}")
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            if image_format == "JPEG":
                upright.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
            else:
                upright.save(out, image_format)  # no exif=, no pnginfo=: metadata is dropped
            thumbnail = _thumbnail(upright)
    except Image.DecompressionBombError:
        raise UnsupportedFileType(_("This image is too large to process.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UnsupportedFileType(_("This file is not a JPEG, PNG or WebP image.")) from None
    content_type, extension = IMAGE_FORMATS[image_format]
    return out.getvalue(), content_type, extension, thumbnail


# What may make a PDF do something rather than show something: scripts, actions run on
# opening or on any event, launching programs, forms, attachments, rich media. A receipt
# keeps none of them (checked on the rewritten file, key by key).
_ACTIVE_PDF_KEYS = (
    "JS",
    "JavaScript",
    "OpenAction",
    "AA",
    "A",
    "Launch",
    "URI",
    "GoToR",
    "GoToE",
    "SubmitForm",
    "ImportData",
    "AcroForm",
    "XFA",
    "EmbeddedFile",
    "EmbeddedFiles",
    "FileAttachment",
    "RichMedia",
    "Annots",
)
_ACTIVE_PDF_NAME = re.compile(r"/(?:{})(?=[\s/\[\]<>(){{}}%]|$)".format("|".join(_ACTIVE_PDF_KEYS)))


def _clean_pdf(raw: bytes) -> tuple[bytes, str, str]:
    """A receipt PDF rebuilt from its pages alone. MuPDF copies each page's content and
    resources into a new document, and nothing else: not the catalogue (its OpenAction,
    document JavaScript, AcroForm, attachments, metadata), not the pages' annotations
    (links, form widgets, file attachments) or their additional actions. What is left is
    then searched for any active key, and a file that still has one is refused."""
    if not raw.startswith(b"%PDF-"):
        raise UnsupportedFileType(_("A receipt must be a photo or a PDF."))
    import pymupdf  # on first use: MuPDF adds 130 MB to a process (docs/PERFORMANCE.md)

    try:
        with pymupdf.open(stream=raw, filetype="pdf") as source:
            if source.page_count < 1 or source.needs_pass:
                raise ValueError("empty or encrypted")
            with pymupdf.open() as rebuilt:
                rebuilt.insert_pdf(source, links=False, annots=False, widgets=False)
                rebuilt.set_metadata({})
                rebuilt.del_xml_metadata()
                cleaned = rebuilt.tobytes(garbage=4, deflate=True, no_new_id=True)
        with pymupdf.open(stream=cleaned, filetype="pdf") as check:
            active = [
                xref
                for xref in range(1, check.xref_length())
                if _ACTIVE_PDF_NAME.search(check.xref_object(xref, compressed=True))
            ]
    except (RuntimeError, ValueError):
        raise UnsupportedFileType(_("This PDF cannot be read.")) from None
    if active:
        raise UnsupportedFileType(_("This PDF has active content (scripts, forms or files)."))
    return cleaned, "application/pdf", "pdf"


def clean_upload(upload, kind: str) -> CleanFile:
    """Check and clean one uploaded file (a Django ``UploadedFile``)."""
    limit = settings.CLAIMS_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise FileTooLarge(
            _("Each file may be at most %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            extra={"file": _safe_name(upload.name)},
        )
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise FileTooLarge(_("Each file may be at most %(mb)d MB.") % {"mb": limit // 1048576})
    if kind not in EvidenceKind.values:
        raise ApplicationError(_("Unknown kind of evidence."), code="validation_error")
    thumbnail = None
    if kind == EvidenceKind.RECEIPT and raw.startswith(b"%PDF-"):
        content, content_type, extension = _clean_pdf(raw)
    else:
        content, content_type, extension, thumbnail = _clean_image(raw)
    return CleanFile(
        kind=kind,
        content=content,
        content_type=content_type,
        extension=extension,
        original_name=_safe_name(upload.name),
        thumbnail=thumbnail,
    )


def clean_uploads(files: list[tuple[str, object]], *, already: int = 0) -> list[CleanFile]:
    """Check every file of a request before anything is written: one bad file refuses the
    request. ``files`` are (kind, upload); ``already`` counts the claim's earlier files."""
    per_request = settings.CLAIMS_MAX_FILES_PER_REQUEST
    per_claim = settings.CLAIMS_MAX_FILES_PER_CLAIM
    if len(files) > per_request or already + len(files) > per_claim:
        raise TooManyFiles(
            _("Send at most %(request)d files at a time and %(claim)d per claim.")
            % {"request": per_request, "claim": per_claim}
        )
    return [clean_upload(upload, kind) for kind, upload in files]
