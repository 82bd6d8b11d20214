"""The parties' pages: my objections, objections against us, disputes, statements, and our credit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import DomainError
from accounts.forms import add_domain_error
from marketplace.orders.models import Order

from .. import credit as credit_rules
from .. import selectors, services
from ..forms import DisputeForm, StatementAnswerForm
from ..models import Statement, StatementParty
from ..services.statements import may_answer, statement_url


def _attach_answer_forms(statements, actor, failed) -> list[Statement]:
    """Give each statement ``actor`` still owes an ``answer_form`` (the failed one keeps its input and errors)."""
    for statement in statements:
        statement.answer_form = None
        if statement.status == Statement.Status.REQUESTED and may_answer(statement, actor):
            if failed and failed[0] == statement.pk:
                statement.answer_form = failed[1]
            else:
                statement.answer_form = StatementAnswerForm(auto_id=f"id_answer_{statement.pk}_%s")
    return statements


def _cases(objections, actor, failed) -> list[dict]:
    rows = []
    for objection in objections:
        statements = _attach_answer_forms(list(objection.statements.all()), actor, failed)
        rows.append({"objection": objection, "statements": statements})
    return rows


def _render_my_objections(request, *, failed=None):
    rows = _cases(selectors.objections_filed_by(request.user), request.user, failed)
    return render(request, "governance/my_objections.html", {"rows": rows}, status=400 if failed else 200)


@login_required
def my_objections(request):
    """Every objection the person filed: its state, the statements asked of them, and the outcome."""
    return _render_my_objections(request)


def _render_objections_against(request, *, failed=None):
    org = request.organization
    rows = _cases(selectors.objections_against(org), request.user, failed) if org else []
    return render(
        request, "governance/objections_against.html", {"rows": rows, "org": org}, status=400 if failed else 200
    )


@login_required
def objections_against(request):
    """Objections to the registrations of the organisation the person acts for."""
    return _render_objections_against(request)


@login_required
def disputes(request):
    """Disputes the organisation filed as buyer and those against it as merchant."""
    org = request.organization
    rows = list(selectors.disputes_of(org)) if org else []
    return render(
        request,
        "governance/disputes.html",
        {
            "org": org,
            "filed": [d for d in rows if d.buyer_id == org.pk] if org else [],
            "against": [d for d in rows if d.merchant_id == org.pk] if org else [],
            "disputable": selectors.disputable_orders(org)[:50] if org else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispute_create(request, number: str):
    """The buyer disputes one of its orders."""
    if request.organization is None:
        raise Http404(_("You do not act for an organisation."))
    order = get_object_or_404(
        Order.objects.select_related("product", "merchant"), number=number, buyer=request.organization
    )
    form = DisputeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = services.dispute_file(
                order=order, org=request.organization, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your dispute is filed. The exchange investigates and tells both parties."))
            return redirect("governance:dispute_detail", pk=dispute.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/dispute_form.html", {"order": order, "form": form}, status=status)


def _render_dispute(request, pk: int, *, failed=None):
    dispute = selectors.dispute_for_party(pk, request.organization)
    if dispute is None:
        raise Http404(_("No dispute of yours has this number."))
    side = StatementParty.BUYER if dispute.buyer_id == request.organization.pk else StatementParty.MERCHANT
    # Each side reads the statements asked of it; the operator reads both.
    own = [statement for statement in dispute.statements.all() if statement.party == side]
    context = {
        "dispute": dispute,
        "order": dispute.order,
        "side": side,
        "statements": _attach_answer_forms(own, request.user, failed),
    }
    return render(request, "governance/dispute_detail.html", context, status=400 if failed else 200)


@login_required
def dispute_detail(request, pk: int):
    """A dispute as a party sees it: its steps, the statements asked, the decision and any refund."""
    return _render_dispute(request, pk)


@login_required
@require_POST
def statement_answer(request, pk: int):
    """The party asked gives its statement; errors show on the page the question was read on."""
    statement = get_object_or_404(Statement.objects.select_related("objection", "dispute"), pk=pk)
    if not may_answer(statement, request.user):
        raise Http404(_("No statement of yours has this number."))
    form = StatementAnswerForm(request.POST, request.FILES, auto_id=f"id_answer_{statement.pk}_%s")
    if form.is_valid():
        try:
            services.statement_submit(statement=statement, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your statement is sent to the exchange."))
            return redirect(statement_url(statement))
    failed = (statement.pk, form)
    if statement.dispute_id:
        return _render_dispute(request, statement.dispute_id, failed=failed)
    if statement.party == StatementParty.OBJECTOR:
        return _render_my_objections(request, failed=failed)
    return _render_objections_against(request, failed=failed)


@login_required
def my_credit(request):
    """The organisation's credit: score, level, the record behind it and how to restore it."""
    org = request.organization
    context = {
        "org": org,
        "credit": credit_rules.credit_of(org) if org else None,
        "rules": credit_rules.rules(),
    }
    return render(request, "governance/my_credit.html", context)
