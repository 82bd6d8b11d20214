"""Scenarios of ``marketplace.access.services``."""

import socket
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace.access import services
from marketplace.access.models import Entitlement
from marketplace.orders.models import Order, OrderStatus
from tests.orders.support import DATASET_CSV, buyer, market_product, pay_by_transfer, place, plan

from . import scenario


def _entitlement(ctx, **plan_kwargs) -> Entitlement:
    product, org, actor = market_product()
    order = pay_by_transfer(place(*buyer(), product, plan(product, org, actor, **plan_kwargs), quantity=3))
    return Entitlement.objects.get(order=order)


@scenario("access.entitlement_grant", "access.entitlement_grant")
def _entitlement_grant(ctx):
    product, org, actor = market_product()
    order = place(*buyer(), product, plan(product, org, actor), quantity=10)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_at=timezone.now())
    return lambda: services.entitlement_grant(order=Order.objects.get(pk=order.pk))


@scenario("access.entitlement_revoke", "access.entitlement_revoke")
def _entitlement_revoke(ctx):
    entitlement = _entitlement(ctx)
    return lambda: services.entitlement_revoke(entitlement=entitlement, reason="退款。")


@scenario("access.entitlement_roll_period", "access.entitlement_roll_period")
def _entitlement_roll_period(ctx):
    from marketplace.access.terms import add_months

    entitlement = _entitlement(ctx, kind="subscription", price="99.00", quota=100, name="月度")
    next_month = add_months(entitlement.starts_at, 1) + timedelta(hours=1)
    return lambda: services.entitlement_roll_period(entitlement=entitlement, moment=next_month)


@scenario("access.api_key_create", "access.api_key_create")
def _api_key_create(ctx):
    org, actor = buyer()
    return lambda: services.api_key_create(org=org, actor=actor, name="生产密钥")


@scenario("access.api_key_revoke", "access.api_key_revoke")
def _api_key_revoke(ctx):
    org, actor = buyer()
    key, _secret = services.api_key_create(org=org, actor=actor, name="生产密钥")
    return lambda: services.api_key_revoke(org=org, actor=actor, key=key)


def _upload(product, org, actor):
    return services.dataset_table_upload(
        org=org,
        actor=actor,
        product=product,
        mode="dataset",
        file=SimpleUploadedFile("data.csv", DATASET_CSV.encode("utf-8"), content_type="text/csv"),
    )


@scenario("access.dataset_table_upload", "access.dataset_upload")
def _dataset_table_upload(ctx):
    product, org, actor = market_product()
    return lambda: _upload(product, org, actor)


@scenario("access.dataset_table_load", "access.dataset_load")
def _dataset_table_load(ctx):
    product, org, actor = market_product()
    table = _upload(product, org, actor)  # Its loading task is enqueued on commit, which a test never reaches.
    return lambda: services.dataset_table_load(table=table)


@scenario("access.upstream_endpoint_save", "access.upstream_save")
def _upstream_endpoint_save(ctx):
    ctx.settings.UPSTREAM_ALLOWED_HOSTS = []
    ctx.monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: [(2, 1, 6, "", ("1.1.1.1", 443))])
    product, org, actor = market_product(modes=("api",))
    return lambda: services.upstream_endpoint_save(
        org=org, actor=actor, product=product, url="https://api.merchant.example/v1", credential="tok-123"
    )
