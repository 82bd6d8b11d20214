"""Where merchants' uploads wait to be loaded: outside MEDIA_ROOT, never served by URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """``PRIVATE_UPLOAD_ROOT``, read at each use (so tests can point it elsewhere); files have no URL."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_UPLOAD_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private uploads have no URL")


private_storage = PrivateStorage()
