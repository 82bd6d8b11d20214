"""Statements operators ask of the parties to an objection or a dispute."""

import pytest

from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import Notification
from catalog import services as catalog_services
from marketplace.governance import services
from marketplace.governance.models import Statement
from tests.factories import member, operator
from tests.governance.helpers import dispute_on, fulfilled_order, objection_under_notice

pytestmark = pytest.mark.django_db


def test_statement_request_asks_the_holder_and_tells_it():
    """Asking the holder of an objected registration addresses its organisation and notifies it."""
    objection, product, holder, holder_user, objector = objection_under_notice()

    statement = services.statement_request(
        actor=operator(), objection=objection, party="holder", question="请说明数据来源的合法性依据。"
    )

    assert (statement.organization, statement.person, statement.status) == (holder, None, "requested")
    assert Notification.objects.filter(recipient_organization=holder, kind="statement").exists()


def test_statement_request_asks_the_objector_as_a_person():
    """The objector is a person: the statement is addressed to them."""
    objection, *_rest, objector = objection_under_notice()

    statement = services.statement_request(
        actor=operator(), objection=objection, party="objector", question="请提供您主张权利的证明材料。"
    )

    assert statement.person == objector
    assert Notification.objects.filter(recipient_user=objector, kind="statement").exists()


def test_statement_request_refuses_a_party_not_in_the_case():
    """A dispute has a buyer and a merchant, not an objector."""
    trade = fulfilled_order()

    with pytest.raises(DomainError) as refused:
        services.statement_request(
            actor=operator(), dispute=dispute_on(trade), party="objector", question="请说明情况，谢谢配合。"
        )

    assert "party" in refused.value.errors


def test_statement_submit_by_the_party_records_the_answer():
    """The merchant answers the statement asked of it; the operator who asked is told."""
    trade = fulfilled_order()
    staff = operator()
    statement = services.statement_request(
        actor=staff, dispute=dispute_on(trade), party="merchant", question="请提供接口调用日志。"
    )

    statement = services.statement_submit(
        statement=statement, actor=trade.merchant_user, answer="调用日志显示接口正常返回，详见附件。"
    )

    assert statement.status == Statement.Status.RECEIVED
    assert statement.answered_by == trade.merchant_user
    assert Notification.objects.filter(recipient_user=staff, kind="statement").exists()


def test_statement_submit_refuses_the_other_party():
    """The buyer cannot answer a statement asked of the merchant."""
    trade = fulfilled_order()
    statement = services.statement_request(
        actor=operator(), dispute=dispute_on(trade), party="merchant", question="请提供接口调用日志。"
    )

    with pytest.raises(NotAllowed):
        services.statement_submit(statement=statement, actor=trade.buyer_user, answer="我来替商家回答这个问题。")


def test_statement_submit_only_once():
    """A statement is given once; a second answer is refused."""
    trade = fulfilled_order()
    statement = services.statement_request(
        actor=operator(), dispute=dispute_on(trade), party="buyer", question="请说明发现问题的时间。"
    )
    services.statement_submit(statement=statement, actor=trade.buyer_user, answer="2026年1月3日首次发现问题。")

    with pytest.raises(InvalidTransition):
        services.statement_submit(statement=statement, actor=trade.buyer_user, answer="补充说明：第二次回答。")


def test_statement_submit_closed_once_the_case_is_decided():
    """After the objection is decided, statements are no longer taken."""
    objection, product, holder, holder_user, objector = objection_under_notice()
    staff = operator()
    statement = services.statement_request(
        actor=staff, objection=objection, party="holder", question="请说明数据来源的合法性依据。"
    )
    catalog_services.objection_dismiss(objection=objection, actor=staff, reason="异议不成立。")

    with pytest.raises(InvalidTransition):
        services.statement_submit(statement=statement, actor=holder_user, answer="来源合法，有授权协议为证。")


def test_statement_request_refused_for_a_decided_objection():
    """No statement can be asked in a decided case."""
    objection, *_rest = objection_under_notice()
    staff = operator()
    catalog_services.objection_dismiss(objection=objection, actor=staff, reason="异议不成立。")

    with pytest.raises(InvalidTransition):
        services.statement_request(actor=staff, objection=objection, party="holder", question="请说明情况，谢谢。")


def test_statement_request_needs_an_operator():
    """A party cannot ask for statements."""
    objection, product, holder, holder_user, objector = objection_under_notice()

    with pytest.raises(NotAllowed):
        services.statement_request(
            actor=holder_user, objection=objection, party="objector", question="请撤回异议。谢谢"
        )


def test_statement_submit_by_another_member_of_the_organisation():
    """Any member of the party's organisation may answer for it."""
    trade = fulfilled_order()
    colleague = member(trade.merchant)
    statement = services.statement_request(
        actor=operator(), dispute=dispute_on(trade), party="merchant", question="请提供接口调用日志。"
    )

    statement = services.statement_submit(statement=statement, actor=colleague, answer="同事代为回答：日志见附件。")

    assert statement.answered_by == colleague
