from django.urls import path, re_path

from backend.checkout.api.views import ORDER_ID
from backend.crm.api import analytics, leads, views

urlpatterns = [
    path("sms/inbound/", views.SmsInboundView.as_view(), name="sms-inbound"),
    re_path(
        rf"^leads/(?P<merchant_order_id>{ORDER_ID})/$",
        leads.LeadReportView.as_view(),
        name="lead-report",
    ),
    path("widget/leads/<str:token>/", leads.LeadOffersView.as_view(), name="widget-lead"),
    path("widget/events/", analytics.WidgetEventsView.as_view(), name="widget-events"),
    path("analytics/offers/", analytics.OfferAnalyticsView.as_view(), name="analytics-offers"),
    path("analytics/claims/", analytics.ClaimAnalyticsView.as_view(), name="analytics-claims"),
    path("analytics/loss-ratio/", analytics.LossRatioView.as_view(), name="analytics-loss-ratio"),
    path("analytics/sla/", analytics.SlaTrendView.as_view(), name="analytics-sla"),
    path("crm/session/", views.MarketingSessionView.as_view(), name="crm-session"),
    path("crm/tags/", views.TagListView.as_view(), name="crm-tags"),
    path("crm/rules/", views.TagRuleListView.as_view(), name="crm-rules"),
    path("crm/rules/<int:pk>/", views.TagRuleView.as_view(), name="crm-rule"),
    path("crm/customers/", views.CustomerListView.as_view(), name="crm-customers"),
    path(
        "crm/customers/<int:pk>/tags/", views.CustomerTagsView.as_view(), name="crm-customer-tags"
    ),
    path(
        "crm/customers/<int:pk>/tags/<slug:slug>/",
        views.CustomerTagView.as_view(),
        name="crm-customer-tag",
    ),
    path("crm/segments/", views.SegmentListView.as_view(), name="crm-segments"),
    path("crm/segments/preview/", views.SegmentPreviewView.as_view(), name="crm-segment-preview"),
    path("crm/segments/<int:pk>/", views.SegmentView.as_view(), name="crm-segment"),
    path("crm/exports/", views.ExportListView.as_view(), name="crm-exports"),
    path("crm/exports/<int:pk>/", views.ExportView.as_view(), name="crm-export"),
    path(
        "crm/exports/<int:pk>/download/",
        views.ExportDownloadView.as_view(),
        name="crm-export-download",
    ),
]
