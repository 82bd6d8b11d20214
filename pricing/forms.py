"""Forms of the pricing pages: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from catalog.choices import DeliveryModeCode, Section

from .models import FREE_USE_PURPOSES, BillingUnit, PlanKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money_field(label, **kwargs):
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


class GuidedTermsForm(forms.Form):
    """The terms of one version of a catalogue entry."""

    cap = _money_field(_("Price cap (收费上限), yuan per unit"))
    tiers = forms.CharField(
        label=_("Volume tiers (阶梯)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "1001, 0.40\n10001, 0.30"}),
        help_text=_(
            "Optional. One tier per line: the quantity from which it applies, then the unit price; "
            "the price must fall as volume rises. Units below the first tier are capped at the cap."
        ),
    )
    sme_discount_percent = forms.DecimalField(
        label=_("Small and micro enterprise discount (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        initial=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
    )
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE)
    effective_until = forms.DateField(label=_("Effective until"), required=False, widget=DATE)
    is_trial = forms.BooleanField(label=_("Trial standard (试行收费标准)"), required=False)
    trial_expires_on = forms.DateField(label=_("Trial expires on"), required=False, widget=DATE)
    basis = forms.CharField(label=_("Basis (document number)"), required=False, max_length=200)

    def terms(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            name: data.get(name)
            for name in (
                "cap",
                "tiers",
                "sme_discount_percent",
                "effective_from",
                "effective_until",
                "is_trial",
                "trial_expires_on",
                "basis",
            )
        }


class GuidedEntryForm(GuidedTermsForm):
    """A new catalogue entry: what it prices, then its first terms."""

    title = forms.CharField(label=_("Title"), max_length=120)
    section = forms.ChoiceField(label=_("Industry section"), choices=[("", "—"), *Section.choices])
    delivery_mode = forms.ChoiceField(label=_("Delivery mode"), choices=[("", "—"), *DeliveryModeCode.choices])
    billing_unit = forms.ChoiceField(label=_("Billing unit"), choices=[("", "—"), *BillingUnit.choices])

    field_order = ["title", "section", "delivery_mode", "billing_unit"]


def tiers_as_text(version) -> str:
    return "\n".join(f"{tier.from_quantity}, {tier.unit_price}" for tier in version.tier_list)


class PlanForm(forms.Form):
    """A new plan for one of the merchant's products."""

    name = forms.CharField(label=_("Plan name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    delivery_mode = forms.ChoiceField(label=_("Delivery mode"))
    unit_price = _money_field(
        _("Price (yuan per unit)"),
        required=False,
        help_text=_("Per call, per 1,000 records, per month or per licence; empty for a quotation on request."),
    )
    monthly_quota = forms.IntegerField(
        label=_("Calls included per month"), required=False, min_value=1, help_text=_("Subscriptions only.")
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery_mode"].choices = [(m.code, m.get_code_display()) for m in product.delivery_modes.all()]


class PlanEditForm(forms.Form):
    """What a merchant may change on an existing plan (kind and delivery mode stay)."""

    name = forms.CharField(label=_("Plan name"), max_length=80)
    unit_price = _money_field(_("Price (yuan per unit)"), required=False)
    monthly_quota = forms.IntegerField(label=_("Calls included per month"), required=False, min_value=1)


class PermittedRevenueForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Public-data operator"), queryset=Organization.objects.filter(is_public_data_operator=True)
    )
    year = forms.IntegerField(label=_("Period (year)"), min_value=2000, max_value=2100)
    operating_cost = _money_field(_("Operating cost"))
    permitted_profit = _money_field(_("Permitted profit"))
    tax = _money_field(_("Tax"))


class FreeUseApplyForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[(p.value, p.label) for p in FREE_USE_PURPOSES])
    statement = forms.CharField(
        label=_("Statement"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who will use the data, for which public-governance or public-welfare task, and why free."),
    )


class FreeUseDecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expires_on = forms.DateField(
        label=_("Free use until"), required=False, widget=DATE, help_text=_("Approval only; default one year.")
    )
