"""Pages of certificates and peer exchanges: public verification, certificate page and PDF,
peers for operators (/console/peers/), recognition for merchants (/my/recognitions/) and its review
(/console/recognitions/)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.exceptions import DomainError

from .. import services, signing
from ..certificates import describe, qr_png, render_pdf, verification_url
from ..interop import selectors
from ..interop.client import PeerError
from ..interop.forms import PeerAddForm, ReasonForm, RecognitionForm, VerifyForm
from ..interop.verification import verify_input
from ..models import Listing, Peer, PeerCertificateStatus, ReviewFinding

operator_required = permission_required("accounts.operate_exchange", raise_exception=True)


def _form_error(form, exc: DomainError, default_field: str | None = None) -> None:
    """Show a domain error next to its field (or the form's top when it names none)."""
    errors = exc.errors or {(exc.field or default_field): exc.message}
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)


# --- public ----------------------------------------------------------------------------------


@require_GET
def verify(request):
    """Paste a code, a certificate or open the QR link: the verdict, who issued it, its status now, every field."""
    text = (request.GET.get("q") or request.GET.get("code") or "").strip()
    form = VerifyForm(initial={"q": text})
    result = verify_input(text) if text else None
    return render(request, "catalog/interop/verify.html", {"form": form, "result": result, "query": text})


def _issued_or_404(code: str):
    issued = selectors.issued_certificate(code)
    if issued is None:
        raise Http404(_("No certificate with this code was issued here."))
    return issued


@require_GET
def certificate_detail(request, code: str):
    """A certificate issued here: every field, the status now, the QR code and the PDF."""
    issued = _issued_or_404(code)
    return render(
        request,
        "catalog/interop/certificate.html",
        {
            "issued": issued,
            "rows": describe(issued.certificate.payload),
            "status_label": PeerCertificateStatus(issued.status).label,
            "verify_url": verification_url(issued.product.code),
            "history": issued.product.certificates.order_by("-ver"),
        },
    )


