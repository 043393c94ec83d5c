"""Webhook bodies shaped as Shopify's documented examples (Admin REST API 2025-07: the
``orders/paid``, ``refunds/create``, ``orders/cancelled``, ``products/create`` and the
privacy topics), trimmed of fields the connector does not read, with a Coverdesk plan's
line item as the theme block adds it."""

SHOP = "acme-electronics.myshopify.com"


def order(order_id=820982911946154508, *, offer_token, terms_sha256, units=1,
          province="CA", email="jon@example.com", cancelled_at=None):  # fmt: skip
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "browser_ip": "203.0.113.7",
        "cancelled_at": cancelled_at,
        "client_details": {
            "accept_language": "en-US",
            "browser_ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        },
        "contact_email": email,
        "created_at": "2026-12-01T16:15:47-05:00",
        "currency": "USD",
        "customer_locale": "en-US",
        "email": email,
        "financial_status": "paid",
        "name": "#9999",
        "order_number": 1234,
        "processed_at": "2026-12-01T16:15:47-05:00",
        "total_price": f"{799.00 * units + 99.99 * units:.2f}",
        "billing_address": {
            "first_name": "Jon", "last_name": "Doe", "address1": "123 Amoebobacterinus St",
            "address2": "", "city": "San Francisco", "province": "California",
            "country": "United States", "zip": "94103", "phone": "555-625-1199",
            "province_code": province, "country_code": "US",
        },
        "shipping_address": {
            "first_name": "Jon", "last_name": "Doe", "address1": "123 Amoebobacterinus St",
            "address2": "", "city": "San Francisco", "province": "California",
            "country": "United States", "zip": "94103", "phone": "555-625-1199",
            "province_code": province, "country_code": "US",
        },
        "customer": {
            "id": 115310627314723954, "email": email, "first_name": "Jon", "last_name": "Doe",
            "phone": None, "state": "enabled", "currency": "USD",
        },
        "line_items": [
            {
                "id": 866550311766439020, "admin_graphql_api_id":
                "gid://shopify/LineItem/866550311766439020", "product_id": 632910392,
                "variant_id": 808950810, "title": "Phone 9", "variant_title": "Black",
                "name": "Phone 9 - Black", "sku": "PHONE-9", "vendor": "Acme",
                "quantity": units, "price": "799.00", "properties": [],
                "requires_shipping": True, "taxable": True, "gift_card": False,
                "fulfillment_status": None,
            },
            {
                "id": 141249953214522974, "admin_graphql_api_id":
                "gid://shopify/LineItem/141249953214522974", "product_id": 788032119674292922,
                "variant_id": 642667041472713922, "title": "Accident Protection, 2 years",
                "variant_title": "$99.99", "name": "Accident Protection, 2 years - $99.99",
                "sku": "COVERDESK-PLAN", "vendor": "Coverdesk", "quantity": units,
                "price": "99.99", "requires_shipping": False, "taxable": False,
                "gift_card": False, "fulfillment_status": None,
                "properties": [
                    {"name": "_coverdesk_offer", "value": offer_token},
                    {"name": "_coverdesk_terms", "value": terms_sha256},
                    {"name": "_coverdesk_covers", "value": "808950810"},
                ],
            },
        ],
    }  # fmt: skip


def refund(order_id=820982911946154508, refund_id=509562969, *, line_item_id=866550311766439020,
           quantity=1, restock_type="return"):  # fmt: skip
    return {
        "id": refund_id,
        "order_id": order_id,
        "created_at": "2026-12-03T13:21:18-05:00",
        "note": "it broke during shipping",
        "restock": True,
        "user_id": 548380009,
        "processed_at": "2026-12-03T13:21:18-05:00",
        "admin_graphql_api_id": f"gid://shopify/Refund/{refund_id}",
        "refund_line_items": [
            {
                "id": 104689539,
                "line_item_id": line_item_id,
                "location_id": 40642626,
                "quantity": quantity,
                "restock_type": restock_type,
                "subtotal": 799.0,
                "total_tax": 0.0,
                "line_item": {"id": line_item_id, "quantity": quantity},
            }
        ],
        "transactions": [
            {"id": 179259969, "order_id": order_id, "kind": "refund", "gateway": "bogus",
             "status": "success", "amount": "799.00", "currency": "USD"}
        ],
        "order_adjustments": [],
    }  # fmt: skip


def product(product_id=632910392, *, product_type="Phones", sku="PHONE-10", price="899.00"):
    return {
        "id": product_id,
        "title": "Phone 10",
        "body_html": "<p>It's the best phone.</p>",
        "vendor": "Acme",
        "product_type": product_type,
        "created_at": "2026-12-01T16:15:47-05:00",
        "handle": "phone-10",
        "status": "active",
        "tags": "Emotive, Flash Memory",
        "admin_graphql_api_id": f"gid://shopify/Product/{product_id}",
        "variants": [
            {"id": 808950811, "product_id": product_id, "title": "Default Title",
             "price": price, "sku": sku, "position": 1, "inventory_policy": "continue",
             "compare_at_price": None, "taxable": True, "barcode": "1234_pink"},
            {"id": 808950812, "product_id": product_id, "title": "Gold",
             "price": "not a price", "sku": "PHONE-10-GOLD", "position": 2},
        ],
    }  # fmt: skip


def customers_redact(orders, email="jon@example.com"):
    return {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "customer": {"id": 191167, "email": email, "phone": "555-625-1199"},
        "orders_to_redact": orders,
    }


def customers_data_request(orders, email="jon@example.com"):
    return {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "orders_requested": orders,
        "customer": {"id": 191167, "email": email, "phone": "555-625-1199"},
        "data_request": {"id": 9999},
    }


def shop_redact():
    return {"shop_id": 954889, "shop_domain": SHOP}
