from django.urls import path

from backend.portal import views

urlpatterns = [
    path("portal/login-link/", views.LoginLinkView.as_view(), name="portal-login-link"),
    path("portal/session/", views.SessionView.as_view(), name="portal-session"),
    path("portal/contracts/", views.PortalContractListView.as_view(), name="portal-contracts"),
    path(
        "portal/contracts/<str:number>/refund-quote/",
        views.PortalRefundQuoteView.as_view(),
        name="portal-refund-quote",
    ),
    path(
        "portal/contracts/<str:number>/cancel/",
        views.PortalCancelView.as_view(),
        name="portal-cancel",
    ),
    path(
        "portal/contracts/<str:number>/transfer/",
        views.PortalTransferView.as_view(),
        name="portal-transfer",
    ),
    path(
        "portal/contracts/<str:number>/documents/<str:kind>/<str:language>/",
        views.PortalDocumentView.as_view(),
        name="portal-document",
    ),
    path(
        "portal/contracts/<str:number>/paper-copy/",
        views.PortalPaperCopyView.as_view(),
        name="portal-paper-copy",
    ),
]
