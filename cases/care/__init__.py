"""A child's time in care on the case page: removals (and re-entries), placement changes,
discharges and their undo, maltreatment reports and their recurrence."""
