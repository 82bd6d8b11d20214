"""Pricing services: the catalogue, guided plan checks, flags, price changes, free use, permitted revenue."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.audit import audit_verify_chain
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import AuditEntry
from catalog.findings import compute_findings
from pricing import selectors, services
from pricing.models import GuidedPriceVersion, Plan
from pricing.money import format_cny, money, to_decimal, to_minor_units
from tests.factories import OrganizationFactory, UserFactory, draft_product, member, operator
from tests.pricing.helpers import plan_data, price_authority, public_product, publish, terms

pytestmark = pytest.mark.django_db


# Money ------------------------------------------------------------------------------------------


def test_money_rounds_half_up_to_two_places_and_refuses_floats():
    """One rounding rule, and never a float."""
    assert money("2.345") == Decimal("2.35")
    assert money("-2.345") == Decimal("-2.35")
    assert money(Decimal("0.005")) == Decimal("0.01")
    assert to_minor_units("12.34") == 1234
    assert format_cny(Decimal("1234.5")) == "¥1,234.50"
    with pytest.raises(ValueError):
        to_decimal(0.1)


# Catalogue --------------------------------------------------------------------------------------


def test_guided_entry_publish_creates_version_one_and_an_audit_entry():
    authority = price_authority()

    version = publish(authority, cap="0.50", tiers=[(1001, "0.40"), (10001, "0.30")], sme="10")

    assert version.version == 1
    assert version.cap == Decimal("0.50")
    assert version.tier_list[1].unit_price == Decimal("0.30")
    assert selectors.version_in_force(version.entry) == version
    assert AuditEntry.objects.filter(action="pricing.guided_publish", object_id=str(version.pk)).exists()
    assert audit_verify_chain() is None


def test_guided_entry_publish_refuses_anyone_but_the_price_authority():
    with pytest.raises(NotAllowed):
        publish(operator())

    assert not GuidedPriceVersion.objects.exists()


def test_guided_entry_publish_refuses_rising_tiers():
    """Volume tiers must make the unit price fall as volume rises."""
    with pytest.raises(DomainError) as error:
        publish(cap="0.50", tiers=[(1001, "0.40"), (5001, "0.45")])

    assert "tiers" in error.value.errors


def test_guided_entry_publish_refuses_a_tier_above_the_cap_and_a_trial_without_expiry():
    with pytest.raises(DomainError) as error:
        publish(cap="0.50", tiers=[(1001, "0.60")], is_trial=True)

    assert {"tiers", "trial_expires_on"} <= set(error.value.errors)


def test_guided_entry_revise_adds_a_version_and_keeps_the_old_one_unchanged():
    """Revising never rewrites history: v1 stays as published, v2 is in force."""
    authority = price_authority()
    first = publish(authority, cap="0.50")

    second = services.guided_entry_revise(actor=authority, entry=first.entry, terms=terms(cap="0.45"))

    first.refresh_from_db()
    assert (first.version, first.cap) == (1, Decimal("0.50"))
    assert (second.version, second.cap) == (2, Decimal("0.45"))
    assert selectors.version_in_force(first.entry) == second
    states = {row.version.version: row.state for row in selectors.entry_history(first.entry)}
    assert states == {1: "superseded", 2: "in_force"}


def test_scheduled_revision_is_not_in_force_until_its_date():
    authority = price_authority()
    first = publish(authority, cap="0.50")
    tomorrow = timezone.localdate() + timedelta(days=1)

    services.guided_entry_revise(actor=authority, entry=first.entry, terms=terms(cap="0.30", effective_from=tomorrow))

    assert selectors.version_in_force(first.entry) == first
    assert selectors.version_in_force(first.entry, tomorrow).cap == Decimal("0.30")


def test_expired_trial_standard_is_no_longer_in_force():
    """A trial standard (试行收费标准) lapses on its expiry date."""
    today = timezone.localdate()
    version = publish(
        cap="0.50", effective_from=today - timedelta(days=30), is_trial=True, trial_expires_on=today - timedelta(days=1)
    )

    assert selectors.version_in_force(version.entry) is None


# Guided plans -----------------------------------------------------------------------------------


def test_plan_above_the_cap_is_refused_with_a_message_naming_the_cap():
    """A guided product's plan priced above the cap in force is refused; the message names the cap."""
    version = publish(cap="0.50")
    product = public_product()
    merchant = product.created_by

    with pytest.raises(DomainError) as error:
        services.plan_create(org=product.holder, actor=merchant, product=product, data=plan_data(unit_price="0.51"))

    assert "¥0.50" in error.value.message
    assert f"#{version.entry_id}" in error.value.message
    assert error.value.field == "unit_price"
    assert not Plan.objects.exists()