@require_GET
def certificate_pdf(request, code: str):
    """The printable certificate (PDF) with a QR code to the verification page."""
    issued = _issued_or_404(code)
    pdf = render_pdf(
        payload=issued.certificate.payload,
        status_label=str(PeerCertificateStatus(issued.status).label),
        exchange_name=settings.EXCHANGE_NAME,
        jws=issued.certificate.jws,
        kid=issued.certificate.kid,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{issued.product.code}-v{issued.certificate.ver}.pdf"'
    return response


@require_GET
def certificate_qr(request, code: str):
    """The QR code (PNG) that opens the verification page for this code."""
    issued = _issued_or_404(code)
    response = HttpResponse(qr_png(verification_url(issued.product.code)), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- operators: peers ------------------------------------------------------------------------


@login_required
@operator_required
@require_http_methods(["GET", "POST"])
def peer_list(request):
    """Peers with their trust, cursor, last success and last error; add one by its base URL."""
    form = PeerAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            peer = services.peer_add(base_url=form.cleaned_data["base_url"], actor=request.user)
        except DomainError as exc:
            _form_error(form, exc, "base_url")
        else:
            messages.success(
                request,
                _("Peer %(code)s registered. Compare its key fingerprints, then trust it.")
                % {"code": peer.exchange_code},
            )
            return redirect("catalog:peer_detail", pk=peer.pk)
    return render(
        request, "catalog/interop/peers.html", {"form": form, "peers": Peer.objects.order_by("exchange_code")}
    )


def _fingerprints(peer: Peer) -> list[dict]:
    keys = []
    for jwk in (peer.jwks or {}).get("keys", []):
        try:
            signing.jwk_public_key(jwk)
        except signing.JWSError:
            continue
        keys.append({"kid": jwk.get("kid", ""), "fingerprint": signing.fingerprint(jwk), "alg": jwk.get("alg", "")})
    return keys


@login_required
@operator_required
@require_GET
def peer_detail(request, pk: int):
    """One peer: discovery data, key fingerprints to compare, trust, following state."""
    peer = get_object_or_404(Peer, pk=pk)
    return render(
        request,
        "catalog/interop/peer_detail.html",
        {
            "peer": peer,
            "keys": _fingerprints(peer),
            "reason_form": ReasonForm(),
            "certificates": peer.certificates.order_by("-updated_at")[:20],
            "certificate_count": peer.certificates.count(),
        },
    )


@login_required
@operator_required
@require_POST
def peer_action(request, pk: int, action: str):
    """Trust, untrust, poll now, refresh keys or follow again from the start."""
    peer = get_object_or_404(Peer, pk=pk)
    try:
        if action == "trust":
            services.peer_trust(peer=peer, actor=request.user)
            messages.success(request, _("Peer trusted: its feed is followed and its requests accepted."))
        elif action == "untrust":
            services.peer_untrust(peer=peer, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Peer no longer trusted."))
        elif action == "poll":
            result = services.peer_follow(peer=peer)
            if result.error:
                messages.error(request, _("Following stopped: %(error)s") % {"error": result.error})
            else:
                messages.success(request, _("%(count)s events applied.") % {"count": result.applied})
        elif action == "refresh":
            services.peer_refresh_keys(peer=peer)
            messages.success(request, _("Keys fetched again. Compare the fingerprints."))
        elif action == "restart":
            services.peer_reset_cursor(peer=peer, actor=request.user, cursor=0)
            messages.success(request, _("The feed will be followed again from the start."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    except PeerError as exc:
        messages.error(request, _("The peer could not be reached: %(why)s") % {"why": exc.message})
    return redirect("catalog:peer_detail", pk=peer.pk)


# --- merchants: recognition ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def recognition_list(request):
    """List here a product registered at a peer exchange, by its code or QR link; and the ones listed so far."""
    org = request.organization
    if org is None or not org.is_merchant:
        raise PermissionDenied(_("Only merchant organisations list products."))
    form = RecognitionForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            product = services.recognition_create(org=org, actor=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            _form_error(form, exc, "code")
        else:
            messages.success(
                request,
                _("Certificate verified. %(code)s is listed here once the exchange's review approves it.")
                % {"code": product.code},
            )
            return redirect("catalog:recognitions")
    return render(
        request,
        "catalog/interop/recognitions.html",
        {"form": form, "recognitions": selectors.outbound_recognitions(org), "organization": org},
    )


# --- operators: review of recognised listings ------------------------------------------------


@login_required
@operator_required
@require_GET
def recognition_review(request):
    """Listings of peers' registrations waiting for review, with the certificate kept as evidence."""
    listings = list(selectors.recognized_listings_in_review())
    findings = ReviewFinding.objects.filter(product__in=[listing.product for listing in listings])
    by_product: dict[int, list] = {}
    for finding in findings:
        by_product.setdefault(finding.product_id, []).append(finding)
    items = [
        {
            "listing": listing,
            "product": listing.product,
            "rows": _evidence_rows(listing.product),
            "findings": by_product.get(listing.product_id, []),
        }
        for listing in listings
    ]
    return render(request, "catalog/interop/recognition_review.html", {"items": items, "reason_form": ReasonForm()})


def _evidence_rows(product) -> list[tuple[str, str]]:
    recognition = product.recognitions.filter(recognized_by=settings.EXCHANGE_CODE).first()
    if recognition is None or not recognition.evidence_jws:
        return []
    try:
        return describe(signing.parse(recognition.evidence_jws).payload)
    except signing.JWSError:
        return []


@login_required
@operator_required
@require_POST
def recognition_decide(request, pk: int, action: str):
    """Approve or reject a recognised listing in review."""
    listing = get_object_or_404(Listing, pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "approve":
            services.listing_approve(listing=listing, actor=request.user, reason=reason)
            messages.success(request, _("Listed; the issuing exchange is told."))
        elif action == "reject":
            services.listing_reject(listing=listing, actor=request.user, reason=reason)
            messages.success(request, _("Listing rejected."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("catalog:recognition_review")
