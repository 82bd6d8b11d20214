"""Forms of the matching pages: they parse input; the services decide."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import DeliveryModeCode, Purpose, Section
from pricing.models import BillingUnit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money(label, **kwargs):
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


class DemandForm(forms.Form):
    """A buyer's demand: what data, in Chinese, and the structure matching reads."""

    title = forms.CharField(
        label=_("What data do you need?"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": "企业经营异常与行政处罚数据"}),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In your own words: the data, its fields, coverage and freshness. Matching reads these words."),
    )
    scenario = forms.CharField(
        label=_("Application scenario"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How you will use it, e.g. 对公贷款贷前风险核查."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", "—"), *Purpose.choices])
    section = forms.ChoiceField(
        label=_("Industry section"),
        required=False,
        choices=[("", _("Any section")), *Section.choices],
    )
    delivery_modes = forms.MultipleChoiceField(
        label=_("Delivery modes accepted"),
        required=False,
        choices=DeliveryModeCode.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to accept any."),
    )
    volume = forms.IntegerField(
        label=_("Expected volume"),
        min_value=1,
        max_value=1_000_000_000,
        initial=1,
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
    )
    volume_unit = forms.ChoiceField(label=_("Unit of the volume"), choices=BillingUnit.choices)
    budget_min = _money(_("Budget from (yuan)"))
    budget_max = _money(_("Budget up to (yuan)"), help_text=_("Quotes for your volume are compared with it."))
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    deadline = forms.DateField(label=_("Open until"), widget=DATE)
    is_public = forms.BooleanField(
        label=_("Show it in the public list of demands"),
        required=False,
        initial=True,
        help_text=_("Merchants whose products match it see it in any case."),
    )
    hide_buyer = forms.BooleanField(label=_("Hide our organisation's name"), required=False)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)

    @classmethod
    def for_demand(cls, demand, data=None):
        initial = {
            name: getattr(demand, name)
            for name in (
                "title",
                "description",
                "scenario",
                "purpose",
                "section",
                "delivery_modes",
                "volume",
                "volume_unit",
                "budget_min",
                "budget_max",
                "region",
                "deadline",
                "is_public",
                "hide_buyer",
            )
        }
        return cls(data, initial=initial)

    @classmethod
    def blank(cls, data=None):
        return cls(data, initial={"deadline": timezone.localdate() + timedelta(days=30), "is_public": True})


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=500)


class OfferForm(forms.Form):
    """A merchant's offer: a plan of one of its products at a price, valid until a date, with a message."""

    product = forms.ChoiceField(label=_("Product"))
    plan = forms.ChoiceField(label=_("Plan"))
    unit_price = forms.DecimalField(
        label=_("Price per unit (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        help_text=_("Per unit of the plan's billing; a public-data product's price may not exceed the guided cap."),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=1_000_000_000,
        required=False,
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
        help_text=_("Units of the plan; empty: the demand's volume."),
    )
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)
    message = forms.CharField(label=_("Message to the buyer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, products=(), plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [(str(p.pk), f"{p.name} ({p.code})") for p in products]
        self.fields["plan"].choices = [
            (str(plan.pk), f"{plan.product.name} · {plan.name} · {plan.get_kind_display()}") for plan in plans
        ]
        if not self.is_bound:
            self.initial.setdefault("valid_until", timezone.localdate() + timedelta(days=14))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=500)
