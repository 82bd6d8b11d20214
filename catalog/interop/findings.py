"""Review finding: a new registration that probably duplicates a peer's (interop-v1 §6 step 5)."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ..hooks import Finding
from ..models import PeerCertificate, PeerCertificateStatus
from ..search import normalize_name


def peer_duplicate_findings(product) -> list[Finding]:
    """Flag a registration whose holder and normalised name match a certificate known from a peer."""
    holder = getattr(product, "holder", None)
    name = product.name_normalized or normalize_name(product.name)
    if holder is None or not name:
        return []
    matches = (
        PeerCertificate.objects.filter(holder_uscc=holder.uscc, name_normalized=name)
        .exclude(status=PeerCertificateStatus.REVOKED)
        .exclude(code=product.code or "")
        .order_by("code")[:5]
    )
    return [
        Finding(
            kind="probable_peer_duplicate",
            severity="warning",
            message=_(
                "Probably already registered at the peer exchange %(issuer)s as %(code)s “%(name)s”: "
                "recognise that registration instead of registering again."
            )
            % {"issuer": match.issuer, "code": match.code, "name": match.name},
            detail={
                "code": match.code,
                "issuer": match.issuer,
                "recognize_url": reverse("catalog:recognitions") + "?" + urlencode({"code": match.code}),
            },
        )
        for match in matches
    ]
