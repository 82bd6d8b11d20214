"""Cover images: decoded to prove they are images, re-encoded without EXIF, thumbnailed."""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.exceptions import DomainError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = (480, 320)


def process_cover(upload) -> tuple[ContentFile, ContentFile]:
    """Return (clean image, thumbnail) files, or raise DomainError saying what is wrong."""
    if upload.size > settings.COVER_IMAGE_MAX_BYTES:
        raise DomainError(
            _("The image is %(size)s KB; the limit is %(limit)s KB.")
            % {"size": upload.size // 1024, "limit": settings.COVER_IMAGE_MAX_BYTES // 1024},
            field="cover_image",
        )
    data = upload.read()
    upload.seek(0)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in ALLOWED_FORMATS:
            raise DomainError(_("Upload a JPEG, PNG, WebP or GIF image."), field="cover_image")
        if image.width * image.height > MAX_PIXELS:
            raise DomainError(_("The image has too many pixels."), field="cover_image")
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise DomainError(_("The file is not an image that can be read."), field="cover_image") from exc
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    clean = _encode(image)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    return ContentFile(clean, name="cover.png" if image.mode == "RGBA" else "cover.jpg"), ContentFile(
        _encode(thumb), name="thumb.png" if thumb.mode == "RGBA" else "thumb.jpg"
    )


def _encode(image: Image.Image) -> bytes:
    """Re-encode pixel data only, so no EXIF or other metadata survives."""
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
