from django.urls import path

from backend.catalog.api import views

urlpatterns = [
    path("categories/", views.CategoryListView.as_view(), name="category-list"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path(
        "products/bulk-upsert/", views.ProductBulkUpsertView.as_view(), name="product-bulk-upsert"
    ),
    path("warranties/", views.WrittenWarrantyListView.as_view(), name="written-warranty-list"),
    path("products/<str:sku>/", views.ProductDetailView.as_view(), name="product-detail"),
]
