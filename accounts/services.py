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


# Notifications ---------------------------------------------------------------------------------------------
# A notification is a message, not a state change of a governed object: it writes no audit entry.


def _notification_recipients(notification, members: dict[int, list[str]]) -> list[str]:
    """Where a notification's e-mail goes: the person, or the organisation's contact address or else its members."""
    if notification.recipient_user_id:
        email = notification.recipient_user.email
        return [email] if email else []
    org = notification.recipient_organization
    if org.contact_email:
        return [org.contact_email]
    return members.get(org.pk, [])


def notifications_email(*, notification_ids: list[int]) -> int:
    """E-mail notifications not e-mailed yet; each is claimed first, so none is ever sent twice. Returns how many."""
    from django.core.mail import send_mail

    from .models import Notification

    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient_user", "recipient_organization")
            .filter(pk__in=notification_ids, emailed_at=None)
        )
        Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(emailed_at=timezone.now())
    org_ids = {n.recipient_organization_id for n in claimed if n.recipient_organization_id}
    members: dict[int, list[str]] = {}
    for org_id, email in Membership.objects.filter(organization_id__in=org_ids).values_list(
        "organization_id", "user__email"
    ):
        if email and email not in members.setdefault(org_id, []):
            members[org_id].append(email)
    sent = 0
    for notification in claimed:
        recipients = _notification_recipients(notification, members)
        if not recipients:
            continue
        link = f"{settings.SITE_URL}{notification.url}" if notification.url.startswith("/") else notification.url
        subject = f"[{settings.EXCHANGE_NAME}] {notification.message.splitlines()[0][:80]}"
        send_mail(subject, f"{notification.message}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, recipients)
        sent += 1
    return sent


def _notification(
    *, kind: str, message: str, url: str = "", user=None, organization=None, dedupe_key=None, **recipient_ids
):
    """An unsaved notification; the recipient is ``user`` or ``organization`` (or ``user_id``/``organization_id``)."""
    from .models import Notification

    user_id = recipient_ids.pop("user_id", None) or getattr(user, "pk", None)
    organization_id = recipient_ids.pop("organization_id", None) or getattr(organization, "pk", None)
    if recipient_ids:
        raise TypeError(f"unexpected arguments: {sorted(recipient_ids)}")
    if (user_id is None) == (organization_id is None):
        raise ValueError("a notification needs exactly one recipient: a user or an organisation")
    return Notification(
        recipient_user_id=user_id,
        recipient_organization_id=organization_id,
        kind=kind[:40],
        message=message,
        url=url[:300],
        dedupe_key=dedupe_key or None,
    )


@transaction.atomic
def notify_many(drafts: list[dict]) -> list:
    """Write in-site notifications (each a dict of ``notify``'s arguments); a task e-mails them after commit.

    A notification whose ``dedupe_key`` was already written is skipped: written, and sent,
    once. Returns the notifications written now.
    """
    from .models import Notification

    fresh = [_notification(**draft) for draft in drafts]
    keys = [n.dedupe_key for n in fresh if n.dedupe_key]
    existing = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = [n for n in fresh if n.dedupe_key is None or n.dedupe_key not in existing]
    keyed = [n for n in fresh if n.dedupe_key]
    unkeyed = [n for n in fresh if not n.dedupe_key]
    written = Notification.objects.bulk_create(unkeyed)
    if keyed:
        # A key written meanwhile by another process is skipped here (its writer sends it).
        Notification.objects.bulk_create(keyed, ignore_conflicts=True)
        started = {n.dedupe_key for n in keyed}
        written += list(Notification.objects.filter(dedupe_key__in=started, emailed_at=None))
    ids = [n.pk for n in written]
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids), robust=True)
    return written


@transaction.atomic
def notify(
    *,
    kind: str,
    message: str,
    url: str = "",
    user: User | None = None,
    organization: Organization | None = None,
    dedupe_key: str | None = None,
):
    """Write an in-site notification (to a person or an organisation); a task e-mails it after commit.

    With ``dedupe_key`` it is written once: a repeat returns the first one and sends nothing.
    Returns ``(notification, created)``.
    """
    from .models import Notification

    draft = {"kind": kind, "message": message, "url": url, "user": user, "organization": organization}
    written = notify_many([{**draft, "dedupe_key": dedupe_key}])
    if written:
        return written[0], True
    return Notification.objects.get(dedupe_key=dedupe_key), False


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the person's unread notifications (theirs and their organisations'), or only ``ids``, as read."""
    from .selectors import notifications_for

    unread = notifications_for(user).filter(read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
