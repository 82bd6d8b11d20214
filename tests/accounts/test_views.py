"""Account pages: sign-up and sign-in, the dashboard, organisations, and the verification console."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry, Membership, Organization, User
from tests.factories import OrganizationFactory, UserFactory, make_uscc, member, operator, png_bytes

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def organization_post(**overrides) -> dict:
    data = {
        "name": "上海示例数据科技有限公司",
        "uscc": make_uscc(),
        "trades_as": "both",
        "is_sme": "on",
        "contact_email": "contact@example.com",
        "business_licence": SimpleUploadedFile("licence.png", png_bytes(), content_type="image/png"),
    }
    data.update(overrides)
    return data


def field_errors(response, field: str) -> list[str]:
    return [str(message) for message in response.context["form"].errors.get(field, [])]


def stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


# Sign-up, sign-in, sign-out, password reset.


def test_signup_signs_in_and_opens_the_dashboard(client):
    """A new person signs up, is signed in, and lands on the dashboard with a call to register an organisation."""
    data = {
        "username": "wangfang",
        "email": "wang@example.com",
        "display_name": "王芳",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }

    response = client.post(reverse("accounts:signup"), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:dashboard")
    user = User.objects.get(username="wangfang")
    assert user.display_name == "王芳"
    assert response.context["user"] == user
    assert reverse("accounts:organization_create") in response.content.decode()


def test_signup_password_mismatch_shows_error_on_its_field(client):
    """Two different passwords are refused next to the second field; no account is made."""
    data = {"username": "wangfang", "email": "w@example.com", "password1": PASSWORD, "password2": "other-9876-word"}

    response = client.post(reverse("accounts:signup"), data)

    assert response.status_code == 200
    assert field_errors(response, "password2")
    assert not User.objects.filter(username="wangfang").exists()


def test_signup_refuses_a_taken_user_name(client):
    """A user name already used (in any case) is refused next to its field."""
    UserFactory(username="zhangwei")
    data = {"username": "ZhangWei", "email": "z@example.com", "password1": PASSWORD, "password2": PASSWORD}

    response = client.post(reverse("accounts:signup"), data)

    assert field_errors(response, "username")
    assert User.objects.filter(username__iexact="zhangwei").count() == 1


def test_signup_refuses_a_weak_password(client):
    """Django's password validators apply, next to the password field."""
    data = {"username": "weak", "email": "w@example.com", "password1": "12345678", "password2": "12345678"}

    response = client.post(reverse("accounts:signup"), data)

    assert field_errors(response, "password1")
    assert not User.objects.filter(username="weak").exists()


def test_login_page_has_the_login_form_the_browser_tests_use(client):
    """The sign-in form has class "login" and a submit button."""
    response = client.get(reverse("accounts:login"))

    html = response.content.decode()
    assert re.search(r'<form[^>]*class="login[ "]', html)
    assert 'type="submit"' in html
    assert 'name="username"' in html and 'name="password"' in html


