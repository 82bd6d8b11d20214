"""Forms of the merchant's registration pages and the operator console.

Forms only parse and check the shape of input; the rules live in ``catalog.services``,
whose ``DomainError`` the views attach back to these forms with ``accounts.forms.add_domain_error``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import (
    Classification,
    DataSourceType,
    DeliveryModeCode,
    PersonalDataBasis,
    Purpose,
    Right,
    Section,
    UpdateFrequency,
)
from .models import Product
from .services.registration import DRAFT_FIELDS

BLANK = [("", "---------")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _choices(choices):
    return BLANK + list(choices)


class ProductForm(forms.Form):
    """Every field of a registration. All but the name may stay empty on a draft."""

    # Fieldsets, in the order the page shows them: (key, legend, note, field names).
    FIELDSETS = (
        ("basics", _("The product"), "", ("name", "summary", "description", "section", "application_scenario")),
        (
            "data",
            _("The data"),
            "",
            (
                "data_source_type",
                "classification",
                "delivery_modes",
                "update_frequency",
                "coverage_start",
                "coverage_end",
                "coverage_region",
            ),
        ),
        ("use", _("Use and rights"), "", ("allowed_purposes", "rights")),
        ("files", _("Cover image and sample data"), "", ("cover_image", "sample_file")),
        (
            "public",
            _("Authorisation of public data"),
            _("Required for public data (公共数据)."),
            ("auth_authority", "auth_grantee", "auth_content", "auth_scope", "auth_valid_from", "auth_valid_until"),
        ),
        (
            "personal",
            _("Personal information"),
            _("Required for personal information data (个人信息数据)."),
            ("personal_basis", "personal_evidence"),
        ),
        ("commitment", _("Source-legality commitment (来源合法承诺)"), "", ("sign_commitment",)),
    )

    name = forms.CharField(label=_("Product name"), max_length=120)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_("One or two sentences shown in the catalog."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    section = forms.ChoiceField(
        label=_("Industry section (GB/T 4754-2017)"), choices=_choices(Section.choices), required=False
    )
    application_scenario = forms.CharField(
        label=_("Application scenario"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who uses the data for what. No registration without a declared scenario (无场景不登记)."),
    )
    data_source_type = forms.ChoiceField(
        label=_("Data source type"), choices=_choices(DataSourceType.choices), required=False
    )
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        initial=Classification.GENERAL,
        help_text=_("Core data (核心数据) may not be registered."),
    )
    delivery_modes = forms.MultipleChoiceField(
        label=_("Delivery modes"),
        choices=DeliveryModeCode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    update_frequency = forms.ChoiceField(
        label=_("Update frequency"), choices=_choices(UpdateFrequency.choices), required=False
    )
    coverage_start = forms.DateField(label=_("Coverage from"), required=False, widget=DateInput())
    coverage_end = forms.DateField(label=_("Coverage until"), required=False, widget=DateInput())
    coverage_region = forms.CharField(
        label=_("Coverage region"), max_length=200, required=False, help_text=_("For example 全国 or 上海市.")
    )
    allowed_purposes = forms.MultipleChoiceField(
        label=_("Allowed purposes"), choices=Purpose.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    rights = forms.MultipleChoiceField(
        label=_("Rights claimed"),
        choices=Right.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The three separated rights of 数据二十条."),
    )
    cover_image = forms.FileField(
        label=_("Cover image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        help_text=_("JPEG, PNG, WebP or GIF. Metadata is removed."),
    )
    sample_file = forms.FileField(
        label=_("Sample data (CSV)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_("A header row and a few data rows, UTF-8 or GB18030."),
    )
    auth_authority = forms.CharField(label=_("Authorising body"), max_length=200, required=False)
    auth_grantee = forms.CharField(
        label=_("Authorised party"),
        max_length=200,
        required=False,
        help_text=_("Your organisation's name or Unified Social Credit Code."),
    )
    auth_content = forms.CharField(
        label=_("Authorised content"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    auth_scope = forms.CharField(label=_("Authorised scope"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    auth_valid_from = forms.DateField(label=_("Authorised from"), required=False, widget=DateInput())
    auth_valid_until = forms.DateField(label=_("Authorised until"), required=False, widget=DateInput())
    personal_basis = forms.ChoiceField(
        label=_("Personal-data basis"), choices=_choices(PersonalDataBasis.choices), required=False
    )
    personal_evidence = forms.FileField(
        label=_("Consent or anonymisation evidence"),
        required=False,
        widget=forms.FileInput,
        help_text=_("A PDF or image of the consent records or the anonymisation report."),
    )
    sign_commitment = forms.BooleanField(
        label=_("I commit that the data was collected and is held lawfully, and that this registration is true."),
        required=False,
    )

    def __init__(self, *args, product: Product | None = None, organization=None, **kwargs):
        self.product = product
        if product is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from_product(product)
        elif organization is not None and "initial" not in kwargs:
            kwargs["initial"] = {"auth_grantee": organization.name, "classification": Classification.GENERAL}
        super().__init__(*args, **kwargs)
        if product is not None and product.commitment_signed_at:
            self.fields["sign_commitment"].initial = True
            self.fields["sign_commitment"].disabled = True
        # static/js/registration.js folds the fieldsets the chosen source type does not need.
        self.fields["data_source_type"].widget.attrs["data-source-type"] = ""

    def fieldsets(self):
        """``[(key, legend, note, [bound fields])]`` for the template."""
        return [(key, legend, note, [self[name] for name in names]) for key, legend, note, names in self.FIELDSETS]

    def draft_data(self) -> dict:
        """The plain fields in the shape ``product_save_draft`` takes."""
        return {name: self.cleaned_data[name] for name in DRAFT_FIELDS}

    def uploads(self) -> dict:
        """The uploaded files only (an untouched file input leaves the stored file as it is)."""
        return {name: self.cleaned_data[name] or None for name in ("cover_image", "sample_file", "personal_evidence")}


def initial_from_product(product: Product) -> dict:
    initial = {name: getattr(product, name) for name in DRAFT_FIELDS}
    initial["delivery_modes"] = list(product.delivery_modes.values_list("code", flat=True))
    initial["sign_commitment"] = bool(product.commitment_signed_at)
    return initial


class ReasonForm(forms.Form):
    """A decision with its reason; the service decides whether the reason is required."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NegativeTermForm(forms.Form):
    term = forms.CharField(label=_("Term"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ConsoleProductFilterForm(forms.Form):
    """Filters of the console's product list."""

    q = forms.CharField(label=_("Name or code"), required=False)
    status = forms.ChoiceField(
        label=_("Registration status"),
        required=False,
        choices=[("", _("Any status"))]
        + [(value, label) for value, label in Product.Status.choices if value != Product.Status.DRAFT],
    )
