"""The static front-end pages (frontend_static/), served by Django with no build step."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

PAGES_DIR = settings.BASE_DIR / "frontend_static"


@require_GET
def static_page(request, path: str):
    file = (PAGES_DIR / path).resolve()
    if PAGES_DIR.resolve() not in file.parents or not file.is_file():
        raise Http404("No such page")
    response = FileResponse(file.open("rb"), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
