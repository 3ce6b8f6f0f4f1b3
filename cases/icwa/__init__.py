"""ICWA and relatives: the tribes a child's notice goes to, the court's active-efforts finding
at a hearing, and the 30-day notice to the relatives of a child removed (README "ICWA and
relatives")."""
