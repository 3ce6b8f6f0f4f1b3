"""Every template string is in the translation catalogue (issue 21, "Spanish throughout the
family-facing side, and the professional side ready for it").

Every template of the project — `templates/` and any app's own `templates/` folder, present or
added later — writes the words people read only through `{% translate %}` /
`{% blocktranslate %}`, and every string those tags give is in `locale/es/LC_MESSAGES/django.po`
(`make messages` adds it). The professional pages' strings may still wait for their Spanish
(an empty msgstr: the page reads English); the family pages' are all translated
(tests/test_i18n_family.py). A failure lists each file and the words left out, so whoever added
the template can wrap them and run `make messages`."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from tests.test_i18n_family import (
    CATALOGUE,
    FAMILY_TEMPLATES,
    TEMPLATES,
    po_entries,
    template_msgids,
    untranslated_text,
)

ROOT = Path(settings.BASE_DIR).resolve()
COMMENT_BLOCK = re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
# Words that are no sentence to translate: a product's own name on a page only developers open
ALLOWED = {
    # drf-spectacular's Swagger UI page (the API's own documentation, in English)
    "drf_spectacular/swagger_ui.html": set(),
}
SUFFIXES = {".html", ".txt"}


def template_dirs() -> list[Path]:
    """Every folder of templates the project holds: the settings' DIRS and each of its own
    apps' `templates/` (never those of installed libraries)."""
    found = [Path(d).resolve() for d in settings.TEMPLATES[0]["DIRS"]]
    for config in apps.get_app_configs():
        folder = Path(config.path).resolve() / "templates"
        if folder.is_dir() and ROOT in folder.parents and ".venv" not in folder.parts:
            found.append(folder)
    return sorted(set(found))


def project_templates() -> list[tuple[str, Path]]:
    """(name as the template loader knows it, path) of every template of the project."""
    found = []
    for folder in template_dirs():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES:
                found.append((path.relative_to(folder).as_posix(), path))
    return found


def words_left_out(name: str, source: str) -> list[str]:
    source = COMMENT_BLOCK.sub("", source)
    allowed = ALLOWED.get(name, set())
    return [words for words in untranslated_text(source) if words not in allowed]


def test_every_template_folder_of_the_project_is_checked():
    folders = template_dirs()
    assert (ROOT / "templates") in folders
    names = {name for name, _ in project_templates()}
    assert len(names) > 90
    assert set(FAMILY_TEMPLATES) <= names


def test_every_word_of_every_template_goes_through_the_catalogue():
    left = {}
    for name, path in project_templates():
        words = words_left_out(name, path.read_text(encoding="utf-8"))
        if words:
            left[str(path.relative_to(ROOT))] = words
    listing = "\n".join(f"{path}: {words!r}" for path, words in sorted(left.items()))
    assert left == {}, (
        "Words outside {% translate %} / {% blocktranslate %} (wrap them, then `make messages`):\n"
        + listing
    )


def test_every_string_a_template_gives_is_in_the_catalogue():
    entries = po_entries(CATALOGUE / "django.po")
    missing = {}
    for _name, path in project_templates():
        msgids = template_msgids(path.read_text(encoding="utf-8"))
        absent = sorted(m for m in msgids if m not in entries)
        if absent:
            missing[str(path.relative_to(ROOT))] = absent
    listing = "\n".join(f"{path}: {ids!r}" for path, ids in sorted(missing.items()))
    assert missing == {}, "Strings not in locale/es/LC_MESSAGES/django.po (`make messages`):\n" + (
        listing
    )


@pytest.mark.parametrize(
    ("planted", "left"),
    [
        ("<p>Next week</p>", ["Next week"]),
        ('<a href="/" aria-label="Open the file">{% translate "Open" %}</a>', ["Open the file"]),
        ("{% block title %}Families{% endblock %}", ["Families"]),
        ("<li>Due {{ item.due_on|when }}</li>", ["Due"]),
        ("Hello {{ name }},\n\nSee you soon.", ["Hello ,", "See you soon."]),
        ("{% comment %}A note for developers{% endcomment %}<p>{{ x }} · —</p>", []),
        ('<p>{% translate "Coming up" %} · Safe Babies</p>', []),
        ("<p>{% blocktranslate with n=x %}{{ n }} families{% endblocktranslate %}</p>", []),
        ("<script>const words = 'not read';</script><p title=\"{{ x }}\"></p>", []),
    ],
)
def test_the_check_finds_the_words_a_template_leaves_out(planted, left):
    assert words_left_out("planted.html", planted) == left


def test_the_check_reads_a_template_folder_an_app_adds(tmp_path, monkeypatch):
    """A new app's templates (workforce/, community/...) are checked as soon as they exist."""
    folder = tmp_path / "templates" / "workforce"
    folder.mkdir(parents=True)
    (folder / "list.html").write_text("<h1>Trainings</h1>", encoding="utf-8")
    monkeypatch.setitem(settings.TEMPLATES[0], "DIRS", [tmp_path / "templates"])
    found = dict(project_templates())
    assert "workforce/list.html" in found
    assert words_left_out("workforce/list.html", found["workforce/list.html"].read_text()) == [
        "Trainings"
    ]


def test_the_family_pages_are_all_in_spanish_the_professional_pages_may_wait():
    """The family's templates' strings have a Spanish msgstr (none empty, none fuzzy); a
    professional string may have none yet, and then reads in English."""
    entries = po_entries(CATALOGUE / "django.po")
    family = set()
    for name in FAMILY_TEMPLATES:
        family |= template_msgids((TEMPLATES / name).read_text(encoding="utf-8"))
    untranslated = sorted(m for m in family if not entries.get(m, ("", False))[0])
    assert untranslated == []
    assert [m for m, (_, fuzzy) in entries.items() if fuzzy] == []


def test_dates_and_numbers_follow_the_active_language():
    """The `when` filter and the numbers on a page take the reader's locale."""
    import datetime as dt

    from django.template import engines
    from django.utils import translation

    page = engines["django"].from_string(
        "{{ day|when }} · {{ day|when:'family_day' }} · {{ share|floatformat:1 }}"
    )
    context = {"day": dt.date(2026, 1, 5), "share": 1234.5}
    with translation.override("en"):
        assert page.render(context) == "5 Jan 2026 · Monday 5 January · 1234.5"
    with translation.override("es"):
        assert page.render(context) == "5 de ene de 2026 · lunes 5 de enero · 1234,5"
