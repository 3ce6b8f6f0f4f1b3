"""People, sites, roles and sign-in: the identity layer every feature stands on."""
