"""Scenarios of the audit-coverage test: one per service that changes state.

Each scenario registers, under the service's name (``<app label>.<function>``), a builder that
prepares what the service needs (the *given*) and returns a callable that calls the service once
(the *when*), with the audit actions that call must append, in order. One action is the rule;
a service that drives other transitions (an upheld objection withdraws the registration) lists
every entry and says why, and so does one that writes none.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

MODULES = ("accounts", "catalog", "pricing", "orders", "access", "matching", "governance")


@dataclass(frozen=True)
class Scenario:
    service: str
    build: Callable
    actions: tuple[str, ...]
    why: str = ""


@dataclass
class Context:
    """What builders may use besides the database: pytest's ``settings``, ``monkeypatch`` and ``tmp_path``."""

    settings: object
    monkeypatch: object
    tmp_path: object
    extra: dict = field(default_factory=dict)


SCENARIOS: dict[str, Scenario] = {}


def scenario(service: str, *actions: str, why: str = ""):
    """Register the decorated builder ``(ctx) -> when`` as the scenario of ``service``."""

    def register(build):
        if service in SCENARIOS:
            raise ValueError(f"two scenarios for {service}")
        SCENARIOS[service] = Scenario(service, build, tuple(actions), why)
        return build

    return register


def load_all() -> dict[str, Scenario]:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
    return SCENARIOS
