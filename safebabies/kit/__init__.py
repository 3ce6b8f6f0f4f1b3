"""The small kit every feature builds with: services, form pages, forms, the request type."""
