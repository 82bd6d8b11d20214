"""The certificate panel on the public product page: the certificate, its status, and who recognises it."""

from django.conf import settings

from ..hooks import Panel
from ..models import Certificate, PeerCertificate
from . import selectors


def certificate_panel(request, product) -> Panel | None:
    """For a registration made here: its certificate and the peers listing it; for a peer's: where it is registered."""
    if not product.code:
        return None
    if product.issuer == settings.EXCHANGE_CODE:
        certificate = Certificate.objects.filter(product=product).order_by("-ver").first()
        if certificate is None:
            return None
        status, changed_at = selectors.certificate_status(product, certificate)
        context = {
            "certificate": certificate,
            "status": status,
            "status_changed_at": changed_at,
            "recognized_by": selectors.recognitions_of(product.code),
        }
    else:
        context = {"peer_certificate": PeerCertificate.objects.filter(code=product.code).select_related("peer").first()}
    return Panel("catalog/interop/_product_panel.html", context, order=20)
