"""What the case plan tells the layers above it (they connect the receivers)."""

from django.dispatch import Signal

# A release of substance-use treatment records (42 CFR Part 2) was recorded or confirmed:
# kwargs `consent` (a cases.Consent) and `actor` (the User who did it). Sent once the
# transaction has committed; the notify app tells the site's coordinators and site admins.
part2_release_recorded = Signal()
part2_release_confirmed = Signal()
