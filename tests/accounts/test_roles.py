"""Staff roles survive a database flush (live-server and transactional tests flush)."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from catalog.models import DeliveryMode


@pytest.mark.django_db(transaction=True)
def test_flush_restores_staff_roles_and_delivery_modes():
    call_command("flush", interactive=False, verbosity=0)

    operator = Group.objects.get(name="operator")
    assert set(operator.permissions.values_list("codename", flat=True)) == {"operate_exchange", "review_product"}
    assert Group.objects.get(name="price_authority").permissions.filter(codename="set_guided_prices").exists()
    assert DeliveryMode.objects.count() == 5
