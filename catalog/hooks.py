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


# A listing became listed (first listing, resumed, reinstated or recognised) -----------------------------

ListingListedHandler = Callable[[int], None]  # (product id) -> None
listing_listed_handlers: list[ListingListedHandler] = []


def register_listing_listed_handler(handler: ListingListedHandler) -> ListingListedHandler:
    """Register a callable ``(product_id) -> None`` run after a listing becomes listed, once committed."""
    if handler not in listing_listed_handlers:
        listing_listed_handlers.append(handler)
    return handler


def listing_listed(product_id: int) -> None:
    """Tell every registered handler that the product's listing is now listed."""
    for handler in listing_listed_handlers:
        handler(product_id)


# May this organisation submit a registration? (governance: credit below the threshold) ------------------

SubmissionGuard = Callable[[object], "str | None"]  # (organisation) -> refusal message or None
submission_guards: list[SubmissionGuard] = []


def register_submission_guard(guard: SubmissionGuard) -> SubmissionGuard:
    """Register a callable ``(organisation) -> str | None``: a message refuses the submission."""
    if guard not in submission_guards:
        submission_guards.append(guard)
    return guard


def submission_refusal(organization) -> str | None:
    """The first registered guard's refusal of a submission by ``organization``, or None."""
    for guard in submission_guards:
        if message := guard(organization):
            return message
    return None
