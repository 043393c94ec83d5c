"""The static front-end pages (frontend_static/), served by Django with no build step."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET

PAGES_DIR = settings.BASE_DIR / "frontend_static"
_AUTHORED = '<html lang="en">'


@require_GET
def static_page(request, path: str):
    """A page as it is on disk, with its ``lang`` set to the language LocaleMiddleware chose
    for this request (the browser's Accept-Language, or the cookie /i18n/setlang/ sets).
    Each page's script carries its text in every language and picks one by ``lang``."""
    file = (PAGES_DIR / path).resolve()
    if PAGES_DIR.resolve() not in file.parents or not file.is_file():
        raise Http404("No such page")
    html = file.read_text(encoding="utf-8")
    if _AUTHORED not in html:
        raise ValueError(f"{path} does not start with {_AUTHORED}")
    language = translation.get_language() or settings.LANGUAGE_CODE
    response = HttpResponse(html.replace(_AUTHORED, f'<html lang="{language}">', 1))
    response["Cache-Control"] = "no-cache"
    return response
