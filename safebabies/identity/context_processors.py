def memberships(request):
    """The signed-in user's roles, for the navigation. Lazy: no query unless a template asks.
    `nav_families`: the "Families" menu, for the roles that work with families (not for the
    aggregate-only roles, Site Implementation Team and national staff, who see no family)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from safebabies.identity.selectors import is_aggregate_only, is_family_only, roles_of

    return {
        "my_roles": lambda: roles_of(user),
        # the Families menu: not for aggregate-only roles, nor for a parent
        "nav_families": lambda: not is_aggregate_only(user) and not is_family_only(user),
        "family_only": lambda: is_family_only(user),
    }