def test_plan_at_the_cap_is_accepted_and_its_first_price_recorded():
    publish(cap="0.50")
    product = public_product()

    plan = services.plan_create(
        org=product.holder, actor=product.created_by, product=product, data=plan_data(unit_price="0.50")
    )

    assert plan.unit_price == Decimal("0.50")
    assert list(plan.price_changes.values_list("old_price", "new_price")) == [(None, Decimal("0.50"))]
    assert AuditEntry.objects.filter(action="pricing.plan_create", object_id=str(plan.pk)).exists()


def test_guided_plan_without_a_guided_price_in_force_is_refused():
    """No cap published for the plan's section, mode and unit: a public-data product cannot be priced."""
    publish(cap="0.50", delivery_mode="verification")
    product = public_product()

    with pytest.raises(DomainError) as error:
        services.plan_create(org=product.holder, actor=product.created_by, product=product, data=plan_data())

    assert error.value.field == "kind"


def test_market_product_plans_are_free_of_the_cap_and_may_be_quotations():
    org = OrganizationFactory()
    merchant = member(org)
    product = draft_product(org, merchant)

    priced = services.plan_create(org=org, actor=merchant, product=product, data=plan_data(unit_price="9.00"))
    quotation = services.plan_create(
        org=org, actor=merchant, product=product, data=plan_data(name="定制", kind="quotation", unit_price="")
    )

    assert priced.unit_price == Decimal("9.00")
    assert quotation.unit_price is None


def test_plan_for_another_organisations_product_is_refused():
    product = public_product()
    other = OrganizationFactory()

    with pytest.raises(NotAllowed):
        services.plan_create(org=other, actor=member(other), product=product, data=plan_data())


def test_subscription_plan_needs_a_quota():
    org = OrganizationFactory()
    merchant = member(org)
    product = draft_product(org, merchant)

    with pytest.raises(DomainError) as error:
        services.plan_create(
            org=org, actor=merchant, product=product, data=plan_data(kind="subscription", unit_price="999.00")
        )

    assert "monthly_quota" in error.value.errors


def test_lowering_a_cap_flags_the_plans_above_it_and_new_quotes_use_the_cap():
    """A cap lowered below a listed price flags that plan (not the others); quotes use the cap until revised."""
    authority = price_authority()
    first = publish(authority, cap="0.50")
    product = public_product(listed=True)
    merchant = product.created_by
    dear = services.plan_create(org=product.holder, actor=merchant, product=product, data=plan_data(unit_price="0.45"))
    cheap = services.plan_create(
        org=product.holder, actor=merchant, product=product, data=plan_data(name="优惠", unit_price="0.30")
    )

    lowered = services.guided_entry_revise(actor=authority, entry=first.entry, terms=terms(cap="0.40"))

    dear.refresh_from_db()
    cheap.refresh_from_db()
    assert dear.is_flagged and dear.above_cap_version == lowered
    assert not cheap.is_flagged
    assert list(selectors.flagged_plans()) == [dear]
    assert AuditEntry.objects.filter(action="pricing.plan_flag_above_cap", object_id=str(dear.pk)).count() == 1
    quoted = selectors.quote_for(product=product, plan=dear, quantity=10)
    assert quoted.amount == Decimal("4.00")
    assert quoted.capped and quoted.guided_version == 2


def test_revising_the_flagged_plan_clears_the_flag():
    authority = price_authority()
    first = publish(authority, cap="0.50")
    product = public_product()
    merchant = product.created_by
    plan = services.plan_create(org=product.holder, actor=merchant, product=product, data=plan_data(unit_price="0.45"))
    services.guided_entry_revise(actor=authority, entry=first.entry, terms=terms(cap="0.40"))

    with pytest.raises(DomainError):
        services.plan_update(
            org=product.holder, actor=merchant, plan=plan, data=plan_data(name="改名", unit_price="0.45")
        )
    plan = services.plan_update(org=product.holder, actor=merchant, plan=plan, data=plan_data(unit_price="0.40"))

    assert not plan.is_flagged
    assert selectors.flagged_plans().count() == 0


def test_recheck_caps_is_idempotent():
    authority = price_authority()
    first = publish(authority, cap="0.50")
    product = public_product()
    services.plan_create(
        org=product.holder, actor=product.created_by, product=product, data=plan_data(unit_price="0.45")
    )
    services.guided_entry_revise(actor=authority, entry=first.entry, terms=terms(cap="0.40"))

    assert services.plans_recheck_caps() == []


