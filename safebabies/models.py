"""Base classes shared by every record of a case."""

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
