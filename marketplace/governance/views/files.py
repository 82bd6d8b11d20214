"""Files of objections, disputes and statements: to the operators and the party that sent them (accounts.files).

Anyone else gets a 404, as for a missing file. Evidence is sent as a download, never shown
in our origin.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.files import private_file
from accounts.selectors import is_member
from catalog.models import Objection

from ..models import Dispute, Statement
from ..services.statements import may_answer


def _is_operator(user) -> bool:
    return user.has_perm("accounts.operate_exchange")


@login_required
def objection_evidence(request, pk: int):
    """The objector's evidence: the operators examining it and the person who filed it."""
    objection = get_object_or_404(Objection, pk=pk)
    if not (_is_operator(request.user) or objection.objector_id == request.user.pk):
        raise Http404
    return private_file(objection.evidence)


@login_required
def dispute_evidence(request, pk: int):
    """The buyer's evidence: the operators and both parties (the merchant answers it)."""
    dispute = get_object_or_404(Dispute.objects.select_related("buyer", "merchant"), pk=pk)
    party = is_member(request.user, dispute.buyer) or is_member(request.user, dispute.merchant)
    if not (_is_operator(request.user) or party):
        raise Http404
    return private_file(dispute.evidence)


@login_required
def statement_attachment(request, pk: int):
    """A statement's attachment: the operators and the party that answered."""
    statement = get_object_or_404(Statement.objects.select_related("organization"), pk=pk)
    if not (_is_operator(request.user) or may_answer(statement, request.user)):
        raise Http404
    return private_file(statement.attachment)
