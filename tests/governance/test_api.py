"""The governance API: the audit trail for operators, disputes, credit, and public authorisations."""

import pytest

from accounts.models import AuditEntry
from marketplace.governance.models import Dispute
from tests.factories import OrganizationFactory, member, operator, submitted_product
from tests.governance.helpers import fulfilled_order

pytestmark = pytest.mark.django_db


def test_audit_entries_api_filters_for_operators(client):
    """Operators list entries filtered by action prefix; others are refused."""
    submitted_product()
    client.force_login(member(OrganizationFactory()))
    refused = client.get("/api/v1/audit-entries/")
    client.force_login(operator())

    response = client.get("/api/v1/audit-entries/", {"action": "registration.sub"})

    assert refused.status_code == 403
    assert [row["action"] for row in response.json()["results"]] == ["registration.submit"]
    assert response.json()["results"][0]["hash"] == AuditEntry.objects.get(action="registration.submit").hash


def test_dispute_api_files_and_scopes_by_organisation(client):
    """The buyer files a dispute by order number; an outsider sees no dispute; bad input is a 400."""
    trade = fulfilled_order()
    client.force_login(trade.buyer_user)

    bad = client.post("/api/v1/disputes/", {"order": trade.order.number, "ground": "nonsense", "grounds": "x"})
    filed = client.post(
        "/api/v1/disputes/",
        {"order": trade.order.number, "ground": "quality", "grounds": "数据错误率超过百分之三十。"},
        content_type="application/json",
    )
    client.force_login(member(OrganizationFactory()))
    outsider = client.get("/api/v1/disputes/")

    assert bad.status_code == 400
    assert filed.status_code == 201 and filed.json()["status"] == "open"
    assert Dispute.objects.filter(order=trade.order).count() == 1
    assert outsider.json()["results"] == []


def test_dispute_api_decisions_are_for_operators(client):
    """A party cannot uphold through the API (403); an operator can (200)."""
    from tests.governance.helpers import dispute_on

    trade = fulfilled_order()
    dispute = dispute_on(trade)
    client.force_login(trade.buyer_user)
    refused = client.post(f"/api/v1/disputes/{dispute.pk}/uphold/", {"reason": "我方胜诉。"})
    client.force_login(operator())

    upheld = client.post(
        f"/api/v1/disputes/{dispute.pk}/uphold/", {"reason": "属实。"}, content_type="application/json"
    )

    assert refused.status_code == 403
    assert upheld.status_code == 200 and upheld.json()["status"] == "upheld"


def test_credit_api_for_members_and_operators_only(client):
    """Members read their organisation's credit; strangers get 404."""
    org = OrganizationFactory()
    client.force_login(member(org))
    own = client.get(f"/api/v1/organizations/{org.pk}/credit/")
    client.force_login(member(OrganizationFactory()))
    other = client.get(f"/api/v1/organizations/{org.pk}/credit/")

    assert own.status_code == 200 and own.json()["level"] == "B" and own.json()["may_trade"] is True
    assert other.status_code == 404


def test_authorisations_api_is_public(client):
    """Anyone may list the public-data authorisations."""
    response = client.get("/api/v1/disclosure/authorisations/")

    assert response.status_code == 200
    assert response.json()["results"] == []