def test_review_finding_for_a_plan_above_the_cap():
    """Review shows a blocker when a guided product's plan is above the cap in force (through catalog's hook)."""
    authority = price_authority()
    first = publish(authority, cap="0.50")
    product = public_product()
    services.plan_create(
        org=product.holder, actor=product.created_by, product=product, data=plan_data(unit_price="0.45")
    )
    services.guided_entry_revise(actor=authority, entry=first.entry, terms=terms(cap="0.40"))

    findings = [f for f in compute_findings(product) if f.kind == "price_above_cap"]

    assert len(findings) == 1
    assert findings[0].severity == "blocker"
    assert "¥0.40" in findings[0].message


# Price changes and subscribers ------------------------------------------------------------------


def _market_plan(price="100.00"):
    org = OrganizationFactory()
    merchant = member(org)
    product = draft_product(org, merchant)
    plan = services.plan_create(
        org=org,
        actor=merchant,
        product=product,
        data=plan_data(name="月订阅", kind="subscription", unit_price=price, monthly_quota=10000),
    )
    # The plan has existed for 60 days.
    plan.price_changes.update(effective_at=timezone.now() - timedelta(days=60))
    return org, merchant, plan


def test_price_increase_does_not_reach_an_existing_subscription_before_its_notice(settings):
    """An increase reaches existing subscribers only after PRICE_INCREASE_NOTICE_DAYS; new buyers pay it at once."""
    settings.PRICE_INCREASE_NOTICE_DAYS = 30
    org, merchant, plan = _market_plan("100.00")
    subscribed_at = timezone.now() - timedelta(days=40)

    plan = services.plan_update(
        org=org, actor=merchant, plan=plan, data=plan_data(name="月订阅", unit_price="120.00", monthly_quota=10000)
    )

    now = timezone.now()
    assert selectors.plan_price_for_subscriber(plan, subscribed_at, now) == Decimal("100.00")
    assert selectors.plan_price_for_subscriber(plan, subscribed_at, now + timedelta(days=29)) == Decimal("100.00")
    assert selectors.plan_price_for_subscriber(plan, subscribed_at, now + timedelta(days=30, seconds=1)) == Decimal(
        "120.00"
    )
    assert selectors.plan_price_for_subscriber(plan, now, now) == Decimal("120.00")  # a renewal or a new buyer
    change = plan.price_changes.order_by("-pk").first()
    assert change.is_increase and change.subscribers_from >= now + timedelta(days=29)


def test_price_decrease_reaches_existing_subscribers_at_once():
    org, merchant, plan = _market_plan("100.00")
    subscribed_at = timezone.now() - timedelta(days=40)

    plan = services.plan_update(
        org=org, actor=merchant, plan=plan, data=plan_data(name="月订阅", unit_price="80.00", monthly_quota=10000)
    )

    assert selectors.plan_price_for_subscriber(plan, subscribed_at, timezone.now()) == Decimal("80.00")


def test_an_increase_undone_then_redone_restarts_the_notice():
    """Subscribers pay the lowest list price of the notice window: a re-raised price waits its own notice."""
    org, merchant, plan = _market_plan("100.00")
    subscribed_at = timezone.now() - timedelta(days=50)
    now = timezone.now()
    for days_ago, price in ((20, "120.00"), (10, "100.00"), (5, "120.00")):
        plan = services.plan_update(
            org=org, actor=merchant, plan=plan, data=plan_data(name="月订阅", unit_price=price, monthly_quota=10000)
        )
        plan.price_changes.filter(pk=plan.price_changes.order_by("-pk").first().pk).update(
            effective_at=now - timedelta(days=days_ago)
        )

    assert selectors.plan_price_for_subscriber(plan, subscribed_at, now + timedelta(days=15)) == Decimal("100.00")
    assert selectors.plan_price_for_subscriber(plan, subscribed_at, now + timedelta(days=26)) == Decimal("120.00")


# Free use ---------------------------------------------------------------------------------------


def _free_use_setup():
    publish(cap="0.50")
    product = public_product(listed=True)
    services.plan_create(
        org=product.holder, actor=product.created_by, product=product, data=plan_data(unit_price="0.40")
    )
    buyer = OrganizationFactory(is_merchant=False)
    applicant = member(buyer)
    application = services.free_use_apply(
        buyer=buyer,
        actor=applicant,
        product=product,
        purpose="public_governance",
        statement="用于市场监管部门的企业信用监管与双随机抽查。",
    )
    return product, buyer, application


