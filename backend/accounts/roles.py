"""What each role may do, as Django permissions on its group.

Object scoping (a merchant sees only its own objects) is enforced separately, in the
selectors; these permissions say which kinds of object a role may touch at all.
"""

from backend.accounts.choices import Role

_VIEW_CATALOGUE = [
    "catalog.view_category",
    "catalog.view_product",
    "plans.view_provider",
    "plans.view_administrator",
    "plans.view_plan",
    "plans.view_planprice",
    "plans.view_merchantplan",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SHOPPER: [],
    Role.MERCHANT_ADMIN: [
        *_VIEW_CATALOGUE,
        "catalog.add_product",
        "catalog.change_product",
        "merchants.view_merchant",
        "merchants.view_merchantapikey",
        "merchants.add_merchantapikey",
        "merchants.change_merchantapikey",
    ],
    Role.DESK_AGENT: [*_VIEW_CATALOGUE, "merchants.view_merchant"],
    Role.DESK_SUPERVISOR: [*_VIEW_CATALOGUE, "merchants.view_merchant"],
    Role.MARKETING: [*_VIEW_CATALOGUE, "merchants.view_merchant"],
    # Finance reads the books (and acts on them through the finance API); an obligor reads
    # its own provider's reports through the API only.
    Role.FINANCE: [
        "merchants.view_merchant",
        "plans.view_provider",
        "ledger.view_ledgertransaction",
        "ledger.view_account",
    ],
    Role.OBLIGOR: [],
    # Platform admins manage everything in the back office.
    Role.PLATFORM_ADMIN: ["*"],
}
