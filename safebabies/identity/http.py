"""The request type of every signed-in page (for type checking)."""

from django.http import HttpRequest

from safebabies.identity.models import User


class AuthenticatedRequest(HttpRequest):
    """A request past LoginRequiredMiddleware: its user is signed in."""

    user: User
