"""`makemessages` without fuzzy matching: a new string gets an empty translation (shown in
English until a translator writes it), never a guess from a similar one ("Your caseload"
offered as "Sus pasos"), which gettext would otherwise show once someone cleared its flag."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
