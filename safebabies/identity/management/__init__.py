"""Management commands of the teams app: thin wrappers over teams.services."""

from django.core.exceptions import ValidationError


def describe(error: ValidationError, option_of: dict[str, str]) -> str:
    """A service's ValidationError as one line naming the option the caller typed."""
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    return "; ".join(
        f"{option_of.get(field, field)}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )
