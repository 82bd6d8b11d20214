"""The parties' pages: my objections, objections against us, disputes and statements, our credit."""

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import services as catalog_services
from marketplace.governance import services
from marketplace.governance.models import Dispute, Statement
from tests.factories import OrganizationFactory, member, operator
from tests.governance.helpers import dispute_on, fulfilled_order, objection_under_notice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["governance:my_objections", "governance:objections_against", "governance:disputes", "governance:my_credit"]
)
def test_party_pages_need_sign_in(client, name):
    """Each party page sends an anonymous visitor to sign in."""
    response = client.get(reverse(name))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_objections_shows_state_statement_and_outcome(client):
    """The objector sees the objection's steps, answers the statement asked of them, then reads the outcome."""
    objection, product, holder, holder_user, objector = objection_under_notice()
    staff = operator()
    statement = services.statement_request(
        actor=staff, objection=objection, party="objector", question="请提供您主张权利的证明材料。"
    )
    client.force_login(objector)

    page = client.get(reverse("governance:my_objections"))
    answered = client.post(
        reverse("governance:statement_answer", args=[statement.pk]), {"answer": "我方持有该数据的采集授权协议。"}
    )
    catalog_services.objection_uphold(objection=objection, actor=staff, reason="来源不合法属实。")
    decided = client.get(reverse("governance:my_objections"))

    assert "请提供您主张权利的证明材料。" in page.content.decode()
    assert answered.status_code == 302
    assert Statement.objects.get(pk=statement.pk).status == Statement.Status.RECEIVED
    body = decided.content.decode()
    assert "来源不合法属实。" in body and product.name in body


def test_statement_answer_error_is_shown_next_to_the_field(client):
    """A too-short statement is refused on the page it was read on, next to the answer field."""
    objection, product, holder, holder_user, objector = objection_under_notice()
    statement = services.statement_request(
        actor=operator(), objection=objection, party="holder", question="请说明数据来源的合法性依据。"
    )
    client.force_login(holder_user)

    response = client.post(reverse("governance:statement_answer", args=[statement.pk]), {"answer": "合法"})

    assert response.status_code == 400
    statements = response.context["rows"][0]["statements"]
    assert statements[0].answer_form.errors["answer"]


def test_statement_answer_by_another_party_is_not_found(client):
    """Someone the statement was not asked of gets 404, and nothing is recorded."""
    objection, product, holder, holder_user, objector = objection_under_notice()
    statement = services.statement_request(
        actor=operator(), objection=objection, party="holder", question="请说明数据来源的合法性依据。"
    )
    client.force_login(objector)

    response = client.post(
        reverse("governance:statement_answer", args=[statement.pk]), {"answer": "我替持有人回答这个问题。"}
    )

    assert response.status_code == 404
    assert Statement.objects.get(pk=statement.pk).status == Statement.Status.REQUESTED


def test_objections_against_us_lists_only_our_registrations(client):
    """The holder sees objections to its registrations; another organisation sees none of them."""
    objection, product, holder, holder_user, objector = objection_under_notice()
    client.force_login(holder_user)
    mine = client.get(reverse("governance:objections_against"))
    client.force_login(member(OrganizationFactory()))
    others = client.get(reverse("governance:objections_against"))

    assert [row["objection"] for row in mine.context["rows"]] == [objection]
    assert others.context["rows"] == []


def test_buyer_files_a_dispute_from_the_disputes_page(client):
    """The buyer sees its disputable order, files a dispute, and lands on the dispute's page."""
    trade = fulfilled_order()
    client.force_login(trade.buyer_user)

    listing = client.get(reverse("governance:disputes"))
    refused = client.post(
        reverse("governance:dispute_create", args=[trade.order.number]), {"ground": "", "grounds": "短"}
    )
    filed = client.post(
        reverse("governance:dispute_create", args=[trade.order.number]),
        {"ground": "not_delivered", "grounds": "付款后三天仍无法调用接口。", "refund_requested": "on"},
    )

    assert trade.order in list(listing.context["disputable"])
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"ground", "grounds"}
    dispute = Dispute.objects.get(order=trade.order)
    assert filed["Location"] == reverse("governance:dispute_detail", args=[dispute.pk])


def test_dispute_create_for_someone_elses_order_is_not_found(client):
    """The merchant cannot open the buyer's dispute form for that order."""
    trade = fulfilled_order()
    client.force_login(trade.merchant_user)

    response = client.get(reverse("governance:dispute_create", args=[trade.order.number]))

    assert response.status_code == 404


def test_dispute_detail_shows_each_side_its_statements_and_the_outcome(client):
    """The merchant answers its statement; both sides see the decision and the refund."""
    trade = fulfilled_order()
    dispute = dispute_on(trade)
    staff = operator()
    asked = services.statement_request(actor=staff, dispute=dispute, party="merchant", question="请提供接口调用日志。")
    client.force_login(trade.merchant_user)
    merchant_page = client.get(reverse("governance:dispute_detail", args=[dispute.pk]))
    client.post(reverse("governance:statement_answer", args=[asked.pk]), {"answer": "日志显示接口正常，详见附件。"})
    services.dispute_uphold(dispute=dispute, actor=staff, reason="字段缺失属实。", refund=True)
    client.force_login(trade.buyer_user)

    buyer_page = client.get(reverse("governance:dispute_detail", args=[dispute.pk]))

    assert merchant_page.context["statements"][0].answer_form is not None
    assert buyer_page.context["statements"] == []  # the merchant's statement is not the buyer's to read
    body = buyer_page.content.decode()
    assert "字段缺失属实。" in body
    assert buyer_page.context["order"].status == "refunded"


def test_dispute_detail_of_an_outsider_is_not_found(client):
    """An organisation not party to the dispute gets 404."""
    dispute = dispute_on(fulfilled_order())
    client.force_login(member(OrganizationFactory()))

    response = client.get(reverse("governance:dispute_detail", args=[dispute.pk]))

    assert response.status_code == 404


def test_my_credit_explains_the_score_and_how_to_restore_it(client):
    """Below the threshold, the credit page says the organisation cannot submit or offer, why, and how to recover."""
    org = OrganizationFactory()
    user = member(org)
    services.violation_record(
        organization=org,
        actor=operator(),
        kind="beyond_authorisation",
        severity="grave",
        description="超出授权范围向第三方提供公共数据。",
        occurred_on=timezone.localdate(),
    )
    client.force_login(user)

    response = client.get(reverse("governance:my_credit"))

    body = response.content.decode()
    assert response.context["credit"].score == 40
    assert 'role="alert"' in body
    assert 'id="restore"' in body
    assert response.context["credit"].next_recovery.kind == "violation"


def test_organisation_page_shows_its_credit_and_history(client):
    """A member's organisation page shows the credit badge and the organisation's audit history."""
    from accounts import services as account_services

    owner = member(OrganizationFactory())
    org = owner.organizations.get()
    client.force_login(owner)
    account_services.organization_suspend(org=org, actor=operator(), reason="资料过期，暂停交易。")

    response = client.get(reverse("accounts:organization_detail", args=[org.pk]))

    body = response.content.decode()
    assert 'id="credit"' in body
    assert "organization.suspend" in body.split('id="audit-history"', 1)[1]
