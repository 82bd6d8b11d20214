"""Scenarios of ``accounts.services``."""

from accounts import services
from accounts.models import Organization
from tests.factories import OrganizationFactory, UserFactory, make_uscc, member, operator

from . import scenario


@scenario("accounts.user_signup", "user.signup")
def _user_signup(ctx):
    return lambda: services.user_signup(username="newcomer", email="newcomer@example.com", password="pass-1234-word")


@scenario("accounts.organization_register", "organization.register")
def _organization_register(ctx):
    user = UserFactory()
    return lambda: services.organization_register(
        user=user, name="某某数据服务有限公司", uscc=make_uscc(), is_merchant=True, is_buyer=False
    )


@scenario("accounts.organization_verify", "organization.verify")
def _organization_verify(ctx):
    org, staff = OrganizationFactory(status=Organization.Status.SUBMITTED), operator()
    return lambda: services.organization_verify(org=org, actor=staff)


@scenario("accounts.organization_reject", "organization.reject")
def _organization_reject(ctx):
    org, staff = OrganizationFactory(status=Organization.Status.SUBMITTED), operator()
    return lambda: services.organization_reject(org=org, actor=staff, reason="营业执照不清晰。")


@scenario("accounts.organization_suspend", "organization.suspend")
def _organization_suspend(ctx):
    org, staff = OrganizationFactory(), operator()
    return lambda: services.organization_suspend(org=org, actor=staff, reason="涉嫌违规，暂停交易。")


@scenario("accounts.organization_resubmit", "organization.resubmit")
def _organization_resubmit(ctx):
    org = OrganizationFactory(status=Organization.Status.REJECTED)
    owner = member(org)
    return lambda: services.organization_resubmit(org=org, actor=owner)


@scenario("accounts.membership_add", "membership.add")
def _membership_add(ctx):
    org = OrganizationFactory()
    owner, newcomer = member(org), UserFactory()
    return lambda: services.membership_add(org=org, actor=owner, user=newcomer)


@scenario("accounts.staff_role_grant", "user.grant_role")
def _staff_role_grant(ctx):
    user = UserFactory()
    return lambda: services.staff_role_grant(user=user, role="operator")


@scenario("accounts.notify_many", why="A notification is a message to a person, not a change of a governed object.")
def _notify_many(ctx):
    user = UserFactory()
    return lambda: services.notify_many([{"kind": "test", "message": "您好", "user": user}])


@scenario(
    "accounts.notifications_mark_read", why="Reading one's own messages changes no governed object; nothing to trace."
)
def _notifications_mark_read(ctx):
    user = UserFactory()
    services.notify(kind="test", message="您好", user=user)
    return lambda: services.notifications_mark_read(user=user)
