from django.urls import path

from backend.merchants.api import views

urlpatterns = [
    path("merchant/", views.MerchantMeView.as_view(), name="merchant-me"),
    path("merchant/session/", views.MerchantSessionView.as_view(), name="merchant-session"),
    path("merchant/invites/check/", views.InviteCheckView.as_view(), name="merchant-invite-check"),
    path(
        "merchant/invites/accept/", views.InviteAcceptView.as_view(), name="merchant-invite-accept"
    ),
    path("merchant/widget/", views.WidgetSettingsView.as_view(), name="merchant-widget"),
    path("merchant/returns/", views.ReturnSettingsView.as_view(), name="merchant-returns"),
    path("merchant/api-keys/", views.APIKeyListCreateView.as_view(), name="api-key-list"),
    path(
        "merchant/api-keys/<str:key_id>/revoke/",
        views.APIKeyRevokeView.as_view(),
        name="api-key-revoke",
    ),
]
