"""Drops the `varchar_pattern_ops` / `text_pattern_ops` twin indexes (`<name>_like`) that Django's
stock PostgreSQL backend made for every indexed text column; the project's backend
(`safebabies.db`) makes none from now on. No query matches an id by prefix (safebabies/db)."""

from django.db import migrations

DROP_LIKE_INDEXES = r"""
DO $$
DECLARE
    twin record;
BEGIN
    FOR twin IN
        SELECT n.nspname AS schema_name, c.relname AS index_name
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema()
          AND c.relname LIKE '%\_like'
          AND NOT i.indisunique
          AND pg_get_indexdef(i.indexrelid) ~ '(varchar|text)_pattern_ops'
    LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I.%I', twin.schema_name, twin.index_name);
    END LOOP;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_person_family_copies")]

    operations = [migrations.RunSQL(DROP_LIKE_INDEXES, reverse_sql=migrations.RunSQL.noop)]
