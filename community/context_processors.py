def act_menu(request):
    """`nav_act`: the "Community team" and "Providers" menu items, for those who read the
    Active Community Team's records and the provider directory at some site
    (`cases.access.SITE_RECORD_TYPES`). Lazy: no query unless the template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from cases.access import may_read_site_kind

    return {"nav_act": lambda: may_read_site_kind(user, "act_meeting")}
