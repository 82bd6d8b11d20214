"""Properties of the pure quote function (hypothesis). No database: pytest-django would refuse any query."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Organization
from catalog.models import Product
from pricing.models import FreeUseApplication, GuidedPriceVersion, Plan
from pricing.money import money, to_minor_units
from pricing.quotes import QuoteUnavailable, quote

MOMENT = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


def cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def product(source="public") -> Product:
    return Product(pk=11, code="DEMO-2026-L-000011-X", name="企业核验", section="L", data_source_type=source)


def plan(price, kind="per_call", pk=5, product_id=11) -> Plan:
    return Plan(pk=pk, product_id=product_id, name="按次调用", kind=kind, delivery_mode="api", unit_price=price)


def version(cap, tiers=(), sme="0", **extra) -> GuidedPriceVersion:
    fields = {
        "entry_id": 7,
        "version": 3,
        "cap": cap,
        "tiers": [{"from_quantity": f, "unit_price": str(p)} for f, p in tiers],
        "sme_discount_percent": Decimal(sme),
        "effective_from": date(2026, 1, 1),
    }
    fields.update(extra)
    return GuidedPriceVersion(**fields)


def buyer(sme=False) -> Organization:
    return Organization(pk=3, name="某银行", is_sme=sme)


@st.composite
def guided_terms(draw):
    """A cap and falling tiers below it."""
    cap_cents = draw(st.integers(min_value=1, max_value=1_000_000))
    count = min(draw(st.integers(min_value=0, max_value=4)), cap_cents)
    starts = sorted(draw(st.lists(st.integers(2, 50_000), min_size=count, max_size=count, unique=True)))
    prices = sorted(
        draw(st.lists(st.integers(0, cap_cents - 1), min_size=count, max_size=count, unique=True)), reverse=True
    )
    sme = draw(st.integers(0, 10_000))
    return cents(cap_cents), list(zip(starts, [cents(p) for p in prices])), cents(sme)


quantities = st.integers(min_value=1, max_value=200_000)
plan_prices = st.integers(min_value=1, max_value=2_000_000).map(cents)


@settings(max_examples=200, deadline=None)
@given(terms=guided_terms(), price=plan_prices, quantity=quantities, sme=st.booleans())
def test_guided_quote_never_exceeds_cap_times_quantity(terms, price, quantity, sme):
    """Whatever the plan's price (even above a lowered cap), the guided quote stays within cap × quantity."""
    cap, tiers, discount = terms
    in_force = version(cap, tiers, sme=discount)

    result = quote(
        product=product(),
        plan=plan(price),
        quantity=quantity,
        buyer=buyer(sme),
        purpose="",
        moment=MOMENT,
        guided=in_force,
    )

    assert Decimal(0) <= result.amount <= cap * quantity
    assert all(line.unit_price <= cap for line in result.lines if line.kind == "tier")
    assert (result.guided_entry_id, result.guided_version) == (7, 3)
    assert result.capped == (price > cap)


@settings(max_examples=200, deadline=None)
@given(terms=guided_terms(), price=plan_prices, q1=quantities, q2=quantities)
def test_tiered_unit_prices_never_rise_with_volume(terms, price, q1, q2):
    """Each further band is no dearer than the one before; buying more never lowers the total nor raises the average."""
    cap, tiers, _ = terms
    small, large = sorted((q1, q2))
    in_force = version(cap, tiers)

    def priced(quantity):
        return quote(
            product=product(),
            plan=plan(price),
            quantity=quantity,
            buyer=None,
            purpose="",
            moment=MOMENT,
            guided=in_force,
        )

    few, many = priced(small), priced(large)

    unit_prices = [line.unit_price for line in many.lines if line.kind == "tier"]
    assert unit_prices == sorted(unit_prices, reverse=True)
    assert sum(line.quantity for line in many.lines) == large
    assert many.amount >= few.amount
    assert many.amount * small <= few.amount * large  # average unit price: many/large ≤ few/small


@settings(max_examples=200, deadline=None)
@given(terms=guided_terms(), price=plan_prices, quantity=quantities, sme=st.booleans(), guided=st.booleans())
def test_quote_amounts_are_exact_two_place_decimals(terms, price, quantity, sme, guided):
    """Every amount is a Decimal with exactly two places, and the lines add up to the total exactly."""
    cap, tiers, discount = terms

    result = quote(
        product=product("public" if guided else "enterprise"),
        plan=plan(price),
        quantity=quantity,
        buyer=buyer(sme),
        purpose="",
        moment=MOMENT,
        guided=version(cap, tiers, sme=discount) if guided else None,
    )

    amounts = [result.amount, *(line.amount for line in result.lines)]
    assert all(isinstance(a, Decimal) and a.as_tuple().exponent == -2 for a in amounts)
    assert sum(line.amount for line in result.lines) == result.amount
    assert to_minor_units(result.amount) == int(result.amount * 100)
    assert result.as_dict()["amount"] == str(result.amount)


