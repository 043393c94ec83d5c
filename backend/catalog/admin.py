from django.contrib import admin

from backend.catalog.models import Category, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "is_appliance_or_home_electronics")
    search_fields = ("slug", "name")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "title", "merchant", "category", "price", "currency", "is_active")
    list_filter = ("is_active", "merchant", "category", "currency")
    search_fields = ("sku", "title", "brand")
    autocomplete_fields = ("merchant", "category")
    list_select_related = ("merchant", "category")
    readonly_fields = ("created_at", "updated_at")
