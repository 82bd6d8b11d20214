"""Hooks through which higher apps extend catalog without catalog importing them.

``pricing`` registers a finding provider (prices outside the guided range);
later, peer certificates register a duplicate provider. Providers are
registered in the higher app's ``AppConfig.ready``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Finding:
    kind: str
    severity: str  # ReviewFinding.Severity value
    message: str
    detail: dict = field(default_factory=dict)


FindingProvider = Callable[[object], list[Finding]]
finding_providers: list[FindingProvider] = []


def register_finding_provider(provider: FindingProvider) -> FindingProvider:
    if provider not in finding_providers:
        finding_providers.append(provider)
    return provider


@dataclass
class Panel:
    """A section a higher app adds to the public product page."""

    template_name: str
    context: dict = field(default_factory=dict)
    order: int = 100


PanelProvider = Callable[[object, object], "Panel | None"]  # (request, product) -> Panel or None
product_panel_providers: list[PanelProvider] = []


def register_product_panel(provider: PanelProvider) -> PanelProvider:
    """Register a callable ``(request, product) -> Panel | None`` rendered on the product page."""
    if provider not in product_panel_providers:
        product_panel_providers.append(provider)
    return provider


def product_panels(request, product) -> list[Panel]:
    panels = [panel for provider in product_panel_providers if (panel := provider(request, product))]
    return sorted(panels, key=lambda panel: panel.order)
