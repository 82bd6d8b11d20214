"""Pages of two-factor sign-in: enrol an authenticator app (QR code), give a code after the password."""

import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import two_factor
from .exceptions import DomainError
from .forms import add_domain_error


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("One-time code"),
        max_length=32,
        help_text=gettext_lazy("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none", "autofocus": True}
        ),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("accounts:dashboard")


def _redirect_with_next(name: str, target: str):
    return redirect(f"{reverse(name)}?{urlencode({'next': target})}")


def _secret_for_typing(device) -> str:
    """The shared secret in base32 (what apps accept when typed), in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def two_factor_verify(request):
    """After the password: a code from the authenticator (or a recovery code) marks this session verified."""
    if not two_factor.is_enrolled(request.user):
        return _redirect_with_next("accounts:two_factor_enrol", _next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification = two_factor.two_factor_verify(user=request.user, token=form.cleaned_data["token"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            otp_login(request, verification.device)
            if verification.recovery_codes_left is not None:
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(left)d remain. Renew them on the two-factor page.")
                    % {"left": verification.recovery_codes_left},
                )
            return redirect(_next_url(request))
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}, status=status)


@never_cache
@login_required
def two_factor_enrol(request):
    """Set up an authenticator app: scan the QR code (or type the secret), then confirm with its first code.

    Someone already enrolled must have given a code in this session before setting up another authenticator.
    """
    enrolled = two_factor.is_enrolled(request.user)
    if enrolled and not two_factor.is_verified(request.user):
        return _redirect_with_next("accounts:two_factor_verify", reverse("accounts:two_factor_enrol"))
    form = CodeForm(request.POST or None)
    form.fields["token"].help_text = _("The 6-digit code your authenticator app shows for this site.")
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.totp_enrolment_confirm(user=request.user, token=form.cleaned_data["token"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            otp_login(request, device)  # the code just given proves it: this session is verified
            return render(
                request,
                "accounts/two_factor_recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "just_enrolled": True},
            )
    device = two_factor.totp_enrolment_start(user=request.user)
    context = {
        "form": form,
        "enrolled": enrolled,
        "required": two_factor.two_factor_required(request.user),
        "secret": _secret_for_typing(device),
        "next": _next_url(request),
        "recovery": two_factor.recovery_device(request.user),
    }
    return render(request, "accounts/two_factor_enrol.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
def two_factor_qr(request):
    """The QR code of the pending authenticator's set-up link (otpauth://), drawn here as SVG: no outside service."""
    device = two_factor.totp_device(request.user, confirmed=False)
    if device is None:
        raise Http404
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_POST
def recovery_codes_renew(request):
    """New recovery codes, shown once; only in a session verified with a code."""
    if not two_factor.is_verified(request.user):
        return _redirect_with_next("accounts:two_factor_verify", reverse("accounts:two_factor_enrol"))
    try:
        codes = two_factor.recovery_codes_renew(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:two_factor_enrol")
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:dashboard"), "just_enrolled": False},
    )
