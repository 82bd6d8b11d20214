"""The hash-chained audit trail (DESIGN §3.6)."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accounts.audit import audit_record, audit_verify_chain, entry_hash
from accounts.models import AuditEntry, Organization
from tests.factories import OrganizationFactory


def _entries(count: int) -> Organization:
    org = OrganizationFactory()
    for number in range(count):
        audit_record(action="test.touch", obj=org, changes={"n": [number, number + 1]})
    return org


@pytest.mark.django_db
def test_audit_verify_passes_on_an_intact_chain(capsys):
    _entries(5)

    call_command("audit_verify")

    assert "intact: 5 entries" in capsys.readouterr().out


@pytest.mark.django_db
def test_audit_verify_names_an_altered_entry():
    """Changing any recorded field breaks that entry's hash."""
    _entries(5)
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses the UPDATE itself; tested below")
    AuditEntry.objects.filter(seq=3).update(reason="rewritten")

    with pytest.raises(CommandError, match="#3"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_audit_verify_names_a_deleted_entry():
    _entries(5)
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses the DELETE itself; tested below")
    AuditEntry.objects.filter(seq=2).delete()

    broken = audit_verify_chain()

    assert broken is not None and broken.seq == 2


@pytest.mark.django_db
def test_audit_verify_names_an_inserted_entry():
    """An entry slipped into the middle, with a correctly computed hash, breaks the link after it."""
    _entries(4)
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses the UPDATE needed to make room; tested below")
    for seq in (4, 3):
        AuditEntry.objects.filter(seq=seq).update(seq=seq + 1)
    forged = AuditEntry.objects.get(seq=2)
    forged.pk = None
    forged.seq = 3
    forged.reason = "forged"
    forged.prev_hash = AuditEntry.objects.get(seq=2).hash
    forged.hash = entry_hash(forged)
    forged.save()

    broken = audit_verify_chain()

    assert broken is not None and broken.seq == 4


@pytest.mark.postgres
@pytest.mark.django_db
def test_audit_table_refuses_update_and_delete_on_postgres():
    _entries(2)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(reason="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=2).delete()

    assert AuditEntry.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_one_unbroken_chain():
    """100 writers appending at once never fork the chain."""
    org = OrganizationFactory()
    barrier = threading.Barrier(20)
    errors = []

    def write(batch):
        try:
            barrier.wait()
            for number in batch:
                audit_record(action="test.concurrent", obj=org, changes={"n": [None, number]})
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(range(i * 5, i * 5 + 5),)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditEntry.objects.filter(action="test.concurrent").count() == 100
    assert audit_verify_chain() is None
