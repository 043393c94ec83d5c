from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.common.actors import AuditEvent
from backend.contracts.choices import ContractState

S = ContractState


class Order(models.Model):
    """A merchant's order, as PUT by the merchant: keyed by its own order id."""

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="orders"
    )
    merchant_order_id = models.CharField(max_length=100)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders"
    )
    currency = models.CharField(max_length=3)
    jurisdiction = models.CharField(max_length=6)
    total = models.PositiveBigIntegerField(help_text="Sum of the plan prices, minor units.")
    # A hash of the lines as first PUT: a repeat with other lines is refused, not merged.
    content_sha256 = models.CharField(max_length=64)
    purchased_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "merchant_order_id"], name="order_unique_merchant_order_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.merchant_order_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    product = models.JSONField(help_text="The product as offered: sku, title, category, price.")
    quantity = models.PositiveSmallIntegerField()
    unit_price = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ("order_id", "position")
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="orderline_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.order} line {self.position}"


class Contract(ConcurrentTransitionMixin, models.Model):
    """One covered unit: the protection plan a shopper owns.

    ``state`` changes only through the transitions below, and only from the services in
    ``contracts/services.py``, which lock the row, apply the transition and write a
    ContractEvent. Terms are frozen in the snapshots at sale.
    """

    number = models.CharField(max_length=20, unique=True)
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="contracts")
    unit_index = models.PositiveSmallIntegerField()
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.PROTECT, related_name="contracts"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="contracts"
    )
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="contracts")
    product_snapshot = models.JSONField()
    plan_snapshot = models.JSONField(help_text="The plan's terms as sold.")
    price = models.PositiveBigIntegerField()
    # The obligor's part of the price as sold (plans.split), earned over the coverage
    # term; empty for a contract sold before splits, whose whole price is premium.
    net_premium = models.PositiveBigIntegerField(null=True, blank=True)
    # The tax included in the price (plans.taxes), owed to the shopper's jurisdiction.
    tax = models.PositiveBigIntegerField(default=0, db_default=0)
    currency = models.CharField(max_length=3)
    jurisdiction = models.CharField(max_length=6)
    purchased_at = models.DateTimeField()
    template_version = models.CharField(max_length=40, blank=True)

    state = FSMField(default=S.PENDING_PAYMENT, choices=S.choices, protected=True, db_index=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    coverage_start = models.DateField(null=True, blank=True)
    coverage_end = models.DateField(null=True, blank=True)
    waiting_period_ends = models.DateField(null=True, blank=True)
    limit_of_liability = models.PositiveBigIntegerField()
    limit_remaining = models.PositiveBigIntegerField()
    claims_paid = models.PositiveBigIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    flagged_for_desk = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "unit_index"], name="contract_unique_unit"
            ),
            models.CheckConstraint(
                condition=models.Q(net_premium__isnull=True)
                | models.Q(net_premium__lte=models.F("price")),
                name="contract_net_premium_within_price",
            ),
        ]
        indexes = [models.Index(fields=["state", "coverage_end"])]

    def __str__(self) -> str:
        return self.number

    @property
    def claims_from(self):
        """The first day a failure can be claimed: coverage has started and the waiting
        period (counted from purchase) is over. For a plan that starts when the
        manufacturer's warranty ends, that is the coverage start, not the purchase."""
        if self.coverage_start is None or self.waiting_period_ends is None:
            return None
        return max(self.coverage_start, self.waiting_period_ends)

    @property
    def taxes(self) -> list[dict]:
        """The taxes its price includes, as sold (plans.taxes): id, rate and amount."""
        return [
            {"id": t["id"], "rate_bp": t["rate_bp"], "amount": t["amount"]}
            for t in self.plan_snapshot.get("price_split", {}).get("taxes", ())
        ]

    # --- Transitions: they only set fields; services do the rest -------------------------

    @transition(field=state, source=[S.PENDING_PAYMENT, S.PAYMENT_FAILED], target=S.ACTIVE)
    def activate(self, *, activated_at, coverage_start, coverage_end, waiting_period_ends):
        self.activated_at = activated_at
        self.coverage_start = coverage_start
        self.coverage_end = coverage_end
        self.waiting_period_ends = waiting_period_ends

    @transition(field=state, source=S.PENDING_PAYMENT, target=S.PAYMENT_FAILED)
    def fail_payment(self):
        pass

    @transition(field=state, source=S.ACTIVE, target=S.EXPIRED)
    def expire(self, *, at):
        self.ended_at = at

    @transition(field=state, source=S.ACTIVE, target=S.CANCELLED)
    def cancel(self, *, at):
        self.ended_at = at

    @transition(field=state, source=S.ACTIVE, target=S.FULFILLED)
    def fulfil(self, *, at):
        self.ended_at = at

    @transition(
        field=state, source=[S.ACTIVE, S.PENDING_PAYMENT, S.PAYMENT_FAILED], target=S.VOIDED
    )
    def void(self, *, at, flag_reason: str):
        self.ended_at = at
        self.flagged_for_desk = True
        self.flag_reason = flag_reason[:200]

    @transition(field=state, source=S.ACTIVE, target=S.ACTIVE)
    def transfer(self, *, new_customer):
        self.customer = new_customer

    @transition(field=state, source=S.ACTIVE, target=S.ACTIVE)
    def exchange(self, *, product: dict):
        """The covered product exchanged for another by the store: the same coverage."""
        self.product_snapshot = product


class ContractEvent(AuditEvent):
    """The audit trail: every transition and every change of owner, with who, when, why."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta(AuditEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.contract_id} {self.name}: {self.from_state} -> {self.to_state}"
