"""Court hearings, their orders and the judge's pre-hearing summary (issue 6)."""