def test_login_then_logout(client):
    """Signing in leads to the dashboard; signing out (POST) ends the session."""
    user = UserFactory()

    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")
    assert client.get(reverse("accounts:dashboard")).status_code == 200

    client.post(reverse("accounts:logout"))

    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_login_with_a_wrong_password_says_so(client):
    """A wrong password shows the form again with an error and does not sign in."""
    user = UserFactory()

    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-password"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    """The reset mail carries a link; following it sets a new password."""
    user = UserFactory(email="reset@example.com")

    response = client.post(reverse("accounts:password_reset"), {"email": "reset@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new_password = "new-pass-5678-word"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password)


# Dashboard.


def test_dashboard_needs_sign_in(client):
    """Anonymous visitors are sent to sign in."""
    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_dashboard_without_organisation_invites_to_register_one(client):
    """A person without organisation sees the call to action."""
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 200
    assert not response.context["memberships"]
    assert reverse("accounts:organization_create") in response.content.decode()


def test_dashboard_shows_each_status_and_the_rejection_reason(client):
    """Every organisation of the person appears with its status badge; a rejection shows its reason."""
    user = UserFactory()
    for org_status, reason in [
        (Organization.Status.SUBMITTED, ""),
        (Organization.Status.VERIFIED, ""),
        (Organization.Status.REJECTED, "营业执照已过期"),
        (Organization.Status.SUSPENDED, "涉嫌违规"),
    ]:
        org = OrganizationFactory(status=org_status, status_reason=reason)
        Membership.objects.create(user=user, organization=org, role=Membership.Role.OWNER)
    client.force_login(user)

    html = client.get(reverse("accounts:dashboard")).content.decode()

    assert 'class="badge warn"' in html
    assert 'class="badge ok"' in html
    assert html.count('class="badge bad"') >= 2
    assert "营业执照已过期" in html
    assert "涉嫌违规" in html


def test_dashboard_links_by_role(client):
    """A merchant gets "My products"; an operator gets the console and the verification queue."""
    org = OrganizationFactory(is_merchant=True, is_buyer=False)
    merchant = member(org)
    staff = operator()

    client.force_login(merchant)
    merchant_html = client.get(reverse("accounts:dashboard")).content.decode()
    client.force_login(staff)
    staff_html = client.get(reverse("accounts:dashboard")).content.decode()

    assert reverse("catalog:my_products") in merchant_html
    assert reverse("accounts:verification_queue") not in merchant_html
    assert reverse("accounts:verification_queue") in staff_html
    assert reverse("catalog:console") in staff_html


def test_organization_switch_changes_who_the_person_acts_for(client):
    """With two organisations, switching stores the choice in the session and the pages follow it."""
    first, second = OrganizationFactory(name="甲公司"), OrganizationFactory(name="乙公司")
    user = member(first)
    Membership.objects.create(user=user, organization=second, role=Membership.Role.MEMBER)
    client.force_login(user)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("accounts:organization_switch", args=[second.pk]) in html

    response = client.post(reverse("accounts:organization_switch", args=[second.pk]))

    assert response.status_code == 302
    assert client.session["organization_id"] == second.pk
    assert client.get(reverse("accounts:dashboard")).context["current"] == second


def test_organization_switch_refuses_a_foreign_organisation(client):
    """One cannot act for an organisation one does not belong to."""
    foreign = OrganizationFactory()
    client.force_login(member(OrganizationFactory()))

    response = client.post(reverse("accounts:organization_switch", args=[foreign.pk]))

    assert response.status_code == 404
    assert client.session.get("organization_id") != foreign.pk


def test_organization_switch_needs_post(client):
    """Switching is a state change: GET is refused."""
    org = OrganizationFactory()
    client.force_login(member(org))

    assert client.get(reverse("accounts:organization_switch", args=[org.pk])).status_code == 405


# Registering an organisation.


def test_organization_create_registers_and_acts_for_it(client):
    """A valid registration makes the person owner, awaits verification, and keeps the licence."""
    user = UserFactory()
    client.force_login(user)
    data = organization_post()

    response = client.post(reverse("accounts:organization_create"), data)

    org = Organization.objects.get(uscc=data["uscc"])
    assert response.status_code == 302
    assert response.url == reverse("accounts:organization_detail", args=[org.pk])
    assert org.status == Organization.Status.SUBMITTED
    assert org.is_merchant and org.is_buyer and org.is_sme
    assert org.business_licence.name.endswith(".png")
    assert Membership.objects.get(organization=org).user == user
    assert client.session["organization_id"] == org.pk


def test_organization_create_invalid_uscc_shows_error_and_creates_nothing(client, settings):
    """A code with a wrong check character is refused next to its field; nothing is stored."""
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:organization_create"), organization_post(uscc="91350100M000100Y44"))

    assert response.status_code == 200
    errors = field_errors(response, "uscc")
    assert errors and "check character" in errors[0]
    assert errors[0] in response.content.decode()
    assert not Organization.objects.exists()
    assert stored_files(settings) == []


def test_organization_create_refuses_text_named_png(client, settings):
    """A text file named .png is refused next to the licence field; nothing is stored."""
    client.force_login(UserFactory())
    fake = SimpleUploadedFile("licence.png", b"I am not a picture", content_type="image/png")

    response = client.post(reverse("accounts:organization_create"), organization_post(business_licence=fake))

    assert response.status_code == 200
    assert field_errors(response, "business_licence")
    assert not Organization.objects.exists()
    assert stored_files(settings) == []


def test_organization_create_refuses_an_oversized_licence(client, settings):
    """A licence over the size limit is refused next to its field; nothing is stored."""
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(UserFactory())
    big = SimpleUploadedFile("licence.pdf", PDF_BYTES + b"0" * 2048, content_type="application/pdf")

    response = client.post(reverse("accounts:organization_create"), organization_post(business_licence=big))

    assert "KB" in field_errors(response, "business_licence")[0]
    assert not Organization.objects.exists()
    assert stored_files(settings) == []


def test_organization_create_refuses_a_code_already_registered(client):
    """The service's refusal of a duplicate code appears next to the code field."""
    existing = OrganizationFactory()
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:organization_create"), organization_post(uscc=existing.uscc))

    assert field_errors(response, "uscc")
    assert Organization.objects.count() == 1


