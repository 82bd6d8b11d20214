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
