"""Documents attached to a case, a hearing or a consent: orders, signed releases,
evaluations, IFSPs (README "Documents")."""
