"""Every service that changes state writes its audit entry (DESIGN §3.6, issue 6).

The services are enumerated, not listed by hand: every public function named ``<entity>_<verb>`` that
a ``services`` module (or package) of one of the project's apps defines under ``@transaction.atomic``.
Each must have a scenario in ``tests/governance/audit_scenarios/`` that calls it once and states the
audit actions the call appends: exactly one, unless the scenario says why. A new service without a
scenario fails ``test_every_service_has_an_audit_scenario``; a service that stops writing its entry
fails its scenario.
"""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Max

from accounts.models import AuditEntry
from tests.governance.audit_scenarios import Context, load_all

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
SCENARIOS = load_all()


def is_atomic(function) -> bool:
    """Decorated with ``@transaction.atomic`` (Django's ``Atomic`` wraps it through ``ContextDecorator``)."""
    return getattr(function, "__wrapped__", None) is not None and function.__code__.co_qualname.startswith(
        "ContextDecorator.__call__"
    )


def _service_modules(app_config):
    try:
        module = importlib.import_module(f"{app_config.name}.services")
    except ModuleNotFoundError as error:
        if error.name != f"{app_config.name}.services":
            raise
        return []
    modules = [module]
    if hasattr(module, "__path__"):
        modules += [
            importlib.import_module(f"{module.__name__}.{info.name}") for info in pkgutil.iter_modules(module.__path__)
        ]
    return modules


def project_apps():
    root = Path(settings.BASE_DIR).resolve()
    return [config for config in apps.get_app_configs() if root in Path(config.path).resolve().parents]


def enumerate_services() -> dict[str, object]:
    """``{"<app label>.<function>": function}`` for every state-changing service of the project's apps."""
    found = {}
    for config in project_apps():
        for module in _service_modules(config):
            for name, function in vars(module).items():
                if (
                    inspect.isfunction(function)
                    and function.__module__ == module.__name__
                    and SERVICE_NAME.match(name)
                    and is_atomic(function)
                ):
                    found[f"{config.label}.{name}"] = function
    return found


def test_the_enumeration_finds_the_services_of_every_app():
    """The walk reaches services of each area, in modules and in packages (the test of the test)."""
    services = enumerate_services()

    labels = {name.split(".")[0] for name in services}

    assert {"accounts", "catalog", "pricing", "orders", "access", "matching", "governance"} <= labels
    assert "catalog.registration_approve" in services  # defined in the package catalog.services.review
    assert "governance.dispute_uphold" in services
    assert "catalog.move" not in services  # a helper, not named <entity>_<verb>


def test_every_service_has_an_audit_scenario():
    """The set of services equals the set of scenarios: a new service needs one, a removed one loses its own."""
    services = set(enumerate_services())

    missing = sorted(services - set(SCENARIOS))
    stale = sorted(set(SCENARIOS) - services)

    assert missing == [], f"services without an audit scenario: {missing}"
    assert stale == [], f"scenarios of services that no longer exist: {stale}"


def test_services_writing_other_than_one_entry_say_why():
    """Exactly one entry is the rule; every exception carries its reason."""
    unexplained = sorted(
        name for name, scenario in SCENARIOS.items() if len(scenario.actions) != 1 and not scenario.why
    )

    assert unexplained == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_service_writes_its_audit_entries(name, settings, monkeypatch, tmp_path):
    """Calling the service once appends exactly the declared entries, in order, to an intact chain."""
    from accounts.audit import audit_verify_chain

    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "private"
    scenario = SCENARIOS[name]
    when = scenario.build(Context(settings=settings, monkeypatch=monkeypatch, tmp_path=tmp_path))
    last = AuditEntry.objects.aggregate(last=Max("seq"))["last"] or 0

    when()

    written = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq").values_list("action", flat=True))
    assert written == list(scenario.actions)
    assert audit_verify_chain() is None


def test_a_new_service_without_a_scenario_is_caught(monkeypatch):
    """A service added to any services module shows up as missing its scenario."""
    from django.db import transaction

    from marketplace.governance.services import violations

    @transaction.atomic
    def violation_forgive(*, violation, actor):
        """A service someone adds later."""

    violation_forgive.__module__ = violations.__name__
    monkeypatch.setattr(violations, "violation_forgive", violation_forgive, raising=False)

    missing = set(enumerate_services()) - set(SCENARIOS)

    assert missing == {"governance.violation_forgive"}
