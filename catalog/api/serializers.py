"""Serializers of the catalog API: output shapes, and input serializers that only validate.

Writes go through ``catalog.services``; no serializer here creates or updates a row.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import (
    Classification,
    DataSourceType,
    DeliveryModeCode,
    PersonalDataBasis,
    PriceRegime,
    Purpose,
    Right,
    Section,
    UpdateFrequency,
)
from ..models import Objection, Product, ProductEvent, ReviewFinding
from ..selectors import public_sample_preview
from ..services.registration import DRAFT_FIELDS, missing_for_submission


@extend_schema_field(OpenApiTypes.URI)
class ProductFileField(serializers.Field):
    """The address of one of a product's files (``catalog.views.files``), or null when it has none.

    Files are served by that view, which checks who asks, never from MEDIA_ROOT.
    """

    def __init__(self, which: str, **kwargs):
        self.which = which
        super().__init__(source="*", read_only=True, allow_null=True, **kwargs)

    def to_representation(self, product):
        if not getattr(product, Product.FILES[self.which]):
            return None
        path = reverse("catalog:product_file", kwargs={"pk": product.pk, "which": self.which})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class HolderSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    uscc = serializers.CharField(read_only=True)


class SamplePreviewSerializer(serializers.Serializer):
    header = serializers.ListField(child=serializers.CharField(), read_only=True)
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), read_only=True)
    row_count = serializers.IntegerField(read_only=True)


class AuthorizationSerializer(serializers.Serializer):
    """The public-data authorisation (授权) of a product."""

    authority = serializers.CharField(source="auth_authority", read_only=True)
    grantee = serializers.CharField(source="auth_grantee", read_only=True)
    content = serializers.CharField(source="auth_content", read_only=True)
    scope = serializers.CharField(source="auth_scope", read_only=True)
    valid_from = serializers.DateField(source="auth_valid_from", read_only=True)
    valid_until = serializers.DateField(source="auth_valid_until", read_only=True)


class ProductEventSerializer(serializers.ModelSerializer):
    """One public transition: when, what, why."""

    to_status_label = serializers.CharField(source="get_to_status_display", read_only=True)

    class Meta:
        model = ProductEvent
        fields = ["created_at", "subject", "from_status", "to_status", "to_status_label", "reason"]
        read_only_fields = fields


class CatalogProductSerializer(serializers.ModelSerializer):
    """A listed product as a catalog row."""

    section_label = serializers.SerializerMethodField()
    delivery_modes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    price_regime = serializers.ChoiceField(choices=PriceRegime.choices, read_only=True)
    holder_name = serializers.CharField(source="holder.name", read_only=True)
    listed_at = serializers.DateTimeField(source="listing.listed_at", read_only=True)
    cover_thumbnail = ProductFileField("thumbnail")
    url = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "summary",
            "section",
            "section_label",
            "data_source_type",
            "delivery_modes",
            "price_regime",
            "holder_name",
            "listed_at",
            "cover_thumbnail",
            "url",
            "rank",
        ]
        read_only_fields = fields

    def get_section_label(self, product) -> str:
        # One translation lookup; get_section_display() would hash every section's label per row.
        return str(Section(product.section).label) if product.section else ""

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, product) -> str:
        path = reverse("catalog:product", kwargs={"code": product.code})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_rank(self, product) -> float | None:
        """Text relevance on PostgreSQL when the query had words; null otherwise."""
        rank = getattr(product, "rank", None)
        return round(float(rank), 6) if rank is not None else None


class CatalogProductDetailSerializer(CatalogProductSerializer):
    """A public registration with every public field, its history and sample preview."""

    holder = HolderSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    listing_status = serializers.SerializerMethodField()
    public_data_authorization = serializers.SerializerMethodField()
    sample_preview = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(CatalogProductSerializer.Meta):
        fields = [field for field in CatalogProductSerializer.Meta.fields if field not in ("rank", "holder_name")] + [
            "issuer",
            "description",
            "holder",
            "classification",
            "update_frequency",
            "coverage_start",
            "coverage_end",
            "coverage_region",
            "allowed_purposes",
            "rights",
            "application_scenario",
            "status",
            "status_label",
            "listing_status",
            "notice_ends_at",
            "registered_at",
            "public_data_authorization",
            "sample_preview",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_listing_status(self, product) -> str | None:
        listing = getattr(product, "listing", None)
        return listing.status if listing else None

    @extend_schema_field(AuthorizationSerializer(allow_null=True))
    def get_public_data_authorization(self, product):
        if product.data_source_type != DataSourceType.PUBLIC:
            return None
        return AuthorizationSerializer(product).data

    @extend_schema_field(SamplePreviewSerializer)
    def get_sample_preview(self, product):
        return public_sample_preview(product)

    @extend_schema_field(ProductEventSerializer(many=True))
    def get_events(self, product):
        events = getattr(product, "public_events", None)
        if events is None:
            events = product.events.filter(is_public=True)
        return ProductEventSerializer(events, many=True).data


class RegistrationSerializer(serializers.ModelSerializer):
    """A merchant's own registration, every state, with what a submission still lacks."""

    delivery_modes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    price_regime = serializers.ChoiceField(choices=PriceRegime.choices, read_only=True)
    # A draft may leave these empty (read-only fields from the model would not say so in the schema).
    section = serializers.ChoiceField(choices=Section.choices, allow_blank=True, read_only=True)
    data_source_type = serializers.ChoiceField(choices=DataSourceType.choices, allow_blank=True, read_only=True)
    update_frequency = serializers.ChoiceField(choices=UpdateFrequency.choices, allow_blank=True, read_only=True)
    personal_basis = serializers.ChoiceField(choices=PersonalDataBasis.choices, allow_blank=True, read_only=True)
    listing_status = serializers.SerializerMethodField()
    sample_preview = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    cover_image = ProductFileField("cover")
    cover_thumbnail = ProductFileField("thumbnail")
    sample_file = ProductFileField("sample")
    personal_evidence = ProductFileField("evidence")

    class Meta:
        model = Product
        # What the merchant edits (the draft fields), then what the exchange adds.
        fields = [
            "id",
            "code",
            "status",
            "status_reason",
            *DRAFT_FIELDS,
            "delivery_modes",
            "price_regime",
            "cover_image",
            "cover_thumbnail",
            "sample_file",
            "sample_preview",
            "personal_evidence",
            "commitment_signed_at",
            "submitted_at",
            "notice_ends_at",
            "registered_at",
            "listing_status",
            "missing",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_listing_status(self, product) -> str | None:
        listing = getattr(product, "listing", None)
        return listing.status if listing else None

    @extend_schema_field(SamplePreviewSerializer)
    def get_sample_preview(self, product):
        preview = product.sample_preview or {}
        return {key: preview.get(key, default) for key, default in (("header", []), ("rows", []), ("row_count", 0))}

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_missing(self, product) -> dict:
        """Field → message for what a submission still lacks (empty once submitted)."""
        if not product.is_editable:
            return {}
        return {key: str(message) for key, message in missing_for_submission(product).items()}


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewFinding
        fields = ["kind", "severity", "message", "detail"]
        read_only_fields = fields


class ReviewItemSerializer(serializers.ModelSerializer):
    """A registration in the operators' review queue, with its automatic findings."""

    holder = HolderSerializer(read_only=True)
    delivery_modes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "name",
            "status",
            "holder",
            "section",
            "data_source_type",
            "classification",
            "delivery_modes",
            "submitted_at",
            "findings",
        ]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "product_code", "status", "grounds", "created_at"]
        read_only_fields = fields