# The organisation page.


def test_organization_detail_hidden_from_non_members(client):
    """Someone outside the organisation gets 404, not its details."""
    org = OrganizationFactory()
    client.force_login(UserFactory())

    assert client.get(reverse("accounts:organization_detail", args=[org.pk])).status_code == 404


def test_organization_detail_shows_details_and_members(client):
    """A member sees the code, the status and the members."""
    org = OrganizationFactory(status=Organization.Status.REJECTED, status_reason="执照不清晰")
    owner = member(org, display_name="赵敏")
    client.force_login(owner)

    html = client.get(reverse("accounts:organization_detail", args=[org.pk])).content.decode()

    assert org.uscc in html
    assert "执照不清晰" in html
    assert "赵敏" in html
    assert 'name="action" value="resubmit"' in html


def test_organization_resubmit_from_the_page(client):
    """The owner of a rejected organisation submits it again."""
    org = OrganizationFactory(status=Organization.Status.REJECTED, status_reason="执照不清晰")
    client.force_login(member(org))

    response = client.post(reverse("accounts:organization_detail", args=[org.pk]), {"action": "resubmit"})

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == Organization.Status.SUBMITTED


def test_member_add_by_owner(client):
    """The owner adds a person by user name."""
    org = OrganizationFactory()
    client.force_login(member(org))
    newcomer = UserFactory(username="newcomer")

    response = client.post(reverse("accounts:member_add", args=[org.pk]), {"username": "newcomer", "role": "member"})

    assert response.status_code == 302
    assert Membership.objects.get(organization=org, user=newcomer).role == Membership.Role.MEMBER


def test_member_add_unknown_user_name_is_shown_on_the_field(client):
    """An unknown user name is refused next to the field."""
    org = OrganizationFactory()
    client.force_login(member(org))

    response = client.post(reverse("accounts:member_add", args=[org.pk]), {"username": "nobody", "role": "member"})

    assert response.status_code == 400
    assert response.context["member_form"].errors["username"]
    assert org.memberships.count() == 1


def test_member_add_refused_to_plain_members(client):
    """A member who is not the owner cannot add people."""
    org = OrganizationFactory()
    member(org)
    plain = UserFactory()
    Membership.objects.create(user=plain, organization=org, role=Membership.Role.MEMBER)
    UserFactory(username="friend")
    client.force_login(plain)

    response = client.post(reverse("accounts:member_add", args=[org.pk]), {"username": "friend", "role": "member"})

    assert response.status_code == 400
    assert not Membership.objects.filter(organization=org, user__username="friend").exists()


def test_licence_download_for_members_and_operators_only(client):
    """The licence is served to the organisation's members and to operators; others get 404."""
    owner = UserFactory()
    client.force_login(owner)
    client.post(reverse("accounts:organization_create"), organization_post())
    org = Organization.objects.get()
    url = reverse("accounts:organization_licence", args=[org.pk])

    as_owner = client.get(url)
    client.force_login(operator())
    as_operator = client.get(url)
    client.force_login(UserFactory())
    as_stranger = client.get(url)

    assert as_owner.status_code == 200
    assert as_owner["Content-Type"] == "image/png"
    assert b"".join(as_owner.streaming_content) == png_bytes()
    assert as_operator.status_code == 200
    assert as_stranger.status_code == 404


