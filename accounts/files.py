"""Serving uploaded files through views that check who asks, never straight from MEDIA_ROOT.

Evidence, licences, samples and statements hold personal and business data: each is served
by a view of the app that owns it, to the people its rule names (the others get a 404, as
if the file did not exist). ``MEDIA_ROOT`` is therefore never published by the web server
or by Django, in production or in development.

A private file is sent ``no-store`` and, unless the calling view names its type as one it
checked by content on upload (a licence's PNG or PDF, a re-encoded cover), as an
attachment of type ``application/octet-stream``: an uploaded HTML or SVG file opened from
our origin could otherwise run script as our site.
"""

import mimetypes
from pathlib import PurePosixPath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# Covers and thumbnails are decoded and re-encoded on upload (catalog.images), so these are what they say.
INLINE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _open(field_file: FieldFile):
    """The stored file opened for reading; 404 when there is none or it is gone from the disk."""
    if not field_file:
        raise Http404
    try:
        return field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing


def private_file(field_file: FieldFile, *, inline_types: frozenset[str] = frozenset()) -> FileResponse:
    """The stored file for the person the calling view has already authorised.

    Shown in the browser when its type is in ``inline_types`` (types the upload was checked to
    be), else a download.
    """
    handle = _open(field_file)
    name = PurePosixPath(field_file.name).name
    content_type = _content_type(name)
    if content_type in inline_types:
        response = FileResponse(handle, filename=name, content_type=content_type)
    else:
        response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response


def image_file(field_file: FieldFile, *, public: bool) -> FileResponse:
    """A re-encoded image shown in pages: inline, cacheable by anyone when ``public``, else by the browser only."""
    content_type = _content_type(field_file.name or "")
    if content_type not in INLINE_IMAGE_TYPES:
        return private_file(field_file)
    response = FileResponse(_open(field_file), content_type=content_type)
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age=3600"
    return response
