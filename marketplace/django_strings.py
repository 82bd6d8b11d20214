"""Strings of Django itself that the exchange's pages show, translated again here.

Django's own zh_Hans catalogue keeps the ASCII colon as the form label suffix and
lacks some newer strings. Listing them here lets `makemessages` carry them into
locale/*/django.po (it skips the locale/ folder itself), where the project's
translation takes precedence over Django's. This module is never imported.
"""

from django.utils.translation import gettext_noop

# Translators: the suffix Django adds to form field labels (a full-width colon in Chinese).
gettext_noop(":")
# The empty choice of a model field's select (django.db.models.fields.BLANK_CHOICE_LABEL).
gettext_noop("- Select an option -")
