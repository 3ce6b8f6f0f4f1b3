"""An offline breached-password check.

Django's CommonPasswordValidator refuses the exact 20,000 passwords most seen in breach
corpora (its bundled list). People get past it with small changes ("Password2024!",
"p@ssw0rd123"): this validator undoes the usual ones — case, look-alike digits and symbols,
digits and symbols at either end, a repeated word — and checks the result against the same
bundled list plus words anyone would guess here. It needs no network.
"""

import functools
import re

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

LOOK_ALIKES = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
GUESSABLE = frozenset(
    {"safebabies", "safebaby", "courtteam", "familyteam", "zerotothree", "welcome", "letmein"}
)


@functools.cache
def _breached() -> frozenset[str]:
    known = CommonPasswordValidator().passwords  # Django's bundled list, read once
    return frozenset(word for word in known if len(word) >= 4) | GUESSABLE


def variants(password: str) -> set[str]:
    lowered = password.strip().lower()
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    found = {lowered, core, lowered.translate(LOOK_ALIKES), core.translate(LOOK_ALIKES)}
    unleet = re.sub(r"^[\W_]+|[\W\d_]+$", "", lowered.translate(LOOK_ALIKES))
    found.add(unleet)
    for word in list(found):
        half = len(word) // 2
        if word and len(word) % 2 == 0 and word[:half] == word[half:]:
            found.add(word[:half])
    return {word for word in found if word}


class BreachedPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        if variants(password) & _breached():
            raise ValidationError(
                gettext(
                    "This password is a small change to one that has appeared in data breaches. "
                    "Choose something less guessable — a few unrelated words work well."
                ),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return gettext("Your password cannot be a variant of a password known from data breaches.")
