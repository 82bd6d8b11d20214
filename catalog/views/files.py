"""A product's uploaded files: the cover for whoever may see the product, the rest for its holder and operators."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.files import image_file, private_file
from accounts.selectors import is_member

from .. import selectors
from ..models import Product


def _is_insider(user, product: Product) -> bool:
    """The holder's members and the exchange's operators."""
    if not user.is_authenticated:
        return False
    return user.has_perm("accounts.operate_exchange") or is_member(user, product.holder)


def product_file(request, pk: int, which: str):
    """``cover`` and ``thumbnail`` are public once the registration is (from the public notice on), like its page;
    before that, and for ``sample`` (the raw sample, before masking) and ``evidence`` (consent or anonymisation
    evidence), only the holder's members and the operators. Anyone else gets a 404, as for a missing file."""
    if which not in Product.FILES:
        raise Http404
    product = get_object_or_404(Product.objects.select_related("holder"), pk=pk)
    field_file = getattr(product, Product.FILES[which])
    public = which in Product.PUBLIC_FILES and product.code is not None and product.status in selectors.PUBLIC_STATUSES
    if not (public or _is_insider(request.user, product)):
        raise Http404
    if which in Product.PUBLIC_FILES:
        return image_file(field_file, public=public)
    return private_file(field_file)
