"""Services of the accounts area: registration with a licence checked by content, verification transitions, members."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts import services
from accounts.audit import audit_verify_chain
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import AuditEntry, Membership, Organization
from tests.factories import OrganizationFactory, UserFactory, make_uscc, member, operator, png_bytes

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, format="GIF")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def register(user, **overrides) -> Organization:
    kwargs = {"name": "示例数据科技有限公司", "uscc": make_uscc(), "is_merchant": True, "is_buyer": False}
    kwargs.update(overrides)
    return services.organization_register(user=user, **kwargs)


@pytest.mark.parametrize(
    ("name", "data", "extension"),
    [("licence.pdf", PDF_BYTES, "pdf"), ("licence.png", png_bytes(), "png"), ("scan.jpeg", jpeg_bytes(), "jpg")],
)
def test_validate_business_licence_accepts_pdf_png_and_jpeg(name, data, extension):
    """PDF, PNG and JPEG files are accepted and their real type is named."""
    licence = upload(name, data)

    found = services.validate_business_licence(licence)

    assert found == extension
    assert licence.read() == data  # left readable from the start


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("licence.png", b"this is plain text, not a picture"),
        ("licence.png", png_bytes()[:40]),
        ("licence.pdf", b"PDF-1.4 without its percent sign"),
        ("licence.gif", gif_bytes()),
        ("licence.png", b""),
    ],
)
def test_validate_business_licence_refuses_other_content(name, data):
    """Text named .png, a truncated PNG, a fake PDF, a GIF and an empty file are refused on the licence field."""
    licence = upload(name, data)

    with pytest.raises(DomainError) as refused:
        services.validate_business_licence(licence)

    assert refused.value.field == "business_licence"
    assert refused.value.message


def test_validate_business_licence_refuses_oversized_file(settings):
    """A licence over EVIDENCE_MAX_BYTES is refused with the limit in the message."""
    settings.EVIDENCE_MAX_BYTES = 2048
    licence = upload("licence.pdf", PDF_BYTES + b"0" * 4096)

    with pytest.raises(DomainError) as refused:
        services.validate_business_licence(licence)

    assert refused.value.field == "business_licence"
    assert "2" in refused.value.message


def test_organization_register_makes_owner_and_awaits_verification():
    """The creator becomes owner, the organisation awaits verification and the registration is audited."""
    user = UserFactory()

    org = register(user, uscc=" 91350100m000100y43 ", is_buyer=True, is_sme=True)

    assert org.status == Organization.Status.SUBMITTED
    assert org.uscc == "91350100M000100Y43"
    assert Membership.objects.get(organization=org).user == user
    assert Membership.objects.get(organization=org).role == Membership.Role.OWNER
    entry = AuditEntry.objects.get(action="organization.register")
    assert entry.object_id == str(org.pk)
    assert entry.actor == user


def test_organization_register_stores_licence_under_its_real_type(settings):
    """A PDF uploaded under a .png name is stored with a .pdf name that cannot be guessed."""
    user = UserFactory()

    org = register(user, business_licence=upload("licence.png", PDF_BYTES))

    stored = Path(org.business_licence.name)
    assert stored.suffix == ".pdf"
    assert stored.name != "licence.pdf"
    assert org.business_licence.open("rb").read() == PDF_BYTES


def test_organization_register_invalid_uscc_creates_nothing(settings):
    """An invalid code is refused on the uscc field; no organisation, member, audit entry or file is made."""
    user = UserFactory()

    with pytest.raises(DomainError) as refused:
        register(user, uscc="91350100M000100Y44", business_licence=upload("licence.pdf", PDF_BYTES))

    assert refused.value.field == "uscc"
    assert "check character" in refused.value.message
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()
    assert not AuditEntry.objects.filter(action="organization.register").exists()
    assert stored_files(settings) == []


def test_organization_register_fake_image_licence_creates_nothing(settings):
    """A text file named .png is refused; nothing is written."""
    user = UserFactory()

    with pytest.raises(DomainError) as refused:
        register(user, business_licence=upload("licence.png", b"not an image", "image/png"))

    assert refused.value.field == "business_licence"
    assert not Organization.objects.exists()
    assert stored_files(settings) == []


def test_organization_register_refuses_a_code_already_registered():
    """One organisation per USCC."""
    existing = OrganizationFactory()

    with pytest.raises(DomainError) as refused:
        register(UserFactory(), uscc=existing.uscc)

    assert refused.value.field == "uscc"
    assert Organization.objects.count() == 1


def test_organization_register_needs_merchant_or_buyer():
    """An organisation that neither sells nor buys is refused."""
    with pytest.raises(DomainError) as refused:
        register(UserFactory(), is_merchant=False, is_buyer=False)

    assert refused.value.field == "is_merchant"
    assert not Organization.objects.exists()


def test_organization_verify_records_who_and_when():
    """An operator verifies a submitted organisation; the audit trail records the move."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    staff = operator()

    org = services.organization_verify(org=org, actor=staff)

    assert org.status == Organization.Status.VERIFIED
    assert org.verified_at is not None
    entry = AuditEntry.objects.get(action="organization.verify")
    assert entry.actor == staff
    assert entry.changes == {"status": ["submitted", "verified"]}
    assert audit_verify_chain() is None


