"""Access services: uploads streamed into rows, keys hashed and shown once, entitlements, quota."""

import tracemalloc
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.exceptions import DomainError, NotAllowed
from accounts.models import AuditEntry
from marketplace.access import keys, services
from marketplace.access.models import DatasetRow, DatasetTable, Entitlement, TableStatus
from marketplace.access.terms import add_months
from tests.orders.support import buyer, key_for, market_product, merchant, pay_by_transfer, place, plan, upload

pytestmark = pytest.mark.django_db


def test_upload_loads_rows_and_deletes_the_file(settings):
    """The CSV becomes rows of the current table; the uploaded file is removed once loaded."""
    product, org, actor = market_product()

    table = upload(product, org, actor)

    assert (table.status, table.row_count, table.is_current) == (TableStatus.READY, 3, True)
    assert table.columns == ["企业名称", "统一社会信用代码", "城市", "经营状态"]
    assert DatasetRow.objects.filter(table=table).order_by("number").first().data["城市"] == "福州"
    assert not table.source
    assert not list((settings.PRIVATE_UPLOAD_ROOT / "datasets").rglob("*.csv"))


def test_reupload_replaces_the_served_table():
    """A new upload becomes the one served; the old table's rows are deleted."""
    product, org, actor = market_product()
    old = upload(product, org, actor)

    new = upload(product, org, actor, text="企业名称,城市\n新公司,杭州\n")

    old.refresh_from_db()
    assert (old.is_current, new.is_current) == (False, True)
    assert not DatasetRow.objects.filter(table=old).exists()
    assert DatasetTable.objects.filter(product=product, is_current=True).get() == new


def test_upload_with_a_ragged_line_fails_naming_it():
    """A line with the wrong number of cells fails the load with its line number; nothing is served."""
    product, org, actor = market_product()

    table = upload(product, org, actor, text="a,b\n1,2\n3\n")

    assert table.status == TableStatus.FAILED
    assert "3" in table.error
    assert not DatasetRow.objects.filter(table=table).exists()


@pytest.mark.parametrize("text, field", [("", "file"), ("a,a\n1,2\n", "file"), ("名称,\n1,2\n", "file")])
def test_upload_refuses_a_bad_header(text, field):
    """Empty file, duplicate or empty column names: refused at upload, naming the file field."""
    product, org, actor = market_product()

    with pytest.raises(DomainError) as error:
        upload(product, org, actor, text=text)

    assert error.value.field == field


def test_upload_only_by_the_holder_and_for_a_registered_mode():
    """Another merchant cannot upload; a verification upload needs the verification mode and key columns."""
    product, org, actor = market_product()
    other_org, other_actor = merchant()

    with pytest.raises(NotAllowed):
        upload(product, other_org, other_actor)
    with pytest.raises(DomainError) as wrong_mode:
        upload(product, org, actor, mode="verification", lookup=["城市"])

    assert wrong_mode.value.field == "mode"


def test_upload_is_streamed_not_read_whole(settings):
    """A 6 MB upload loads with a memory peak far below its size (rows are read and inserted in batches)."""
    product, org, actor = market_product()
    upload_file = TemporaryUploadedFile("big.csv", "text/csv", 0, "utf-8")
    upload_file.write("企业名称,统一社会信用代码,城市,经营状态,备注\n".encode())
    line = "某某数据科技有限公司{n},91350100M{n:09d},上海市浦东新区,存续,{pad}\n"
    for n in range(60_000):
        upload_file.write(line.format(n=n, pad="x" * 40).encode())
    upload_file.flush()
    size = upload_file.tell()
    upload_file.size = size
    upload_file.seek(0)
    table = services.dataset_table_upload(org=org, actor=actor, product=product, mode="dataset", file=upload_file)

    tracemalloc.start()
    table = services.dataset_table_load(table=table)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert size > 6_000_000
    assert table.row_count == 60_000
    assert peak < size / 2


