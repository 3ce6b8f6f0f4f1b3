"""The audit trail refuses TRUNCATE too (0003 refuses UPDATE and DELETE, row by row; a TRUNCATE
fires no row trigger). A statement-level trigger, also reached by a TRUNCATE ... CASCADE of a
table the trail points to (sites, people).

A trigger stops the application's role and anyone else who is not the table's owner or a
superuser; those two can drop it. Hence SECURITY.md: migrate as the owner, run the app as a
role that may only INSERT and SELECT the trail."""

from django.db import migrations

SQL = """
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

REVERSE = "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent;"


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_actions_denied_search")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