@settings(max_examples=100, deadline=None)
@given(terms=guided_terms(), price=plan_prices, quantity=quantities, sme=st.booleans())
def test_quote_same_inputs_give_the_same_quote(terms, price, quantity, sme):
    """The quote is a pure function: equal inputs, equal quotes (amount and breakdown)."""
    cap, tiers, discount = terms

    def again():
        return quote(
            product=product(),
            plan=plan(price),
            quantity=quantity,
            buyer=buyer(sme),
            purpose="research",
            moment=MOMENT,
            guided=version(cap, tiers, sme=discount),
        )

    assert again() == again()
    assert again().as_dict() == again().as_dict()


@settings(max_examples=100, deadline=None)
@given(price=plan_prices, quantity=quantities)
def test_market_quote_is_price_times_quantity(price, quantity):
    """A market plan quotes its own price per unit, with no cap and no SME discount."""
    result = quote(
        product=product("enterprise"),
        plan=plan(price),
        quantity=quantity,
        buyer=buyer(True),
        purpose="",
        moment=MOMENT,
    )

    assert result.amount == money(price * quantity)
    assert result.regime == "market"
    assert [line.kind for line in result.lines] == ["plan"]
    assert "#5" in result.rule


def test_guided_quote_breaks_down_tiers_and_sme_discount():
    """2,500 calls: 1–1,000 at the plan price, 1,001–2,000 at ¥0.40, 2,001–2,500 at ¥0.30, then 10 % off."""
    in_force = version(Decimal("0.50"), [(1001, Decimal("0.40")), (2001, Decimal("0.30"))], sme="10")

    result = quote(
        product=product(),
        plan=plan(Decimal("0.45")),
        quantity=2500,
        buyer=buyer(sme=True),
        purpose="",
        moment=MOMENT,
        guided=in_force,
    )

    assert [(line.from_quantity, line.to_quantity, line.unit_price, line.amount) for line in result.lines[:3]] == [
        (1, 1000, Decimal("0.45"), Decimal("450.00")),
        (1001, 2000, Decimal("0.40"), Decimal("400.00")),
        (2001, 2500, Decimal("0.30"), Decimal("150.00")),
    ]
    assert result.lines[3].kind == "sme_discount"
    assert result.lines[3].amount == Decimal("-100.00")
    assert result.amount == Decimal("900.00")


def test_sme_discount_rounds_half_up_to_the_fen():
    """One rounding rule: 3 calls at ¥0.35 = ¥1.05, 5 % off = ¥0.0525 → ¥0.05."""
    result = quote(
        product=product(),
        plan=plan(Decimal("0.35")),
        quantity=3,
        buyer=buyer(sme=True),
        purpose="",
        moment=MOMENT,
        guided=version(Decimal("0.50"), sme="5"),
    )

    assert result.lines[-1].amount == Decimal("-0.05")
    assert result.amount == Decimal("1.00")


def test_guided_quote_refused_without_a_version_in_force():
    """A version whose period has ended (or a trial that expired) cannot price a sale."""
    expired_trial = version(Decimal("0.50"), is_trial=True, trial_expires_on=date(2026, 5, 31))
    ended = version(Decimal("0.50"), effective_until=date(2026, 5, 1))

    for guided in (None, expired_trial, ended):
        with pytest.raises(QuoteUnavailable):
            quote(
                product=product(),
                plan=plan(Decimal("0.40")),
                quantity=1,
                buyer=None,
                purpose="",
                moment=MOMENT,
                guided=guided,
            )


def test_quotation_plan_has_no_quote():
    with pytest.raises(QuoteUnavailable):
        quote(
            product=product("enterprise"),
            plan=plan(None, kind="quotation"),
            quantity=1,
            buyer=None,
            purpose="",
            moment=MOMENT,
        )


def test_free_use_applies_only_while_approved_and_unexpired_for_that_purpose():
    """An approved application zeroes the quote for its buyer, product and purpose until it expires."""
    approved = FreeUseApplication(
        pk=9,
        buyer_id=3,
        product_id=11,
        purpose="public_welfare",
        status="approved",
        expires_at=datetime(2026, 12, 31, tzinfo=UTC),
    )

    def priced(application, purpose="public_welfare", moment=MOMENT):
        return quote(
            product=product(),
            plan=plan(Decimal("0.40")),
            quantity=100,
            buyer=buyer(),
            purpose=purpose,
            moment=moment,
            guided=version(Decimal("0.50")),
            free_use=application,
        )

    free = priced(approved)
    assert free.amount == Decimal("0.00")
    assert free.regime == "free"
    assert free.lines[-1].kind == "free_use" and free.lines[-1].amount == Decimal("-40.00")
    assert priced(approved, purpose="public_governance").amount == Decimal("40.00")
    assert priced(approved, moment=datetime(2027, 1, 1, tzinfo=UTC)).amount == Decimal("40.00")
    refused = FreeUseApplication(pk=9, buyer_id=3, product_id=11, purpose="public_welfare", status="refused")
    assert priced(refused).amount == Decimal("40.00")


@pytest.mark.parametrize("bad", [0, -1, 1_000_000_001, True, "10"])
def test_quote_refuses_a_bad_quantity(bad):
    from accounts.exceptions import DomainError

    with pytest.raises(DomainError) as error:
        quote(
            product=product("enterprise"),
            plan=plan(Decimal("1.00")),
            quantity=bad,
            buyer=None,
            purpose="",
            moment=MOMENT,
        )

    assert error.value.field == "quantity"