def test_api_key_shown_once_and_stored_as_a_keyed_hash():
    """The secret is returned once; the database holds its prefix and HMAC only; the audit names the prefix."""
    org, user = buyer()

    key, secret = key_for(org, user)

    assert secret.startswith(f"dxk_{key.prefix}_") and len(secret) == 4 + 12 + 1 + 43
    assert key.key_hash == keys.key_hash(secret) and secret not in key.key_hash
    assert keys.key_matches(secret, key.key_hash) and not keys.key_matches(secret + "x", key.key_hash)
    entry = AuditEntry.objects.get(action="access.api_key_create")
    assert entry.changes["prefix"] == key.prefix and secret not in str(entry.changes)


def test_api_key_revoke_is_idempotent_and_scoped():
    """Revoking twice keeps the first time; another organisation cannot revoke."""
    org, user = buyer()
    key, _secret = key_for(org, user)
    other_org, other_user = buyer()

    first = services.api_key_revoke(org=org, actor=user, key=key)
    again = services.api_key_revoke(org=org, actor=user, key=key)

    assert first.revoked_at == again.revoked_at is not None
    with pytest.raises(NotAllowed):
        services.api_key_revoke(org=other_org, actor=other_user, key=key)


def test_api_key_refuses_an_expiry_in_the_past():
    org, user = buyer()

    with pytest.raises(DomainError) as error:
        services.api_key_create(org=org, actor=user, name="x", expires_at=timezone.now() - timedelta(days=1))

    assert "expires_at" in error.value.errors


def test_quota_take_never_exceeds_the_quota_and_gives_back():
    """The conditional update counts while units fit, refuses after; a unit given back can be used again."""
    product, org, actor = market_product()
    order = pay_by_transfer(place(*buyer(), product, plan(product, org, actor), quantity=2))
    entitlement = Entitlement.objects.get(order=order)

    taken = [services.quota_take(entitlement_id=entitlement.pk) for _ in range(3)]
    services.quota_give_back(entitlement_id=entitlement.pk, units=1)
    again = services.quota_take(entitlement_id=entitlement.pk)

    assert taken == [True, True, False] and again is True
    entitlement.refresh_from_db()
    assert entitlement.used == 2


def test_database_refuses_used_above_quota():
    """The check constraint holds even against a direct write."""
    product, org, actor = market_product()
    order = pay_by_transfer(place(*buyer(), product, plan(product, org, actor), quantity=2))

    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.filter(order=order).update(used=3)


def test_subscription_month_rolls_over():
    """A new month of a subscription makes the monthly quota available again, once."""
    product, org, actor = market_product()
    the_plan = plan(product, org, actor, kind="subscription", price="99.00", quota=100, name="月度")
    order = pay_by_transfer(place(*buyer(), product, the_plan, quantity=3))
    entitlement = Entitlement.objects.get(order=order)
    Entitlement.objects.filter(pk=entitlement.pk).update(used=100)
    next_month = add_months(entitlement.starts_at, 1) + timedelta(hours=1)

    rolled = services.entitlement_roll_period(entitlement=entitlement, moment=next_month)
    again = services.entitlement_roll_period(entitlement=rolled, moment=next_month)

    assert (rolled.used, rolled.period_starts_at) == (0, add_months(entitlement.starts_at, 1))
    assert again.period_ends_at == add_months(entitlement.starts_at, 2)
    assert AuditEntry.objects.filter(action="access.entitlement_roll_period").count() == 1


def test_add_months_clamps_to_the_month_end():
    moment = timezone.datetime(2026, 1, 31, 10, 0, tzinfo=timezone.UTC)

    assert add_months(moment, 1).day == 28 and add_months(moment, 13).month == 2


def test_upload_file_must_be_csv():
    product, org, actor = market_product()

    with pytest.raises(DomainError) as error:
        services.dataset_table_upload(
            org=org, actor=actor, product=product, mode="dataset", file=SimpleUploadedFile("x.xlsx", b"a,b\n1,2\n")
        )

    assert error.value.field == "file"
