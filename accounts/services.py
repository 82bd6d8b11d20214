"""Writes for people and organisations. Each one writes its audit entry."""

import io
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from .audit import audit_record
from .exceptions import DomainError, InvalidTransition, NotAllowed
from .models import Membership, Organization, User
from .roles import STAFF_ROLES
from .uscc import uscc_problem

USCC_MESSAGES = {
    "length": gettext_lazy("A Unified Social Credit Code has exactly 18 characters."),
    "characters": gettext_lazy(
        "A Unified Social Credit Code uses only digits and the capital letters A–H, J–N, P–R, T, U, W–Y."
    ),
    "check": gettext_lazy("The check character of this Unified Social Credit Code does not match: check for a typo."),
}


def validate_uscc(code: str) -> str:
    """Normalise and validate a USCC; raise DomainError with a clear message."""
    code = (code or "").strip().upper()
    problem = uscc_problem(code)
    if problem:
        raise DomainError(USCC_MESSAGES[problem], field="uscc")
    return code


@transaction.atomic
def user_signup(*, username: str, email: str, password: str, display_name: str = "") -> User:
    """Create a person's account."""
    user = User.objects.create_user(username=username, email=email, password=password, display_name=display_name)
    audit_record(action="user.signup", obj=user, actor=user, changes={"username": [None, username]})
    return user


@transaction.atomic
def organization_register(
    *,
    user: User,
    name: str,
    uscc: str,
    is_merchant: bool,
    is_buyer: bool,
    is_sme: bool = False,
    is_public_data_operator: bool = False,
    contact_email: str = "",
    business_licence=None,
) -> Organization:
    """Register an organisation with its creator as owner; it awaits verification."""
    uscc = validate_uscc(uscc)
    if not (is_merchant or is_buyer):
        raise DomainError(_("Choose merchant, buyer or both."), field="is_merchant")
    if Organization.objects.filter(uscc=uscc).exists():
        raise DomainError(_("An organisation with this code is already registered."), field="uscc")
    if business_licence is not None:
        business_licence = File(business_licence, name=licence_file_name(validate_business_licence(business_licence)))
    org = Organization(
        name=name.strip(),
        uscc=uscc,
        is_merchant=is_merchant,
        is_buyer=is_buyer,
        is_sme=is_sme,
        is_public_data_operator=is_public_data_operator,
        contact_email=contact_email,
    )
    if business_licence is not None:
        org.business_licence = business_licence
    org.save()
    Membership.objects.create(user=user, organization=org, role=Membership.Role.OWNER)
    audit_record(
        action="organization.register",
        obj=org,
        actor=user,
        organization=org,
        changes={"status": [None, org.status], "uscc": [None, uscc], "name": [None, org.name]},
    )
    return org


def _organization_move(org: Organization, *, to: str, actor: User, reason: str, action: str) -> Organization:
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if org.status == to:
        return org
    if not org.can_become(to):
        raise InvalidTransition(
            _("An organisation in state “%(from)s” cannot become “%(to)s”.")
            % {"from": org.get_status_display(), "to": Organization.Status(to).label}
        )
    before = org.status
    org.status = to
    org.status_reason = reason
    fields = ["status", "status_reason", "updated_at"]
    if to == Organization.Status.VERIFIED:
        org.verified_at = timezone.now()
        fields.append("verified_at")
    org.save(update_fields=fields)
    audit_record(action=action, obj=org, actor=actor, changes={"status": [before, to]}, reason=reason)
    return org


def _require_operator(actor: User) -> None:
    if not actor.has_perm("accounts.operate_exchange"):
        raise NotAllowed(_("Only exchange operators may do this."))


@transaction.atomic
def organization_verify(*, org: Organization, actor: User, reason: str = "") -> Organization:
    """An operator verifies (or re-instates) an organisation; it may trade."""
    _require_operator(actor)
    return _organization_move(
        org, to=Organization.Status.VERIFIED, actor=actor, reason=reason, action="organization.verify"
    )


@transaction.atomic
def organization_reject(*, org: Organization, actor: User, reason: str) -> Organization:
    """An operator refuses an organisation's verification, saying why."""
    _require_operator(actor)
    if not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    return _organization_move(
        org, to=Organization.Status.REJECTED, actor=actor, reason=reason, action="organization.reject"
    )


@transaction.atomic
def organization_suspend(*, org: Organization, actor: User, reason: str) -> Organization:
    """An operator suspends a verified organisation; it may not trade meanwhile."""
    _require_operator(actor)
    if not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    return _organization_move(
        org, to=Organization.Status.SUSPENDED, actor=actor, reason=reason, action="organization.suspend"
    )


@transaction.atomic
def organization_resubmit(*, org: Organization, actor: User) -> Organization:
    """The owner asks again for verification after a rejection."""
    if not Membership.objects.filter(organization=org, user=actor, role=Membership.Role.OWNER).exists():
        raise NotAllowed(_("Only the organisation's owner may do this."))
    return _organization_move(
        org, to=Organization.Status.SUBMITTED, actor=actor, reason="", action="organization.resubmit"
    )


@transaction.atomic
def membership_add(*, org: Organization, actor: User, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    """The owner adds a person to the organisation."""
    if not Membership.objects.filter(organization=org, user=actor, role=Membership.Role.OWNER).exists():
        raise NotAllowed(_("Only the organisation's owner may add members."))
    membership, created = Membership.objects.get_or_create(organization=org, user=user, defaults={"role": role})
    if created:
        audit_record(
            action="membership.add", obj=membership, actor=actor, organization=org, changes={"role": [None, role]}
        )
    return membership




@transaction.atomic
def staff_role_grant(*, user: User, role: str, actor: User | None = None) -> User:
    """Grant a staff role (a group of permissions); by a superuser, or by a command when ``actor`` is None."""
    if actor is not None and not actor.is_superuser:
        raise NotAllowed(_("Only an administrator may grant staff roles."))
    if role not in STAFF_ROLES:
        raise DomainError(_("Unknown staff role."), field="role")
    group = Group.objects.get(name=role)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        audit_record(action="user.grant_role", obj=user, actor=actor, changes={"roles": [None, role]})
    return user


LICENCE_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png"}
LICENCE_MAX_PIXELS = 60_000_000


def validate_business_licence(upload) -> str:
    """Check a business licence by its content (PDF, JPEG or PNG, size-limited); return its real extension."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise DomainError(
            _("The file is %(size)s KB; the limit is %(limit)s KB.")
            % {"size": upload.size // 1024, "limit": settings.EVIDENCE_MAX_BYTES // 1024},
            field="business_licence",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data:
        raise DomainError(_("The file is empty."), field="business_licence")
    if data.startswith(b"%PDF-"):
        return "pdf"
    not_readable = DomainError(
        _("The business licence must be a PDF, JPEG or PNG file; this file is none of them."), field="business_licence"
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in LICENCE_IMAGE_FORMATS:
                raise not_readable
            if image.width * image.height > LICENCE_MAX_PIXELS:
                raise DomainError(_("The image has too many pixels."), field="business_licence")
            image.load()
            return LICENCE_IMAGE_FORMATS[image.format]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise not_readable from exc


def licence_file_name(extension: str) -> str:
    """An unguessable storage name whose extension matches the file's real type."""
    return f"licence-{secrets.token_hex(8)}.{extension}"
