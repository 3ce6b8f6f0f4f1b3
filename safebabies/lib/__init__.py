"""Pure helpers: no models, no database access."""
