"""Store connectors: a merchant's store plugged into Coverdesk without code.

Each store platform is an app of its own (``connectors.shopify``), above checkout: it turns
the store's events into the same services the merchant API calls (an order placed, a
return reported, the catalogue upserted), so WooCommerce or Magento can follow its shape.
"""
