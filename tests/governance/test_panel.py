"""The public product page shows the objections to a registration and their outcome (governance's panel)."""

import pytest
from django.urls import reverse

from catalog import services as catalog_services
from tests.factories import operator
from tests.governance.helpers import objection_under_notice

pytestmark = pytest.mark.django_db


def test_product_page_shows_the_objection_outcome_and_the_history(client):
    """After an upheld objection, the public page shows it upheld, with reasons, and the withdrawal in its history."""
    objection, product, holder, holder_user, objector = objection_under_notice()
    catalog_services.objection_uphold(objection=objection, actor=operator(), reason="来源不合法属实。")

    response = client.get(reverse("catalog:product", args=[product.code]))

    body = response.content.decode()
    panel = body.split('id="objection-outcomes"', 1)[1]
    assert "来源不合法属实。" in panel
    assert objector.username not in panel  # the objector is not named publicly
    assert response.context["events"][-1].to_status == "withdrawn"
    assert "来源不合法属实" in response.context["events"][-1].reason
