"""System checks for document rendering: what wkhtmltopdf will draw with."""

import shutil
import subprocess

from django.conf import settings
from django.core.checks import Warning, register


@register()
def cjk_font_installed(app_configs=None, **kwargs):
    """fontconfig knows ``DOCUMENT_CJK_FONT``. Without it wkhtmltopdf falls back to any CJK
    font, whose text layer may read back wrong, and the checker then refuses every Chinese
    document."""
    family = settings.DOCUMENT_CJK_FONT
    fc_list = shutil.which("fc-list")
    if not family or not fc_list:
        return []
    try:
        found = subprocess.run(  # noqa: S603 (fc-list from PATH, no shell)
            [fc_list, f":family={family}", "family"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    if found.strip():
        return []
    return [
        Warning(
            f"The font family {family!r} (DOCUMENT_CJK_FONT) is not installed, so Chinese "
            "documents cannot be issued.",
            hint="Install Debian's fonts-wqy-zenhei, or name an installed font that draws "
            "each character with its own glyph.",
            id="documents.W001",
        )
    ]
