"""Scenarios of ``marketplace.governance.services``."""

from django.utils import timezone

from marketplace.governance import services
from tests.factories import OrganizationFactory, operator
from tests.governance.helpers import dispute_on, fulfilled_order, objection_under_notice

from . import scenario


@scenario("governance.dispute_file", "dispute.file")
def _dispute_file(ctx):
    trade = fulfilled_order()
    return lambda: dispute_on(trade)


@scenario("governance.dispute_investigate", "dispute.investigate")
def _dispute_investigate(ctx):
    dispute, staff = dispute_on(fulfilled_order()), operator()
    return lambda: services.dispute_investigate(dispute=dispute, actor=staff)


@scenario(
    "governance.dispute_uphold",
    "dispute.uphold",
    "access.entitlement_revoke",
    "orders.order_refund",
    why="Upheld with a refund, it refunds the order through the orders service (which revokes the entitlement).",
)
def _dispute_uphold(ctx):
    dispute, staff = dispute_on(fulfilled_order()), operator()
    return lambda: services.dispute_uphold(dispute=dispute, actor=staff, reason="字段缺失属实。", refund=True)


@scenario("governance.dispute_dismiss", "dispute.dismiss")
def _dispute_dismiss(ctx):
    dispute, staff = dispute_on(fulfilled_order()), operator()
    return lambda: services.dispute_dismiss(dispute=dispute, actor=staff, reason="不属实。")


@scenario("governance.statement_request", "statement.request")
def _statement_request(ctx):
    objection, *_rest = objection_under_notice()
    staff = operator()
    return lambda: services.statement_request(
        actor=staff, objection=objection, party="holder", question="请说明数据来源的合法性依据。"
    )


@scenario("governance.statement_submit", "statement.submit")
def _statement_submit(ctx):
    objection, _product, _holder, holder_user, _objector = objection_under_notice()
    statement = services.statement_request(
        actor=operator(), objection=objection, party="holder", question="请说明数据来源的合法性依据。"
    )
    return lambda: services.statement_submit(
        statement=statement, actor=holder_user, answer="数据来自公开渠道并经授权。"
    )


def _violation_data():
    return {
        "kind": "false_information",
        "severity": "minor",
        "description": "挂牌信息与实际数据不符。",
        "occurred_on": timezone.localdate(),
    }


@scenario("governance.violation_record", "violation.record")
def _violation_record(ctx):
    org, staff = OrganizationFactory(), operator()
    return lambda: services.violation_record(organization=org, actor=staff, **_violation_data())


@scenario("governance.violation_rescind", "violation.rescind")
def _violation_rescind(ctx):
    org, staff = OrganizationFactory(), operator()
    violation = services.violation_record(organization=org, actor=staff, **_violation_data())
    return lambda: services.violation_rescind(violation=violation, actor=staff, reason="误录。")
