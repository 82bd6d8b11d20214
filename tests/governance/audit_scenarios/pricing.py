"""Scenarios of ``pricing.services``."""

from datetime import date, timedelta

from django.utils import timezone

from pricing import services
from tests.factories import OrganizationFactory, member, operator
from tests.pricing.helpers import plan_data, price_authority, public_product, publish, terms

from . import scenario


@scenario("pricing.guided_entry_publish", "pricing.guided_publish")
def _guided_entry_publish(ctx):
    authority = price_authority()
    return lambda: services.guided_entry_publish(
        actor=authority,
        section="L",
        delivery_mode="api",
        billing_unit="per_call",
        title="企业核验（按次）",
        terms=terms(),
    )


@scenario("pricing.guided_entry_revise", "pricing.guided_revise")
def _guided_entry_revise(ctx):
    authority = price_authority()
    first = publish(authority, cap="0.50")
    return lambda: services.guided_entry_revise(actor=authority, entry=first.entry, terms=terms(cap="0.45"))


@scenario("pricing.plans_recheck_caps", "pricing.plan_flag_above_cap")
def _plans_recheck_caps(ctx):
    authority = price_authority()
    first = publish(authority, cap="0.50")
    product = public_product()
    services.plan_create(
        org=product.holder, actor=product.created_by, product=product, data=plan_data(unit_price="0.45")
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.guided_entry_revise(actor=authority, entry=first.entry, terms=terms(cap="0.40", effective_from=tomorrow))
    return lambda: services.plans_recheck_caps(moment=timezone.now() + timedelta(days=1))


@scenario("pricing.permitted_revenue_set", "pricing.permitted_revenue_set")
def _permitted_revenue_set(ctx):
    authority, org = price_authority(), OrganizationFactory(is_public_data_operator=True)
    return lambda: services.permitted_revenue_set(
        actor=authority, organization=org, year=2026, operating_cost="800.00", permitted_profit="150.00", tax="50.00"
    )


@scenario("pricing.revenue_record", "pricing.revenue_record")
def _revenue_record(ctx):
    org = OrganizationFactory(is_public_data_operator=True)
    return lambda: services.revenue_record(
        organization=org, amount="100.00", period_date=date(2026, 3, 1), source="o:1"
    )


@scenario("pricing.plan_create", "pricing.plan_create")
def _plan_create(ctx):
    publish(cap="0.50")
    product = public_product()
    return lambda: services.plan_create(org=product.holder, actor=product.created_by, product=product, data=plan_data())


def _plan(ctx):
    publish(cap="0.50")
    product = public_product()
    return product, services.plan_create(
        org=product.holder, actor=product.created_by, product=product, data=plan_data()
    )


@scenario("pricing.plan_update", "pricing.plan_update")
def _plan_update(ctx):
    product, plan = _plan(ctx)
    return lambda: services.plan_update(
        org=product.holder, actor=product.created_by, plan=plan, data=plan_data(unit_price="0.30")
    )


@scenario("pricing.plan_set_active", "pricing.plan_deactivate")
def _plan_set_active(ctx):
    product, plan = _plan(ctx)
    return lambda: services.plan_set_active(org=product.holder, actor=product.created_by, plan=plan, active=False)


def _application(ctx):
    product = public_product(listed=True)
    buyer = OrganizationFactory(is_merchant=False)
    applicant = member(buyer)
    return services.free_use_apply(
        buyer=buyer, actor=applicant, product=product, purpose="public_welfare", statement="用于公益性的疫情防控研究。"
    )


@scenario("pricing.free_use_apply", "pricing.free_use_apply")
def _free_use_apply(ctx):
    product = public_product(listed=True)
    buyer = OrganizationFactory(is_merchant=False)
    applicant = member(buyer)
    return lambda: services.free_use_apply(
        buyer=buyer, actor=applicant, product=product, purpose="public_welfare", statement="用于公益性的疫情防控研究。"
    )


@scenario("pricing.free_use_approve", "pricing.free_use_approved")
def _free_use_approve(ctx):
    application, staff = _application(ctx), operator()
    return lambda: services.free_use_approve(application=application, actor=staff)


@scenario("pricing.free_use_refuse", "pricing.free_use_refused")
def _free_use_refuse(ctx):
    application, staff = _application(ctx), operator()
    return lambda: services.free_use_refuse(application=application, actor=staff, reason="非公益用途。")
