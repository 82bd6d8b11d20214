"""Filters of the audit trail, shared by the console page and the REST API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEntry

from . import selectors
from .models import Dispute


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEntryFilterSet(django_filters.FilterSet):
    """Action (or its prefix, e.g. ``registration.``), object type and id, actor, request id and a date range."""

    action = django_filters.CharFilter(
        label=_("Action"),
        lookup_expr="startswith",
        max_length=64,
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
        help_text=_("An action, or its beginning: “registration.” finds every registration change."),
    )
    object_type = django_filters.ChoiceFilter(label=_("Object type"), choices=[], empty_label=_("Any"))
    object_id = django_filters.CharFilter(label=_("Object id"), max_length=64)
    actor = django_filters.CharFilter(
        field_name="actor_label",
        lookup_expr="iexact",
        label=_("Actor"),
        max_length=150,
        help_text=_("A user name, or “system” for tasks."),
    )
    organization = django_filters.NumberFilter(field_name="actor_organization", label=_("Organisation id"))
    request_id = django_filters.CharFilter(label=_("Request id"), max_length=64)
    since = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("From"), widget=DateInput
    )
    until = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Until"), widget=DateInput
    )

    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "actor", "organization", "request_id", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["object_type"].extra["choices"] = [(name, name) for name in selectors.audit_object_types()]


class DisputeFilterSet(django_filters.FilterSet):
    """Filters of ``GET /api/v1/disputes/``."""

    status = django_filters.ChoiceFilter(choices=Dispute.Status.choices)
    ground = django_filters.ChoiceFilter(choices=Dispute.Ground.choices)

    class Meta:
        model = Dispute
        fields = ["status", "ground"]