def test_organization_verify_repeat_changes_nothing():
    """Verifying twice writes one audit entry."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    staff = operator()
    services.organization_verify(org=org, actor=staff)

    services.organization_verify(org=org, actor=staff)

    assert AuditEntry.objects.filter(action="organization.verify").count() == 1


def test_organization_verify_needs_an_operator():
    """A person without the operator permission cannot verify."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    owner = member(org)

    with pytest.raises(NotAllowed):
        services.organization_verify(org=org, actor=owner)

    org.refresh_from_db()
    assert org.status == Organization.Status.SUBMITTED


def test_organization_reject_needs_a_reason():
    """Rejecting without a reason is refused on the reason field."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)

    with pytest.raises(DomainError) as refused:
        services.organization_reject(org=org, actor=operator(), reason="  ")

    assert refused.value.field == "reason"
    org.refresh_from_db()
    assert org.status == Organization.Status.SUBMITTED


def test_organization_reject_keeps_the_reason():
    """A rejection records its reason on the organisation and in the audit trail."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)

    org = services.organization_reject(org=org, actor=operator(), reason="营业执照模糊")

    assert org.status == Organization.Status.REJECTED
    assert org.status_reason == "营业执照模糊"
    assert AuditEntry.objects.get(action="organization.reject").reason == "营业执照模糊"


def test_organization_verify_refused_after_rejection():
    """A rejected organisation must be resubmitted before it can be verified."""
    org = OrganizationFactory(status=Organization.Status.REJECTED)

    with pytest.raises(InvalidTransition):
        services.organization_verify(org=org, actor=operator())

    org.refresh_from_db()
    assert org.status == Organization.Status.REJECTED


def test_organization_suspend_then_reinstate():
    """A verified organisation is suspended with a reason and reinstated by verifying it again."""
    org = OrganizationFactory(status=Organization.Status.VERIFIED)
    staff = operator()

    suspended = services.organization_suspend(org=org, actor=staff, reason="涉嫌违规交易")
    reinstated = services.organization_verify(org=suspended, actor=staff, reason="整改完成")

    assert suspended.status == Organization.Status.SUSPENDED
    assert reinstated.status == Organization.Status.VERIFIED
    actions = list(AuditEntry.objects.filter(object_id=str(org.pk)).values_list("action", flat=True))
    assert actions == ["organization.suspend", "organization.verify"]
    assert audit_verify_chain() is None


def test_organization_suspend_refused_while_submitted():
    """Only a verified organisation can be suspended."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)

    with pytest.raises(InvalidTransition):
        services.organization_suspend(org=org, actor=operator(), reason="x")


def test_organization_resubmit_by_owner_only():
    """The owner of a rejected organisation asks again; a mere member may not."""
    org = OrganizationFactory(status=Organization.Status.REJECTED, status_reason="缺少执照")
    owner = member(org)
    plain = UserFactory()
    Membership.objects.create(user=plain, organization=org, role=Membership.Role.MEMBER)

    with pytest.raises(NotAllowed):
        services.organization_resubmit(org=org, actor=plain)
    org = services.organization_resubmit(org=org, actor=owner)

    assert org.status == Organization.Status.SUBMITTED
    assert org.status_reason == ""
    assert AuditEntry.objects.filter(action="organization.resubmit").count() == 1


def test_membership_add_by_owner_is_idempotent():
    """The owner adds a person once; adding again changes nothing."""
    org = OrganizationFactory()
    owner = member(org)
    newcomer = UserFactory()

    first = services.membership_add(org=org, actor=owner, user=newcomer)
    again = services.membership_add(org=org, actor=owner, user=newcomer)

    assert first.pk == again.pk
    assert first.role == Membership.Role.MEMBER
    assert AuditEntry.objects.filter(action="membership.add").count() == 1


def test_membership_add_refused_to_non_owner():
    """A member who is not the owner cannot add people."""
    org = OrganizationFactory()
    plain = UserFactory()
    Membership.objects.create(user=plain, organization=org, role=Membership.Role.MEMBER)

    with pytest.raises(NotAllowed):
        services.membership_add(org=org, actor=plain, user=UserFactory())

    assert org.memberships.count() == 1


def test_user_signup_creates_an_account_and_audits_it():
    """Sign-up stores a usable password and writes an audit entry."""
    user = services.user_signup(
        username="lihua", email="li@example.com", password="pass-1234-word", display_name="李华"
    )

    assert user.check_password("pass-1234-word")
    assert str(user) == "李华"
    assert AuditEntry.objects.get(action="user.signup").actor == user
