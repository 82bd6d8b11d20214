"""The shipped translations: a complete Simplified Chinese catalogue, and pages served in the visitor's language."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%|\{\w*\}|</?[a-zA-Z][^>]*>")


def _entries(path: Path) -> list[dict]:
    """The entries of a .po file (the header excluded): msgid, plural, msgstr forms and flags."""
    entries, current, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current and current["msgid"] is not None:
                entries.append(current)
            current, field = None, None
            continue
        current = current or {"msgid": None, "plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        if line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, int):
                current["msgstr"][field] += value
            else:
                current[field] += value
        else:
            keyword, _, quoted = line.partition(" ")
            value = ast.literal_eval(quoted)
            if keyword.startswith("msgstr"):
                field = int(keyword[7:-1]) if "[" in keyword else 0
                current["msgstr"][field] = value
            else:
                field = {"msgid": "msgid", "msgid_plural": "plural", "msgctxt": "msgctxt"}[keyword]
                current[field] = value
    return [e for e in entries if e["msgid"] != ""]


def test_zh_hans_catalogue_translates_every_entry():
    """Every string of the site has a Simplified Chinese translation that is neither empty nor fuzzy."""
    entries = _entries(ZH_PO)

    untranslated = [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    obsolete = [e["msgid"] for e in entries if e["obsolete"]]

    assert len(entries) > 1000
    assert untranslated == []
    assert fuzzy == []
    assert obsolete == []


def test_zh_hans_catalogue_keeps_placeholders_and_plural_forms():
    """Translations keep each placeholder and tag of their source, and Chinese has one plural form."""
    header = ZH_PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    entries = _entries(ZH_PO)

    mismatched = [
        e["msgid"]
        for e in entries
        for text in e["msgstr"].values()
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(e["plural"] or e["msgid"]))
    ]

    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert "#, fuzzy" not in header
    assert all(set(e["msgstr"]) == {0} for e in entries if e["plural"])
    assert mismatched == []


def test_zh_hans_compiled_catalogue_matches_the_source():
    """The committed .mo holds every translation of the .po, so a machine without gettext serves them."""
    entries = _entries(ZH_PO)

    with ZH_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    assert compiled.gettext("Catalog") == "数据目录"
    missing = [
        e["msgid"]
        for e in entries
        if not e["plural"]
        and (compiled.pgettext(e["msgctxt"], e["msgid"]) if e.get("msgctxt") else compiled.gettext(e["msgid"]))
        != e["msgstr"][0]
    ]
    assert missing == []


@pytest.mark.django_db
def test_home_page_is_chinese_for_a_chinese_browser(client):
    """A browser asking for Simplified Chinese gets the navigation and texts in Chinese."""

    response = client.get(reverse("catalog:home"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert ">数据目录</a>" in html
    assert ">政府指导价</a>" in html
    assert ">登录</a>" in html
    assert ">Catalog</a>" not in html


@pytest.mark.django_db
def test_home_page_defaults_to_chinese(client, settings):
    """Without any language preference the site speaks its default language, Simplified Chinese."""
    from marketplace import settings as shipped

    settings.LANGUAGE_CODE = shipped.LANGUAGE_CODE  # tests/conftest.py makes English the default in tests

    response = client.get(reverse("catalog:search"))

    html = response.content.decode()
    assert shipped.LANGUAGE_CODE == "zh-hans"
    assert '<html lang="zh-hans">' in html
    assert ">数据目录</a>" in html


@pytest.mark.django_db
def test_home_page_is_english_with_the_language_cookie(client):
    """The English language cookie turns the same page into English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("catalog:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert ">Catalog</a>" in html
    assert ">Guided prices</a>" in html
    assert ">数据目录</a>" not in html


@pytest.mark.django_db
def test_language_switch_changes_the_language_of_the_next_page(client):
    """Choosing English in the language menu (POST to set_language) serves English from then on."""

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("catalog:search")}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("catalog:search")
    assert ">Catalog</a>" in html
    assert ">Sign in</a>" in html
