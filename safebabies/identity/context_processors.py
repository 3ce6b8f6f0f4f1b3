def memberships(request):
    """The signed-in user's roles, for the navigation. Lazy: no query unless a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from safebabies.identity.selectors import is_family_only, roles_of

    return {"my_roles": lambda: roles_of(user), "family_only": lambda: is_family_only(user)}
