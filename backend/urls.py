from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend.accounts.lockout import address_limited
from backend.common.api.jurisdictions import JurisdictionListView
from backend.common.csp import frames_own_pages
from backend.common.health import healthz
from backend.common.pages import static_page
from backend.connectors.shopify.api.urls import shopify_urlpatterns
from backend.console.views import widget_preview
from backend.crm.views import lead_offers, unsubscribe
from backend.demo.views import demo_store
from backend.documents.views import written_warranty
from backend.plans.views import plan_terms

api_v1 = [
    path("jurisdictions/", JurisdictionListView.as_view(), name="jurisdictions"),
    path("", include("backend.merchants.api.urls")),
    path("", include("backend.catalog.api.urls")),
    path("", include("backend.plans.api.urls")),
    path("", include("backend.checkout.api.urls")),
    path("", include("backend.contracts.api.urls")),
    path("", include("backend.payments.api.urls")),
    path("", include("backend.webhooks.api.urls")),
    path("", include("backend.widget.urls")),
    path("", include("backend.portal.urls")),
    path("", include("backend.claims.api.urls")),
    path("", include("backend.crm.api.urls")),
    path("", include("backend.settlement.api.urls")),
    path("", include("backend.obligors.api.urls")),
    path("", include("backend.ledger.api.urls")),
    path("", include("backend.connectors.shopify.api.urls")),
    path("", include("backend.console.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, for the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("plans/<slug:code>/terms/", plan_terms, name="plan-terms"),
    path("warranties/<slug:merchant>/<slug:code>/", written_warranty, name="written-warranty"),
    path("portal/", static_page, {"path": "portal/index.html"}, name="portal"),
    path("desk/", static_page, {"path": "desk/index.html"}, name="desk"),
    path("marketing/", static_page, {"path": "marketing/index.html"}, name="marketing"),
    path("books/", static_page, {"path": "books/index.html"}, name="books"),
    path(
        "merchant/",
        frames_own_pages(static_page),
        {"path": "merchant/index.html"},
        name="merchant-console",
    ),
    path("merchant/preview/", widget_preview, name="merchant-widget-preview"),
    path("demo/store/", demo_store, name="demo-store"),
    path("u/<str:token>/", unsubscribe, name="unsubscribe"),
    path("offers/<str:token>/", lead_offers, name="lead-offers"),
    path("connectors/shopify/", include(shopify_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's sign-in under the same per-address limit as the consoles' (axes locks the
    # account itself).
    path("admin/login/", address_limited(admin.site.login)),
    path("admin/", admin.site.urls),
]

handler404 = "backend.common.api.exceptions.not_found"
handler500 = "backend.common.api.exceptions.server_error"
