"""Base classes shared by every record of a case."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from safebabies.lib.ids import ID_MAX_LENGTH, ID_PATTERN, new_id

id_validator = RegexValidator(
    ID_PATTERN,
    "An id is 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.",
)


class Record(models.Model):
    """A record with an opaque, stable id (DATA_PACKAGE.md) and its change times."""

    id = models.CharField(
        primary_key=True,
        max_length=ID_MAX_LENGTH,
        default=new_id,
        editable=False,
        validators=[id_validator],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        """Django's field checks, and every date of a case record within `DATES` (a birth in
        1900 to a hearing in 2199): year 9999 would be stored, then break the date arithmetic
        of reminders, calendars and due dates for everyone."""
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.DateField) or isinstance(field, models.DateTimeField):
                continue
            if (exclude and field.name in exclude) or field.name in errors:
                continue
            value = getattr(self, field.attname)
            if isinstance(value, dt.date) and not DATES[0] <= value <= DATES[1]:
                errors[field.name] = [f"Enter a date between {DATES[0]:%Y} and {DATES[1]:%Y}."]
        if errors:
            raise ValidationError(errors)


# The dates a case record may hold.
DATES = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
