"""Forms of the interop pages: verification, adding a peer, recognising a registration, deciding a review."""

from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    q = forms.CharField(
        label=_("Registration code, certificate or QR link"),
        max_length=64 * 1024,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "SHDX-2026-J-000123-L"}),
        help_text=_(
            "Paste a registration code, the whole certificate (a long text with two dots), or the link of its QR code."
        ),
    )


class PeerAddForm(forms.Form):
    base_url = forms.URLField(
        label=_("Peer's base URL"),
        max_length=300,
        assume_scheme="https",
        help_text=_("For example https://shdx.example — its discovery document and keys are fetched from there."),
    )


class RecognitionForm(forms.Form):
    code = forms.CharField(
        label=_("Registration code or QR link"),
        max_length=500,
        help_text=_("The code on the certificate issued by the other exchange, or the link its QR code opens."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
