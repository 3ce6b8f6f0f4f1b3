"""The site admin's audit trail page (and its CSV): who did what to which record, in words.

It sits above the case features (pyproject import-linter layers) because it names families:
the filters match a family by its name and the rows say which family an event was about,
through `cases.access` like every other page."""
