"""Give the application's database role exactly its rights (SECURITY.md "Database roles").

Run as the tables' owner after each `migrate` (`manage.py` connects with DATABASE_MIGRATE_URL
for this command, as for `migrate`); the application's role is the one in DATABASE_URL. It is
created if missing (able to log in; not a superuser; creating no database and no role), its
password is set to DATABASE_URL's, and it may then read and write every table but only INSERT
and SELECT the audit trail. `make run` and docker-compose run it after `migrate`.
"""

import os

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

AUDIT_TABLE = "audit_auditevent"


class Command(BaseCommand):
    help = (
        "Create or update the application's database role (DATABASE_URL's user) and grant it "
        "its rights; run as the tables' owner (DATABASE_MIGRATE_URL) after each migrate."
    )

    def handle(self, *args, **options):
        app_url = os.environ.get("DATABASE_APP_URL") or os.environ.get("DATABASE_URL", "")
        app = dj_database_url.parse(app_url)
        role, password = app.get("USER") or "", app.get("PASSWORD") or ""
        if not role:
            raise CommandError("DATABASE_URL names no user: it is the application's role.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            (owner,) = cursor.fetchone()
            if role == owner:
                raise CommandError(
                    f"DATABASE_URL connects as {owner}, the tables' owner. Set "
                    "DATABASE_MIGRATE_URL to the owner's address and DATABASE_URL to another "
                    "role (SECURITY.md, Database roles)."
                )
            ident = connection.ops.quote_name(role)
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                create = f"CREATE ROLE {ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
                cursor.execute(create)
                self.stdout.write(f"Created the database role {role}.")
            elif found[0]:
                raise CommandError(f"{role} is a superuser: the application needs its own role.")
            if password:
                sql = f"ALTER ROLE {ident} PASSWORD %s"
                cursor.execute(sql, [password])
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
                [role],
            )
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"{role} owns tables: the owner can empty or unprotect the audit trail. "
                    "Migrate as another role (DATABASE_MIGRATE_URL)."
                )
            database = connection.ops.quote_name(connection.settings_dict["NAME"])
            for statement in (
                f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {ident}",
                f"GRANT USAGE ON SCHEMA public TO {ident}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ident}",
                f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {ident}",
                f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {ident}",
                f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLE} FROM {ident}",
            ):
                cursor.execute(statement)
        self.stdout.write(
            f"{role} may read and write the tables, and only add to and read {AUDIT_TABLE}."
        )
