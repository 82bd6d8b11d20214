"""Checks shared by governance's services."""

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.exceptions import DomainError, NotAllowed
from accounts.selectors import is_member

MIN_TEXT = 10


def require_operator(actor) -> None:
    if actor is None or not actor.has_perm("accounts.operate_exchange"):
        raise NotAllowed(_("Only exchange operators may do this."))


def require_member(actor, organization) -> None:
    if organization is None or not is_member(actor, organization):
        raise NotAllowed(_("You do not act for this organisation."))


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reasons; they are recorded and shown to the parties."), field="reason")
    return reason


def require_text(text: str, *, field: str, message: str) -> str:
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        raise DomainError(message, field=field)
    return text


def check_upload(upload, *, field: str) -> None:
    if upload is not None and upload.size > settings.EVIDENCE_MAX_BYTES:
        raise DomainError(
            _("The file is %(size)s KB; the limit is %(limit)s KB.")
            % {"size": upload.size // 1024, "limit": settings.EVIDENCE_MAX_BYTES // 1024},
            field=field,
        )


def file_name(upload) -> str:
    return upload.name.rsplit("/", 1)[-1]
