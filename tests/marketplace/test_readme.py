"""The README documents every environment variable the settings read and every dependency."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_READ = re.compile(r"""(?:environ\.get|environ\[|env_int|env_bool)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_lists_every_environment_variable_of_the_settings():
    """A variable read in marketplace/settings.py appears in the README's tables."""
    settings_source = (ROOT / "marketplace" / "settings.py").read_text(encoding="utf-8")

    names = set(ENV_READ.findall(settings_source))

    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "EXCHANGE_CODE"} <= names  # the pattern still finds them
    missing = sorted(name for name in names if f"| `{name}` |" not in readme())
    assert missing == []


def test_readme_explains_every_dependency():
    """Each dependency of pyproject.toml has a line in the README's dependency table."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]

    names = {re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower() for requirement in requirements}

    documented = {match.lower() for match in re.findall(r"^\| ([A-Za-z0-9_.-]+)[\[ ]", readme(), flags=re.M)}
    assert sorted(names - documented) == []
