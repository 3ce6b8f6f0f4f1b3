"""A family's team page: who is on the family's team (with how to reach them) and the people
of the case (README "Sites, members and families")."""
