"""CaseCount: each site's number of cases, closed or not, sealed or not, kept by PostgreSQL.

The table is a log of changes: statement triggers on cases_case with transition tables add one
row per (site, closed, sealed) a statement changed, holding what it added (an insert), took
away (a delete) or both (an update: a case closed, sealed or moved to another site moves
between rows; an update that changes none of the three nets to nothing and writes nothing).
A count is the sum of a site's rows. Writers only ever add rows, so no writer waits for
another on a shared counter, however long its transaction (a package import of thousands of
cases). The rows are written in the writing transaction, so the counts change exactly when
the cases do, committed or rolled back with them, whoever writes: the ORM, `.update()`, the
importer's COPY, raw SQL. A TRUNCATE of the cases empties the log.

`cases_casecount_compact()` folds each site's rows into one per (closed, sealed), in one
statement that deletes only the rows it reads (rows of transactions still open are neither
seen nor deleted, and are added to the sums when those commit); the `cases.compact_counts`
task runs it every hour. The log starts from the cases as they are, read under a lock that
keeps writers out until this migration commits.
"""

from django.db import migrations, models

CHANGES = {
    "insert": "SELECT site_id, closed_on IS NOT NULL, sealed_at IS NOT NULL, 1 FROM new_rows",
    "delete": "SELECT site_id, closed_on IS NOT NULL, sealed_at IS NOT NULL, -1 FROM old_rows",
    "update": "SELECT site_id, closed_on IS NOT NULL, sealed_at IS NOT NULL, 1 FROM new_rows"
    " UNION ALL"
    " SELECT site_id, closed_on IS NOT NULL, sealed_at IS NOT NULL, -1 FROM old_rows",
}


def function(event: str) -> str:
    return f"""
CREATE FUNCTION cases_count_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cases_casecount (site_id, closed, sealed, cases)
    SELECT site_id, closed, sealed, sum(change)
      FROM ({CHANGES[event]}) AS changes (site_id, closed, sealed, change)
     GROUP BY site_id, closed, sealed
    HAVING sum(change) <> 0;
    RETURN NULL;
END $$;
"""


FORWARD = "".join(function(event) for event in CHANGES) + """
CREATE FUNCTION cases_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cases_casecount;
    RETURN NULL;
END $$;
CREATE FUNCTION cases_casecount_compact() RETURNS bigint LANGUAGE sql AS $$
    WITH folded AS (DELETE FROM cases_casecount RETURNING site_id, closed, sealed, cases),
         summed AS (INSERT INTO cases_casecount (site_id, closed, sealed, cases)
                    SELECT site_id, closed, sealed, sum(cases) FROM folded
                     GROUP BY site_id, closed, sealed HAVING sum(cases) <> 0
                    RETURNING 1)
    SELECT (SELECT count(*) FROM folded) - (SELECT count(*) FROM summed)
$$;
CREATE TRIGGER case_count_insert AFTER INSERT ON cases_case
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_count_insert();
CREATE TRIGGER case_count_update AFTER UPDATE ON cases_case
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cases_count_update();
CREATE TRIGGER case_count_delete AFTER DELETE ON cases_case
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_count_delete();
CREATE TRIGGER case_count_truncate AFTER TRUNCATE ON cases_case
    FOR EACH STATEMENT EXECUTE FUNCTION cases_count_truncate();
LOCK TABLE cases_case IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO cases_casecount (site_id, closed, sealed, cases)
SELECT site_id, closed_on IS NOT NULL, sealed_at IS NOT NULL, count(*)
  FROM cases_case GROUP BY 1, 2, 3;
"""

BACKWARD = """
DROP TRIGGER case_count_insert ON cases_case;
DROP TRIGGER case_count_update ON cases_case;
DROP TRIGGER case_count_delete ON cases_case;
DROP TRIGGER case_count_truncate ON cases_case;
DROP FUNCTION cases_count_insert(), cases_count_update(), cases_count_delete(),
    cases_count_truncate(), cases_casecount_compact();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_drop_like_indexes")]

    operations = [
        migrations.CreateModel(
            name="CaseCount",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("site_id", models.BigIntegerField(db_index=True)),
                ("closed", models.BooleanField()),
                ("sealed", models.BooleanField()),
                ("cases", models.BigIntegerField()),
            ],
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
