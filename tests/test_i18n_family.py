"""Spanish on the family's side (issue: parents as users, in their own language): the parent's
home page, the family copy, the sign-in and error pages and the page frame are in the
translation catalogue (locale/es/LC_MESSAGES/django.po), every string of them is translated,
the compiled catalogue is the one the sources give, and a parent's pages follow the language
on their account, which the language switch on every page sets."""

import datetime as dt
import gettext as gnu_gettext
import json
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from cases.models import Relationship
from safebabies import codes
from safebabies.identity.models import User
from safebabies.identity.roles import Role
from teams.models import Ftm, FtmActionItem
from tests import factories as f

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES"
# Every template a parent (or anyone before signing in) reads
FAMILY_TEMPLATES = [
    "base.html",
    "family/home.html",
    "family/_home.html",
    "ftms/family_copy.html",
    "registration/login.html",
    "403.html",
    "404.html",
    "500.html",
    "registration/link_request.html",
    "registration/link_sent.html",
    "registration/link_sign_in.html",
    "registration/link_expired.html",
    "registration/sign_in_busy.html",
    "accounts/email/sign_in_link.txt",
    "family/cant_come.html",
    "family/cant_come_sent.html",
    "family/cant_come_expired.html",
    "family/email/family_copy.txt",
    "ftms/family_copy_pdf.html",
    # a parent invited to sign in with a password: choosing it, then the second factor
    "registration/password_reset_confirm.html",
    "registration/password_reset_complete.html",
    "accounts/two_factor_setup.html",
    "accounts/two_factor_verify.html",
    "accounts/recovery_codes.html",
    # a forgotten password
    "registration/password_reset_form.html",
    "registration/password_reset_done.html",
    "registration/password_reset_email.txt",
    "registration/password_reset_subject.txt",
]
# Words that read the same in both languages, or name a language in itself
SAME_IN_BOTH = {"Safe Babies", "English", "Español", "GAL / CASA", "%(name)s, %(role)s"}
NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)

TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
BLOCK_TRANSLATE = re.compile(r"\{%\s*blocktranslate.*?%\}.*?\{%\s*endblocktranslate\s*%\}", re.S)
TEXT_ATTRIBUTE = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')
HTML_TAG = re.compile(r"<[^>]*>", re.S)


def untranslated_text(source: str) -> list[str]:
    """The words of a template that are outside the translation tags: text between HTML tags
    and in the attributes people read (aria-label, title, alt, placeholder)."""
    source = re.sub(r"<script.*?</script>|<style.*?</style>|<!--.*?-->", "", source, flags=re.S)
    source = BLOCK_TRANSLATE.sub("", source)
    left = [TEMPLATE_TAG.sub("", value) for value in TEXT_ATTRIBUTE.findall(source)]
    text = HTML_TAG.sub("\n", TEMPLATE_TAG.sub("", source))
    left += text.splitlines()
    words = []
    for chunk in left:
        chunk = chunk.strip()
        for same in SAME_IN_BOTH:
            chunk = chunk.replace(same, "")
        if re.search(r"[A-Za-z]", chunk):
            words.append(chunk)
    return words


def template_msgids(source: str) -> set[str]:
    """The strings a template gives to the catalogue, as `makemessages` reads them."""
    code = templatize(source)
    found = set()
    for match in re.finditer(r"gettext\(u?(?P<q>'(?:[^'\\]|\\.)*')\)", code):
        found.add(eval(match.group("q")))  # noqa: S307 - a Python string literal templatize wrote
    return found


