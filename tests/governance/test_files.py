"""Evidence and statement attachments: to the operators and the party concerned, as downloads."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from marketplace.governance import services
from tests.factories import OrganizationFactory, member, operator

from .helpers import dispute_on, fulfilled_order, objection_under_notice

pytestmark = pytest.mark.django_db


def _statuses(client, url, users) -> list[int]:
    statuses = []
    for user in users:
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        statuses.append(client.get(url).status_code)
    return statuses


def test_objection_evidence_for_the_objector_and_operators(client):
    objection, _product, _holder, holder_user, objector = objection_under_notice()
    objection.evidence.save("proof.pdf", ContentFile(b"%PDF-1.4 proof"), save=True)
    url = reverse("governance:objection_evidence", args=[objection.pk])

    statuses = _statuses(client, url, [objector, operator(), holder_user, member(OrganizationFactory())])
    client.force_login(objector)
    response = client.get(url)

    assert statuses == [200, 200, 404, 404]
    assert response["Content-Disposition"].startswith('attachment; filename="proof')
    assert b"".join(response.streaming_content) == b"%PDF-1.4 proof"


def test_dispute_evidence_for_both_parties_and_operators(client):
    trade = fulfilled_order()
    dispute = dispute_on(trade)
    dispute.evidence.save("calls.csv", ContentFile("时间,结果\n".encode()), save=True)
    url = reverse("governance:dispute_evidence", args=[dispute.pk])

    statuses = _statuses(
        client, url, [trade.buyer_user, trade.merchant_user, operator(), member(OrganizationFactory()), None]
    )

    assert statuses[:4] == [200, 200, 200, 404]
    assert statuses[4] == 302  # to the sign-in page


def test_statement_attachment_for_the_party_asked_and_operators(client):
    trade = fulfilled_order()
    dispute = dispute_on(trade)
    staff = operator()
    statement = services.statement_request(
        actor=staff, dispute=dispute, party="buyer", question="请提供调用记录和截图。"
    )
    url = reverse("governance:statement_attachment", args=[statement.pk])
    before = _statuses(client, url, [trade.buyer_user])
    statement.attachment.save("screenshot.png", ContentFile(b"not really a png"), save=True)

    statuses = _statuses(client, url, [trade.buyer_user, staff, trade.merchant_user])

    assert before == [404]  # nothing attached yet
    assert statuses == [200, 200, 404]
