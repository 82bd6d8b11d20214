"""Forms of the account pages. They parse input; the services in ``accounts.services`` decide."""

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.utils.translation import gettext_lazy as _

from .exceptions import DomainError
from .models import Membership, Organization, User
from .services import validate_business_licence, validate_uscc


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: next to each field it names that the form has, and its message
    above the form when no field shows it or when it names several problems (a summary of them)."""
    errors = dict(error.errors or {})
    if error.field and error.field not in errors:
        errors[error.field] = error.message
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)
    placed = any(name in form.fields for name in errors)
    if (not placed or error.errors) and error.message not in errors.values():
        form.add_error(None, error.message)


class SignupForm(forms.Form):
    """A new person's account."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("Letters, digits and @/./+/-/_ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        required=False,
        help_text=_("How other people see you, e.g. your full name."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so the validators' rules appear in the visitor's language.
        self.fields["password1"].help_text = password_validators_help_text_html()

    def clean_username(self):
        username = User.normalize_username(self.cleaned_data["username"])
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            probe = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                display_name=cleaned.get("display_name", ""),
            )
            try:
                validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class OrganizationForm(forms.Form):
    """An organisation's registration, checked field by field before the service runs."""

    TRADES_AS = [
        ("merchant", _("Merchant: we sell data products")),
        ("buyer", _("Buyer: we buy data products")),
        ("both", _("Both")),
    ]

    name = forms.CharField(label=_("Name"), max_length=200)
    uscc = forms.CharField(
        label=_("Unified Social Credit Code"),
        max_length=32,
        help_text=_("18 characters, as printed on the business licence, e.g. 91350100M000100Y43."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "class": "code"}),
    )
    trades_as = forms.ChoiceField(label=_("Trades as"), choices=TRADES_AS, widget=forms.RadioSelect, initial="both")
    is_sme = forms.BooleanField(
        label=_("Small or micro enterprise"),
        required=False,
        help_text=_("Small and micro enterprises may get discounts on guided prices."),
    )
    is_public_data_operator = forms.BooleanField(
        label=_("Authorised public-data operator"),
        required=False,
        help_text=_("Tick if a public body authorised you to operate public data."),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    business_licence = forms.FileField(
        label=_("Business licence"),
        help_text=_("A PDF, JPEG or PNG file of at most %(size)s MB.")
        % {"size": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def clean_uscc(self):
        try:
            return validate_uscc(self.cleaned_data["uscc"])
        except DomainError as error:
            raise forms.ValidationError(error.message) from error

    def clean_business_licence(self):
        upload = self.cleaned_data["business_licence"]
        try:
            validate_business_licence(upload)
        except DomainError as error:
            raise forms.ValidationError(error.message) from error
        return upload

    def service_kwargs(self) -> dict:
        """The keyword arguments of ``organization_register``."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "uscc": data["uscc"],
            "is_merchant": data["trades_as"] in ("merchant", "both"),
            "is_buyer": data["trades_as"] in ("buyer", "both"),
            "is_sme": data["is_sme"],
            "is_public_data_operator": data["is_public_data_operator"],
            "contact_email": data["contact_email"],
            "business_licence": data["business_licence"],
        }


class MemberAddForm(forms.Form):
    """The owner names a person (by user name) to add to the organisation."""

    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No person has this user name. Ask them to sign up first."))
        self.cleaned_data["user"] = user
        return username


class DecisionForm(forms.Form):
    """An operator's decision on an organisation, with its reason."""

    ACTIONS = {
        "verify": _("Verify"),
        "reject": _("Reject"),
        "suspend": _("Suspend"),
        "reinstate": _("Reinstate"),
    }
    NEEDS_REASON = {"reject", "suspend"}

    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, action: str, organization: Organization, **kwargs):
        self.action = action
        self.organization = organization
        kwargs.setdefault("auto_id", f"id_org{organization.pk}_{action}_%s")
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        if action in self.NEEDS_REASON:
            reason.required = True
            reason.widget.attrs["required"] = True
        else:
            reason.label = _("Note (optional)")
            reason.widget = forms.TextInput()

    @property
    def label(self):
        return self.ACTIONS[self.action]