def po_entries(path: Path) -> dict[str, tuple[str, bool]]:
    """{msgid: (msgstr, fuzzy)} of a .po file (the header left out); a msgid with a context is
    keyed context + "\\x04" + msgid, as the compiled catalogue keys it."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fuzzy, ids, strs, into, context = False, [], [], None, ""
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("msgctxt "):
                context = json.loads(line[8:]) + "\x04"
            elif line.startswith("msgid "):
                into = ids
                ids.append(json.loads(line[6:]))
            elif line.startswith("msgstr "):
                into = strs
                strs.append(json.loads(line[7:]))
            elif line.startswith('"') and into is not None:
                into.append(json.loads(line))
        if ids and "".join(ids):
            entries[context + "".join(ids)] = ("".join(strs), fuzzy)
    return entries


# --- the catalogue


@pytest.mark.parametrize("name", FAMILY_TEMPLATES)
def test_every_word_of_the_familys_pages_goes_through_the_catalogue(name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert untranslated_text(source) == []


def test_the_check_finds_a_word_left_out_of_the_catalogue():
    planted = '<p>{% translate "Coming up" %}</p><p title="Open it">Next week</p>'
    assert untranslated_text(planted) == ["Open it", "Next week"]


def test_the_check_reads_every_string_a_template_gives_the_catalogue():
    planted = (
        '{% load i18n %}<p>{% translate "Coming up" %}</p>'
        "{% blocktranslate %}Hi{% endblocktranslate %}"
    )
    assert template_msgids(planted) == {"Coming up", "Hi"}


@pytest.mark.parametrize("name", FAMILY_TEMPLATES)
def test_every_string_of_the_familys_pages_is_translated_into_spanish(name):
    msgids = template_msgids((TEMPLATES / name).read_text(encoding="utf-8"))
    with translation.override("es"):
        missing = [m for m in msgids if m not in SAME_IN_BOTH and translation.gettext(m) == m]
    assert missing == []


def test_the_catalogue_has_no_doubtful_entry():
    """Every string of the family's pages is translated (above); a professional page's string
    may wait for its Spanish (an empty msgstr: it reads in English,
    tests/test_i18n_catalogue.py), but none is a guess (fuzzy)."""
    entries = po_entries(CATALOGUE / "django.po")
    assert len([m for m, (text, _) in entries.items() if text]) > 50
    assert [m for m, (_, fuzzy) in entries.items() if fuzzy] == []


def test_the_compiled_catalogue_is_the_one_its_source_gives():
    """django.mo is committed (no gettext needed to run the app): it must hold exactly what
    django.po says; `make messages` compiles it again."""
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gnu_gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    compiled = {k: v for k, v in compiled.items() if k}
    source = po_entries(CATALOGUE / "django.po")
    assert compiled == {m: text for m, (text, _) in source.items() if text}


# --- a parent's pages in their language


@pytest.fixture
def parent_at_home(db, site, family, caseworker):
    """A parent whose account is linked to their person on the family team, with a meeting,
    a step of theirs and a family-time visit coming up."""
    person = family.test_parent
    Relationship.objects.create(
        person=person, child=family.test_child, kind=Relationship.Kind.MOTHER
    )
    user = f.site_member(site, Role.PARENT, email="rosa@example.org")
    user.full_name = "Rosa Castillo"
    user.save(update_fields=["full_name"])
    family.team_members.create(user=user, role=Role.PARENT, person=person)
    Ftm.objects.create(case=family, scheduled_on=dt.date(2026, 11, 30), starts_at=dt.time(14, 30))
    held = Ftm.objects.create(
        case=family, scheduled_on=dt.date(2026, 10, 30), status=codes.FtmStatus.HELD
    )
    FtmActionItem.objects.create(
        ftm=held,
        description="Llamar a la navegadora de vivienda",
        due_on=dt.date(2026, 12, 4),
        owner_person=person,
    )
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@time_machine.travel(NOW, tick=False)
def test_a_parent_who_chose_spanish_reads_their_page_in_spanish(parent_at_home):
    parent_at_home.preferred_language = "es"
    parent_at_home.save(update_fields=["preferred_language"])
    response = signed_in(parent_at_home).get(reverse("home"))
    page = response.content.decode()
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in page
    for words in ("Bienvenido/a, Rosa Castillo", "Próximamente", "Sus pasos", "Tiempo en familia"):
        assert words in page
    assert "lunes 30 de noviembre a las 14:30" in page
    assert "Antes del viernes 4 de diciembre" in page
    for english in ("Coming up", "Your steps", "Family time", "Sign out", "November"):
        assert english not in page


@time_machine.travel(NOW, tick=False)
def test_the_same_page_in_english_for_a_parent_who_reads_english(parent_at_home):
    page = signed_in(parent_at_home).get(reverse("home")).content.decode()
    assert "Coming up" in page and "Monday 30 November at 2:30 PM" in page
    assert "Próximamente" not in page


@time_machine.travel(NOW, tick=False)
def test_the_language_switch_keeps_the_choice_on_the_account(parent_at_home):
    client = signed_in(parent_at_home)
    response = client.post(reverse("choose-language"), {"language": "es", "next": reverse("home")})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    parent_at_home.refresh_from_db()
    assert parent_at_home.preferred_language == "es"
    assert "Próximamente" in client.get(reverse("home")).content.decode()
    # Another browser, the same account: the choice follows the person
    assert "Próximamente" in signed_in(parent_at_home).get(reverse("home")).content.decode()
    client.post(reverse("choose-language"), {"language": "en"})
    parent_at_home.refresh_from_db()
    assert parent_at_home.preferred_language == "en"


def test_the_switch_refuses_other_languages_and_other_sites(parent_at_home):
    client = signed_in(parent_at_home)
    response = client.post(
        reverse("choose-language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")
    parent_at_home.refresh_from_db()
    assert parent_at_home.preferred_language == "en"
    assert client.get(reverse("choose-language")).status_code == 405


def test_the_sign_in_page_follows_the_browser_and_the_switch(db):
    client = Client()
    spanish = client.get(reverse("login"), headers={"accept-language": "es"}).content.decode()
    assert "Iniciar sesión" in spanish and "Correo electrónico" in spanish
    english = client.get(reverse("login")).content.decode()
    assert "Sign in with the e-mail address" in english
    client.post(reverse("choose-language"), {"language": "es", "next": reverse("login")})
    assert "Iniciar sesión" in client.get(reverse("login")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_family_copy_opens_in_the_parents_language(parent_at_home, family):
    parent_at_home.preferred_language = "es"
    parent_at_home.save(update_fields=["preferred_language"])
    held = Ftm.objects.get(case=family, status=codes.FtmStatus.HELD)
    client = signed_in(parent_at_home)
    page = client.get(reverse("ftm-family-copy", args=[held.pk])).content.decode()
    assert "Nuestra Reunión del Equipo Familiar" in page
    assert "Nos reunimos el viernes 30 de octubre de 2026." in page
    assert "Volver a su página" in page
    english = client.get(reverse("ftm-family-copy", args=[held.pk]) + "?lang=en")
    text = english.content.decode()
    assert "Our Family Team Meeting" in text
    # the page around the copy stays in the reader's language
    assert "Volver a su página" in text


@time_machine.travel(NOW, tick=False)
def test_a_step_marked_done_is_thanked_in_the_parents_language(parent_at_home):
    parent_at_home.preferred_language = "es"
    parent_at_home.save(update_fields=["preferred_language"])
    item = FtmActionItem.objects.get(owner_person__isnull=False)
    client = signed_in(parent_at_home)
    response = client.post(reverse("family-item-done", args=[item.pk]), follow=True)
    assert "¡Muy bien! Su equipo puede ver que este paso está hecho." in response.content.decode()
