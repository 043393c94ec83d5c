from django.urls import path

from backend.obligors.api import views

urlpatterns = [
    path("obligor/session/", views.BooksSessionView.as_view(), name="obligor-session"),
    path("obligor/months/", views.MonthListView.as_view(), name="obligor-months"),
    path(
        "obligor/months/<str:month>/<slug:report>.<str:extension>",
        views.ReportView.as_view(),
        name="obligor-report",
    ),
    path("finance/providers/", views.ProviderListView.as_view(), name="finance-providers"),
    path("finance/months/<str:month>/close/", views.MonthCloseView.as_view(), name="month-close"),
    path("finance/months/<str:month>/tax/", views.TaxView.as_view(), name="finance-tax"),
    path(
        "finance/months/<str:month>/tax/remittances/",
        views.TaxRemitView.as_view(),
        name="finance-tax-remit",
    ),
    path(
        "finance/months/<str:month>/tax.<str:extension>",
        views.TaxReportView.as_view(),
        name="finance-tax-report",
    ),
]