# Input serializers: they check the shape of a request; services apply the rules.


def _blank_choices(choices):
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True)


class RegistrationInputSerializer(serializers.Serializer):
    """Draft fields of a registration; any subset may be sent (JSON or multipart)."""

    name = serializers.CharField(max_length=120, required=False)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    section = _blank_choices(Section.choices)
    data_source_type = _blank_choices(DataSourceType.choices)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    update_frequency = _blank_choices(UpdateFrequency.choices)
    coverage_start = serializers.DateField(required=False, allow_null=True)
    coverage_end = serializers.DateField(required=False, allow_null=True)
    coverage_region = serializers.CharField(max_length=200, required=False, allow_blank=True)
    allowed_purposes = serializers.ListField(child=serializers.ChoiceField(choices=Purpose.choices), required=False)
    application_scenario = serializers.CharField(required=False, allow_blank=True)
    rights = serializers.ListField(child=serializers.ChoiceField(choices=Right.choices), required=False)
    auth_authority = serializers.CharField(max_length=200, required=False, allow_blank=True)
    auth_grantee = serializers.CharField(max_length=200, required=False, allow_blank=True)
    auth_content = serializers.CharField(required=False, allow_blank=True)
    auth_scope = serializers.CharField(required=False, allow_blank=True)
    auth_valid_from = serializers.DateField(required=False, allow_null=True)
    auth_valid_until = serializers.DateField(required=False, allow_null=True)
    personal_basis = _blank_choices(PersonalDataBasis.choices)
    delivery_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=DeliveryModeCode.choices), required=False
    )
    cover_image = serializers.FileField(
        required=False, help_text=_("JPEG, PNG, WebP or GIF; decoded, EXIF stripped and thumbnailed.")
    )
    sample_file = serializers.FileField(required=False, help_text=_("CSV sample data, UTF-8 or GB18030."))
    personal_evidence = serializers.FileField(required=False)
    sign_commitment = serializers.BooleanField(
        required=False, default=False, help_text=_("Sign the source-legality commitment (来源合法承诺).")
    )


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ObjectionInputSerializer(serializers.Serializer):
    grounds = serializers.CharField(max_length=5000)
    evidence = serializers.FileField(required=False)
