"""Builders shared by the orders and access tests: listed products with plans, buyers, paid orders."""

from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.access import services as access_services
from marketplace.orders import services
from pricing import services as pricing_services
from tests.factories import OrganizationFactory, listed_product, member, operator
from tests.pricing.helpers import price_authority, public_data, publish

DATASET_CSV = (
    "企业名称,统一社会信用代码,城市,经营状态\n"
    "示例科技有限公司,91350100M000100Y43,福州,存续\n"
    "另一家公司,91310000MA1FL0000N,上海,注销\n"
    "第三家公司,91440300MA5F00000X,深圳,存续\n"
)


def merchant():
    org = OrganizationFactory()
    return org, member(org)


def buyer():
    org = OrganizationFactory(is_merchant=False)
    return org, member(org)


def market_product(*, modes=("dataset",), org=None, actor=None, **overrides):
    """An enterprise-data (market-priced) product, registered and listed, with its merchant."""
    if org is None:
        org, actor = merchant()
    product = listed_product(org, actor, delivery_modes=list(modes), **overrides)
    return product, org, actor


def public_listed_product(*, modes=("api",), **overrides):
    """A public-data (guided-price) product listed by an authorised operator, with a guided price in force."""
    org = OrganizationFactory(is_public_data_operator=True)
    actor = member(org)
    product = listed_product(org, actor, delivery_modes=list(modes), **{**public_data(org), **overrides})
    return product, org, actor


def guided_price(*, mode="api", unit="per_call", cap="1.00", section="L"):
    return publish(price_authority(), section=section, delivery_mode=mode, billing_unit=unit, cap=cap)


def plan(product, org, actor, *, kind="per_call", mode="dataset", price="0.50", quota=None, name="按次调用"):
    return pricing_services.plan_create(
        org=org,
        actor=actor,
        product=product,
        data={"name": name, "kind": kind, "delivery_mode": mode, "unit_price": price, "monthly_quota": quota},
    )


def place(buyer_org, buyer_user, product, the_plan, *, quantity=10, method="bank_transfer", purpose="risk_control"):
    return services.order_place(
        buyer=buyer_org,
        actor=buyer_user,
        product=product,
        plan=the_plan,
        quantity=quantity,
        purpose=purpose,
        payment_method=method,
    )


def pay_by_transfer(order, staff=None):
    """An operator confirms the order's bank transfer in full; returns the order as it is afterwards."""
    services.bank_transfer_confirm(
        payment=order.payment, actor=staff or operator(), amount=str(order.amount), bank_serial="SN20260101001"
    )
    order.refresh_from_db()
    return order


def upload(product, org, actor, *, text=DATASET_CSV, mode="dataset", lookup=None, name="data.csv"):
    """Upload and load a CSV behind a product (the loading task runs on commit; tests run it directly)."""
    table = access_services.dataset_table_upload(
        org=org,
        actor=actor,
        product=product,
        mode=mode,
        file=SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv"),
        lookup_columns=lookup,
    )
    return access_services.dataset_table_load(table=table)


def key_for(org, actor, name="测试密钥"):
    key, secret = access_services.api_key_create(org=org, actor=actor, name=name)
    return key, secret
