"""The negative list (负面清单) of terms that review flags."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError

from ..models import NegativeListTerm
from .transitions import require_operator


@transaction.atomic
def negative_term_add(*, actor, term: str, note: str = "") -> NegativeListTerm:
    """An operator adds a term to the negative list."""
    require_operator(actor)
    term = (term or "").strip()
    if not term:
        raise DomainError(_("Enter a term."), field="term")
    entry, created = NegativeListTerm.objects.get_or_create(term=term, defaults={"note": note, "created_by": actor})
    if created:
        audit_record(action="negative_list.add", obj=entry, actor=actor, changes={"term": [None, term]})
    return entry


@transaction.atomic
def negative_term_remove(*, actor, entry: NegativeListTerm) -> None:
    """An operator removes a term from the negative list."""
    require_operator(actor)
    audit_record(action="negative_list.remove", obj=entry, actor=actor, changes={"term": [entry.term, None]})
    entry.delete()
