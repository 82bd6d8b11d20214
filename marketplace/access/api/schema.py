"""How the OpenAPI schema describes the data API's key authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.access.api.data.ApiKeyAuthentication"
    name = "dataApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "dxk_<prefix>_<secret>",
            "description": "An API key of the buyer organisation (created on the API keys page, shown once).",
        }
