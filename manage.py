#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safebabies.settings")
    from django.core.management import execute_from_command_line

    from safebabies.lib.env import use_migrate_database_url

    use_migrate_database_url(sys.argv, os.environ)  # before the settings read DATABASE_URL
    execute_from_command_line(sys.argv)
