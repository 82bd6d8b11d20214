"""Serializers of the accounts API: output shapes, and input shapes that only validate (services write)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from accounts.exceptions import DomainError
from accounts.models import Membership, Organization, User


def _first_message(messages) -> str:
    if isinstance(messages, dict):
        return _first_message(next(iter(messages.values())))
    if isinstance(messages, (list, tuple)):
        return _first_message(messages[0])
    return str(messages)


def validate_input(serializer_class, data, **kwargs) -> dict:
    """Validate ``data``; on failure raise DomainError (400 with ``detail``, ``field`` and ``errors``)."""
    serializer = serializer_class(data=data, **kwargs)
    if serializer.is_valid():
        return serializer.validated_data
    errors = {field: _first_message(messages) for field, messages in serializer.errors.items()}
    field, message = next(iter(errors.items()))
    if field != "non_field_errors":
        message = f"{field}: {message}"
    raise DomainError(message, field=None if field == "non_field_errors" else field, errors=errors)


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal: a sentence, and the field it is about when there is one."""

    detail = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = serializers.DictField(child=serializers.CharField(), required=False)


class TokenObtainSerializer(AuthTokenSerializer):
    """User name and password; staff who must use two-factor sign-in add a current one-time code."""

    otp = serializers.CharField(
        required=False,
        write_only=True,
        max_length=32,
        help_text=_("One-time code from the authenticator app (required for operators and the price authority)."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.pk", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["user_id", "username", "display_name", "role", "created_at"]


class OrganizationSerializer(serializers.ModelSerializer):
    # Not an EmailField in the schema: the address is optional and an empty string is no e-mail address.
    contact_email = serializers.CharField(read_only=True, help_text="An e-mail address, or empty when none was given.")
    has_business_licence = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "uscc",
            "is_merchant",
            "is_buyer",
            "is_sme",
            "is_public_data_operator",
            "contact_email",
            "status",
            "status_reason",
            "verified_at",
            "has_business_licence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_has_business_licence(self, org) -> bool:
        return bool(org.business_licence)


class OrganizationDetailSerializer(OrganizationSerializer):
    members = MemberSerializer(source="memberships", many=True, read_only=True)

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "members"]
        read_only_fields = fields


class MyOrganizationSerializer(serializers.ModelSerializer):
    """One of the person's organisations, with the person's role in it."""

    organization = OrganizationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["role", "organization"]


class MeSerializer(serializers.ModelSerializer):
    is_operator = serializers.BooleanField(read_only=True)
    is_price_authority = serializers.BooleanField(read_only=True)
    organizations = MyOrganizationSerializer(source="memberships", many=True, read_only=True)
    current_organization = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "display_name",
            "is_operator",
            "is_price_authority",
            "current_organization",
            "organizations",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_organization(self, user) -> int | None:
        organization = self.context.get("organization")
        return organization.pk if organization is not None else None


class OrganizationRegisterSerializer(serializers.Serializer):
    """Input of ``POST /organizations/``; the USCC and the licence are checked by ``organization_register``."""

    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(max_length=32, help_text=_("Unified Social Credit Code, 18 characters."))
    is_merchant = serializers.BooleanField(default=False)
    is_buyer = serializers.BooleanField(default=False)
    is_sme = serializers.BooleanField(default=False)
    is_public_data_operator = serializers.BooleanField(default=False)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    business_licence = serializers.FileField(
        required=False,
        help_text=_("PDF, JPEG or PNG, at most %(size)s bytes; send the request as multipart/form-data.")
        % {"size": settings.EVIDENCE_MAX_BYTES},
    )


class DecisionSerializer(serializers.Serializer):
    """Input of an operator's decision; rejecting and suspending need a reason."""

    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