# The verification console.


def test_verification_queue_forbidden_to_non_operators(client):
    """A merchant gets 403 on the console and on its actions."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    client.force_login(member(OrganizationFactory()))

    queue = client.get(reverse("accounts:verification_queue"))
    decide = client.post(reverse("accounts:organization_decide", args=[org.pk, "verify"]))

    assert queue.status_code == 403
    assert decide.status_code == 403
    org.refresh_from_db()
    assert org.status == Organization.Status.SUBMITTED


def test_verification_queue_lists_submitted_organisations(client):
    """The queue shows submitted organisations with their code; the filter shows the others."""
    waiting = OrganizationFactory(status=Organization.Status.SUBMITTED, name="待审公司")
    verified = OrganizationFactory(status=Organization.Status.VERIFIED, name="已核验公司")
    client.force_login(operator())

    queue = client.get(reverse("accounts:verification_queue")).content.decode()
    everything = client.get(reverse("accounts:verification_queue"), {"status": "all"}).content.decode()

    assert waiting.uscc in queue
    assert verified.name not in queue
    assert reverse("accounts:organization_decide", args=[waiting.pk, "verify"]) in queue
    assert reverse("accounts:organization_decide", args=[waiting.pk, "reject"]) in queue
    assert verified.name in everything
    assert reverse("accounts:organization_decide", args=[verified.pk, "suspend"]) in everything


def test_operator_verifies_from_the_console(client):
    """Verify moves the organisation to verified and records who did it."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    staff = operator()
    client.force_login(staff)

    response = client.post(reverse("accounts:organization_decide", args=[org.pk, "verify"]))

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == Organization.Status.VERIFIED
    assert AuditEntry.objects.get(action="organization.verify", object_id=str(org.pk)).actor == staff


def test_operator_reject_needs_a_reason_shown_on_its_field(client):
    """Rejecting without a reason re-shows the queue with the error beside the reason; nothing changes."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    client.force_login(operator())

    response = client.post(reverse("accounts:organization_decide", args=[org.pk, "reject"]), {"reason": ""})

    assert response.status_code == 400
    row = next(row for row in response.context["rows"] if row["org"].pk == org.pk)
    failed = next(form for form in row["forms"] if form.action == "reject")
    assert failed.errors["reason"]
    org.refresh_from_db()
    assert org.status == Organization.Status.SUBMITTED


def test_operator_rejects_suspends_and_reinstates(client):
    """Reject with reason; a verified organisation is suspended and reinstated; each move is audited."""
    submitted = OrganizationFactory(status=Organization.Status.SUBMITTED)
    verified = OrganizationFactory(status=Organization.Status.VERIFIED)
    client.force_login(operator())

    client.post(reverse("accounts:organization_decide", args=[submitted.pk, "reject"]), {"reason": "执照不清晰"})
    client.post(reverse("accounts:organization_decide", args=[verified.pk, "suspend"]), {"reason": "违规"})
    suspended_state = Organization.objects.get(pk=verified.pk).status
    client.post(reverse("accounts:organization_decide", args=[verified.pk, "reinstate"]))

    submitted.refresh_from_db()
    verified.refresh_from_db()
    assert submitted.status == Organization.Status.REJECTED
    assert submitted.status_reason == "执照不清晰"
    assert suspended_state == Organization.Status.SUSPENDED
    assert verified.status == Organization.Status.VERIFIED
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"organization.reject", "organization.suspend", "organization.verify"} <= actions


def test_operator_illegal_move_is_explained(client):
    """Suspending an organisation that is not verified is refused with a message; nothing changes."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    client.force_login(operator())

    response = client.post(
        reverse("accounts:organization_decide", args=[org.pk, "suspend"]), {"reason": "x"}, follow=True
    )

    assert any(message.level_tag == "error" for message in response.context["messages"])
    org.refresh_from_db()
    assert org.status == Organization.Status.SUBMITTED


def test_operator_unknown_action_is_404(client):
    """Only the four decisions exist."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    client.force_login(operator())

    assert client.post(reverse("accounts:organization_decide", args=[org.pk, "delete"])).status_code == 404
