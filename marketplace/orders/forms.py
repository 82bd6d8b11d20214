"""Forms of the order pages. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.choices import Purpose

from .models import PaymentMethod


class CheckoutForm(forms.Form):
    plan = forms.TypedChoiceField(label=_("Plan"), coerce=int)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000_000, initial=1)
    purpose = forms.ChoiceField(label=_("Purpose"))
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect, required=False)

    def __init__(self, *args, plans, purposes, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.pk, f"{p.name} · {p.get_kind_display()}") for p in plans]
        self.fields["purpose"].choices = [("", "—"), *purposes]
        self.fields["payment_method"].choices = [(m, PaymentMethod(m).label) for m in methods]
        self.fields["quantity"].help_text = _("Calls, thousands of records, months or licences, as the plan is billed.")
        if methods:
            self.fields["payment_method"].initial = methods[0]


class PurposeChoices:
    """The purposes a buyer may pick for a product (all when the product names none)."""

    @staticmethod
    def for_product(product) -> list[tuple[str, str]]:
        allowed = product.allowed_purposes or Purpose.values
        return [(p.value, p.label) for p in Purpose if p.value in allowed]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class TransferConfirmForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount received (¥)"), max_digits=14, decimal_places=2, min_value=0)
    bank_serial = forms.CharField(label=_("Bank serial number (流水号)"), max_length=64)
    payer_name = forms.CharField(label=_("Payer account name"), max_length=200, required=False)
