"""The quote: one pure function from product, plan, quantity, buyer, purpose and moment to an amount.

It reads only the objects it is handed (the guided-price version in force and the
buyer's free-use application, fetched by ``selectors.quote_for``) and writes
nothing, so checkout, matching, the API and the product page all get the same
answer for the same inputs.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.exceptions import DomainError
from catalog.choices import PriceRegime

from .models import UNIT_SUFFIX, BillingUnit, PlanKind
from .money import CURRENCY, ZERO, format_cny, money, percent_of

MAX_QUANTITY = 1_000_000_000
MAX_AMOUNT = Decimal("999999999999.99")


class QuoteUnavailable(DomainError):
    """No price can be computed for this plan (priced on request, or no guided price in force)."""

    status_code = 409


@dataclass(frozen=True)
class QuoteLine:
    """One line of the breakdown; discounts and exemptions are negative."""

    kind: str  # "tier" | "plan" | "sme_discount" | "free_use"
    label: str
    amount: Decimal
    quantity: int | None = None
    unit_price: Decimal | None = None
    from_quantity: int | None = None
    to_quantity: int | None = None


@dataclass(frozen=True)
class Quote:
    """An amount in yuan and the breakdown that explains it, naming the rule and version applied."""

    amount: Decimal
    regime: str
    rule: str
    product_code: str
    plan_id: int | None
    plan_name: str
    billing_unit: str
    quantity: int
    purpose: str
    moment: datetime
    lines: tuple[QuoteLine, ...] = field(default_factory=tuple)
    guided_entry_id: int | None = None
    guided_version: int | None = None
    capped: bool = False
    free_use_application_id: int | None = None
    currency: str = CURRENCY

    @property
    def subtotal(self) -> Decimal:
        return money(sum((line.amount for line in self.lines if line.kind in ("tier", "plan")), ZERO))

    def as_dict(self) -> dict:
        """JSON-ready: amounts as strings with two places."""
        data = asdict(self)
        data["amount"] = str(self.amount)
        data["subtotal"] = str(self.subtotal)
        data["moment"] = self.moment.isoformat()
        data["lines"] = [
            {
                **asdict(line),
                "amount": str(line.amount),
                "unit_price": None if line.unit_price is None else str(line.unit_price),
            }
            for line in self.lines
        ]
        return data


def _price(amount: Decimal, unit: str) -> str:
    return format_cny(amount) + str(UNIT_SUFFIX.get(unit, ""))


def _bands(cap: Decimal, tiers) -> list[tuple[int, Decimal]]:
    """``[(first unit, ceiling per unit)]``: the cap from unit 1, then each tier from its quantity on."""
    return [(1, cap), *[(tier.from_quantity, tier.unit_price) for tier in tiers]]


def guided_lines(*, plan_price: Decimal, version, quantity: int, unit: str) -> list[QuoteLine]:
    """Progressive tiers (阶梯): each band of units at the lower of the plan's price and the band's ceiling."""
    bands = _bands(money(version.cap), version.tier_list)
    lines = []
    for index, (start, ceiling) in enumerate(bands):
        if quantity < start:
            break
        end = bands[index + 1][0] - 1 if index + 1 < len(bands) else quantity
        end = min(end, quantity)
        units = end - start + 1
        if units <= 0:
            continue
        unit_price = min(plan_price, money(ceiling))
        lines.append(
            QuoteLine(
                kind="tier",
                label=_("Units %(from)s–%(to)s at %(price)s")
                % {"from": f"{start:,}", "to": f"{end:,}", "price": _price(unit_price, unit)},
                amount=money(unit_price * units),
                quantity=units,
                unit_price=unit_price,
                from_quantity=start,
                to_quantity=end,
            )
        )
    return lines


def quote(
    *,
    product,
    plan,
    quantity: int,
    buyer,
    purpose: str,
    moment: datetime,
    guided=None,
    free_use=None,
) -> Quote:
    """Price ``quantity`` units of ``plan`` for ``buyer`` and ``purpose`` at ``moment``.

    ``guided`` is the guided-price version in force for the plan's section, delivery
    mode and billing unit (needed for a public-data product); ``free_use`` the buyer's
    approved free-use application for this product and purpose, if any. Pure: no
    reads beyond the arguments' own fields, no writes.
    """
    if plan.product_id != product.pk:
        raise DomainError(_("This plan belongs to another product."), field="plan")
    if not plan.is_active:
        raise QuoteUnavailable(_("This plan is no longer offered."), field="plan")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(_("Enter a whole number of units from 1 to 1,000,000,000."), field="quantity")
    if plan.kind == PlanKind.QUOTATION or plan.unit_price is None:
        raise QuoteUnavailable(_("This plan is priced on request (议价): ask the merchant for a quotation."))
    unit = plan.billing_unit or BillingUnit.PER_PRODUCT
    plan_price = money(plan.unit_price)
    regime = product.price_regime
    lines: list[QuoteLine]
    entry_id = version_number = None
    capped = False
    if regime == PriceRegime.GUIDED:
        if guided is None or not guided.covers(moment):
            raise QuoteUnavailable(
                _(
                    "No guided price is in force for this plan; "
                    "it cannot be sold until the price authority publishes one."
                )
            )
        entry_id, version_number = guided.entry_id, guided.version
        capped = plan_price > money(guided.cap)
        lines = guided_lines(plan_price=plan_price, version=guided, quantity=quantity, unit=unit)
        rule = _("Guided-price catalogue entry #%(entry)s, version %(version)s") % {
            "entry": entry_id,
            "version": version_number,
        }
    else:
        label = _("%(quantity)s × %(price)s") % {"quantity": f"{quantity:,}", "price": _price(plan_price, unit)}
        if plan.kind == PlanKind.SUBSCRIPTION and plan.monthly_quota:
            label += " " + _("(%(quota)s calls a month)") % {"quota": f"{plan.monthly_quota:,}"}
        lines = [
            QuoteLine(
                kind="plan", label=label, amount=money(plan_price * quantity), quantity=quantity, unit_price=plan_price
            )
        ]
        rule = _("Market plan #%(plan)s “%(name)s”") % {"plan": plan.pk, "name": plan.name}
    subtotal = money(sum((line.amount for line in lines), ZERO))
    if regime == PriceRegime.GUIDED and buyer is not None and getattr(buyer, "is_sme", False):
        discount_percent = guided.sme_discount_percent or ZERO
        if discount_percent > 0:
            discount = percent_of(subtotal, discount_percent)
            lines.append(
                QuoteLine(
                    kind="sme_discount",
                    label=_("Small and micro enterprise discount %(percent)s%%")
                    % {"percent": format(discount_percent.normalize(), "f")},
                    amount=-discount,
                )
            )
    free_use_id = None
    if (
        regime == PriceRegime.GUIDED
        and free_use is not None
        and buyer is not None
        and free_use.grants(buyer_id=buyer.pk, product_id=product.pk, purpose=purpose, moment=moment)
    ):
        running = money(sum((line.amount for line in lines), ZERO))
        free_use_id = free_use.pk
        lines.append(
            QuoteLine(
                kind="free_use",
                label=_("Conditional free use (有条件无偿使用), application #%(id)s") % {"id": free_use.pk},
                amount=-running,
            )
        )
        regime = PriceRegime.FREE
    amount = money(sum((line.amount for line in lines), ZERO))
    if amount > MAX_AMOUNT:
        raise DomainError(_("The amount is too large for one order; quote a smaller quantity."), field="quantity")
    return Quote(
        amount=amount,
        regime=str(regime),
        rule=rule,
        product_code=product.code or "",
        plan_id=plan.pk,
        plan_name=plan.name,
        billing_unit=str(unit),
        quantity=quantity,
        purpose=purpose or "",
        moment=moment,
        lines=tuple(lines),
        guided_entry_id=entry_id,
        guided_version=version_number,
        capped=capped,
        free_use_application_id=free_use_id,
    )
