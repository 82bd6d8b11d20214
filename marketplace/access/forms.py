"""Forms of the access pages. They parse input; the services decide."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DatasetTable, UpstreamEndpoint


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("What uses the key, e.g. 风控系统-生产."))
    expires_on = forms.DateField(
        label=_("Expires on (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        return timezone.make_aware(datetime.combine(day, time.max)) if day else None


class DatasetUploadForm(forms.Form):
    mode = forms.ChoiceField(label=_("Served as"), choices=DatasetTable.Mode.choices)
    file = forms.FileField(label=_("CSV file (UTF-8, first line = column names)"))
    lookup_columns = forms.CharField(
        label=_("Key columns (verification only)"),
        required=False,
        help_text=_("Comma-separated column names a record is found by, e.g. 统一社会信用代码."),
    )

    def lookup_list(self) -> list[str]:
        text = (self.cleaned_data.get("lookup_columns") or "").replace("，", ",")
        return [c.strip() for c in text.split(",") if c.strip()]


class UpstreamForm(forms.Form):
    url = forms.URLField(label=_("Endpoint URL"), max_length=500, assume_scheme="https")
    method = forms.ChoiceField(label=_("Method"), choices=UpstreamEndpoint.Method.choices)
    auth_header = forms.CharField(label=_("Credential header"), max_length=64, initial="Authorization")
    credential = forms.CharField(
        label=_("Credential"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and sent only to your endpoint. Leave empty to keep the stored one."),
    )
