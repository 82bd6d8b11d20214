"""Statements (陈述) an operator asks of the parties to an objection or a dispute, and their answers."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.selectors import is_member
from accounts.services import notify
from catalog.models import Objection

from ..models import DISPUTE_PARTIES, OBJECTION_PARTIES, Dispute, Statement, StatementParty, StatementStatus
from ..rules import check_upload, file_name, require_operator, require_text

MAX_DUE_DAYS = 60


def _party_of_objection(objection: Objection, party: str) -> dict:
    if party == StatementParty.OBJECTOR:
        return {"person": objection.objector}
    return {"organization": objection.product.holder}


def _party_of_dispute(dispute: Dispute, party: str) -> dict:
    return {"organization": dispute.buyer if party == StatementParty.BUYER else dispute.merchant}


def statement_url(statement: Statement) -> str:
    """Where the party asked reads the question and answers."""
    if statement.dispute_id:
        return reverse("governance:dispute_detail", args=[statement.dispute_id])
    if statement.party == StatementParty.OBJECTOR:
        return reverse("governance:my_objections") + f"#objection-{statement.objection_id}"
    return reverse("governance:objections_against") + f"#objection-{statement.objection_id}"


@transaction.atomic
def statement_request(
    *,
    actor,
    party: str,
    question: str,
    objection: Objection | None = None,
    dispute: Dispute | None = None,
    due_days: int = 7,
) -> Statement:
    """An operator asks one party to an undecided objection or dispute for a statement by a date."""
    require_operator(actor)
    if (objection is None) == (dispute is None):
        raise ValueError("a statement belongs to exactly one objection or one dispute")
    if objection is not None:
        case = Objection.objects.select_for_update().select_related("product__holder", "objector").get(pk=objection.pk)
        if not case.is_active:
            raise InvalidTransition(_("This objection was already decided; no more statements are taken."))
        parties, who = OBJECTION_PARTIES, _party_of_objection
    else:
        case = Dispute.objects.select_for_update().select_related("buyer", "merchant").get(pk=dispute.pk)
        if not case.is_active:
            raise InvalidTransition(_("This dispute was already decided; no more statements are taken."))
        parties, who = DISPUTE_PARTIES, _party_of_dispute
    errors = {}
    if party not in parties:
        errors["party"] = _("Choose one of the parties to this case.")
    try:
        due_days = int(due_days)
        if not 1 <= due_days <= MAX_DUE_DAYS:
            raise ValueError
    except (TypeError, ValueError):
        errors["due_days"] = _("Give between 1 and 60 days to answer.")
    if len((question or "").strip()) < 10:
        errors["question"] = _("Say what the party should answer (at least 10 characters).")
    if errors:
        raise DomainError(_("The statement was not requested; correct the fields shown."), errors=errors)
    statement = Statement.objects.create(
        objection=case if objection is not None else None,
        dispute=case if dispute is not None else None,
        party=party,
        question=question.strip(),
        due_at=timezone.now() + timedelta(days=due_days),
        requested_by=actor,
        **who(case, party),
    )
    audit_record(
        action="statement.request",
        obj=statement,
        actor=actor,
        organization=statement.organization,
        changes={
            "status": [None, statement.status],
            "party": party,
            "case": f"{case._meta.label_lower}:{case.pk}",
            "due_at": statement.due_at,
        },
    )
    notify(
        kind="statement",
        user=statement.person,
        organization=None if statement.person else statement.organization,
        url=statement_url(statement),
        dedupe_key=f"statement:{statement.pk}:requested",
        message=_("The exchange asks for your statement by %(date)s: %(question)s")
        % {"date": timezone.localtime(statement.due_at).strftime("%Y-%m-%d"), "question": statement.question},
    )
    return statement


def may_answer(statement: Statement, actor) -> bool:
    """Whether ``actor`` answers for the party the statement was asked of."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if statement.person_id:
        return statement.person_id == actor.pk
    return is_member(actor, statement.organization)


@transaction.atomic
def statement_submit(*, statement: Statement, actor, answer: str, attachment=None) -> Statement:
    """The party asked answers, once, while the case is undecided."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if not may_answer(statement, actor):
        raise NotAllowed(_("This statement was asked of another party."))
    if not statement.can_become(StatementStatus.RECEIVED):
        raise InvalidTransition(_("This statement was already given."))
    case = statement.case
    if (statement.objection_id and not case.is_active) or (statement.dispute_id and not case.is_active):
        raise InvalidTransition(_("The case was decided; statements are closed."))
    answer = require_text(answer, field="answer", message=_("Write your statement (at least 10 characters)."))
    check_upload(attachment, field="attachment")
    statement.status = StatementStatus.RECEIVED
    statement.answer = answer
    statement.answered_by = actor
    statement.answered_at = timezone.now()
    if attachment is not None:
        statement.attachment.save(file_name(attachment), attachment, save=False)
    statement.save(update_fields=["status", "answer", "answered_by", "answered_at", "attachment"])
    audit_record(
        action="statement.submit",
        obj=statement,
        actor=actor,
        organization=statement.organization,
        changes={"status": [StatementStatus.REQUESTED, StatementStatus.RECEIVED]},
    )
    if statement.requested_by_id:
        notify(
            kind="statement",
            user=statement.requested_by,
            url=(
                reverse("governance:console_dispute", args=[statement.dispute_id])
                if statement.dispute_id
                else reverse("governance:console_objection", args=[statement.objection_id])
            ),
            dedupe_key=f"statement:{statement.pk}:received",
            message=_("%(party)s gave the statement you asked for.") % {"party": statement.get_party_display()},
        )
    return statement
