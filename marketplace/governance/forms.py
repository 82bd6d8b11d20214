"""Forms of governance's pages. They parse input; the services decide (their ``DomainError`` lands on the form)."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DISPUTE_PARTIES, OBJECTION_PARTIES, DisputeGround, StatementParty, ViolationKind, ViolationSeverity


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class UploadField(forms.FileField):
    """An optional supporting document, refused above ``EVIDENCE_MAX_BYTES``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s KB; the limit is %(limit)s KB.")
                % {"size": upload.size // 1024, "limit": settings.EVIDENCE_MAX_BYTES // 1024}
            )
        return upload


class DisputeForm(forms.Form):
    """A buyer's dispute over an order."""

    ground = forms.ChoiceField(label=_("What went wrong"), choices=[("", "---------"), *DisputeGround.choices])
    grounds = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=10,
        max_length=5000,
        help_text=_("Dates, what you expected and what you got (at least 10 characters)."),
    )
    refund_requested = forms.BooleanField(label=_("I ask for a refund"), required=False, initial=True)
    evidence = UploadField(
        label=_("Evidence (optional)"), help_text=_("For example the API responses or the contract.")
    )


class StatementRequestForm(forms.Form):
    """An operator asks one party for a statement."""

    party = forms.ChoiceField(label=_("Ask"))
    question = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        min_length=10,
        help_text=_("What the party should answer; the party reads it as written."),
    )
    due_days = forms.IntegerField(label=_("Days to answer"), min_value=1, max_value=60, initial=7)

    def __init__(self, *args, case: str, **kwargs):
        super().__init__(*args, **kwargs)
        parties = OBJECTION_PARTIES if case == "objection" else DISPUTE_PARTIES
        self.fields["party"].choices = [(party.value, StatementParty(party).label) for party in parties]


class StatementAnswerForm(forms.Form):
    """A party's statement."""

    answer = forms.CharField(
        label=_("Your statement"), widget=forms.Textarea(attrs={"rows": 5}), min_length=10, max_length=10000
    )
    attachment = UploadField(label=_("Attachment (optional)"))


class DecisionForm(forms.Form):
    """An operator's decision on an objection or a dispute, with its reasons."""

    reason = forms.CharField(
        label=_("Reasons (required; both parties read them)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    refund = forms.BooleanField(
        label=_("Refund the order in full (when upholding)"),
        required=False,
        help_text=_("The payment is returned, the revenue split reversed and the buyer's access revoked."),
    )


class ViolationForm(forms.Form):
    """An operator records a violation."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "---------"), *ViolationKind.choices])
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "---------"), *ViolationSeverity.choices])
    occurred_on = forms.DateField(label=_("Occurred on"), widget=DateInput())
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=10,
        max_length=5000,
        help_text=_("The organisation reads this; cite the rule breached (at least 10 characters)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (required; recorded)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class OrganizationSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or USCC"), required=False, max_length=100)