def test_approved_free_use_quotes_zero_for_that_buyer_product_and_purpose():
    product, buyer, application = _free_use_setup()
    plan = product.plans.get()

    services.free_use_approve(application=application, actor=operator(), reason="符合公共治理用途")

    free = selectors.quote_for(product=product, plan=plan, quantity=1000, buyer=buyer, purpose="public_governance")
    assert free.amount == Decimal("0.00")
    assert free.free_use_application_id == application.pk
    assert selectors.quote_for(product=product, plan=plan, quantity=1000, buyer=buyer, purpose="research").amount == (
        Decimal("400.00")
    )
    other = OrganizationFactory()
    assert selectors.quote_for(
        product=product, plan=plan, quantity=1000, buyer=other, purpose="public_governance"
    ).amount == Decimal("400.00")


def test_refused_free_use_does_not_quote_zero():
    product, buyer, application = _free_use_setup()

    refused = services.free_use_refuse(application=application, actor=operator(), reason="用途为商业营销")

    assert refused.status == "refused"
    quoted = selectors.quote_for(
        product=product, plan=product.plans.get(), quantity=1000, buyer=buyer, purpose="public_governance"
    )
    assert quoted.amount == Decimal("400.00")


def test_expired_free_use_does_not_quote_zero():
    product, buyer, application = _free_use_setup()
    services.free_use_approve(application=application, actor=operator(), expires_at=timezone.now() + timedelta(days=1))

    later = timezone.now() + timedelta(days=2)
    quoted = selectors.quote_for(
        product=product,
        plan=product.plans.get(),
        quantity=1000,
        buyer=buyer,
        purpose="public_governance",
        moment=later,
    )

    assert quoted.amount == Decimal("400.00")


def test_free_use_decisions_are_for_operators_and_happen_once():
    _product, _buyer, application = _free_use_setup()

    with pytest.raises(NotAllowed):
        services.free_use_approve(application=application, actor=UserFactory())
    with pytest.raises(DomainError):
        services.free_use_refuse(application=application, actor=operator(), reason="")
    services.free_use_approve(application=application, actor=operator())
    again = services.free_use_approve(application=application, actor=operator())
    with pytest.raises(InvalidTransition):
        services.free_use_refuse(application=application, actor=operator(), reason="晚了")

    assert again.status == "approved"
    assert AuditEntry.objects.filter(action="pricing.free_use_approved").count() == 1


def test_free_use_is_only_for_public_interest_purposes_on_public_data():
    org = OrganizationFactory()
    market_product = draft_product(org, member(org))
    buyer = OrganizationFactory()

    with pytest.raises(DomainError) as error:
        services.free_use_apply(
            buyer=buyer,
            actor=member(buyer),
            product=market_product,
            purpose="marketing",
            statement="我们想免费使用这个产品做营销",
        )

    assert {"product", "purpose"} <= set(error.value.errors)


# Maximum permitted revenue ----------------------------------------------------------------------


def test_permitted_revenue_is_cost_plus_profit_plus_tax_and_set_only_by_the_price_authority():
    operator_org = OrganizationFactory(is_public_data_operator=True)

    with pytest.raises(NotAllowed):
        services.permitted_revenue_set(
            actor=operator(), organization=operator_org, year=2026, operating_cost="1", permitted_profit="1", tax="1"
        )
    row = services.permitted_revenue_set(
        actor=price_authority(),
        organization=operator_org,
        year=2026,
        operating_cost="800000.00",
        permitted_profit="150000.00",
        tax="50000.00",
    )

    assert row.amount == Decimal("1000000.00")


def test_revenue_warns_at_ninety_percent_and_reports_the_excess_to_deduct_next_period():
    org = OrganizationFactory(is_public_data_operator=True)
    authority = price_authority()
    for year in (2025, 2026):
        services.permitted_revenue_set(
            actor=authority,
            organization=org,
            year=year,
            operating_cost="800.00",
            permitted_profit="150.00",
            tax="50.00",
        )

    services.revenue_record(organization=org, amount="900.00", period_date=date(2025, 3, 1), source="order:1")
    warned = selectors.revenue_status(org, 2025)
    services.revenue_record(organization=org, amount="300.00", period_date=date(2025, 9, 1), source="order:2")
    services.revenue_record(organization=org, amount="300.00", period_date=date(2025, 9, 1), source="order:2")

    assert warned.warning and warned.excess == Decimal("0.00")
    assert AuditEntry.objects.filter(action="pricing.revenue_warning").count() == 1  # when first reached
    report = {period.year: period for period in selectors.revenue_report(org)}
    assert report[2025].revenue == Decimal("1200.00")  # order:2 counted once
    assert report[2025].excess == Decimal("200.00")
    assert report[2026].carried_deduction == Decimal("200.00")
    assert report[2026].effective_permitted == Decimal("800.00")
