"""Search of the case list at national scale (issue 23): each case carries what the search box
compares, `search_text` (the family's name, its children's names and docket numbers, its
people's names, in capitals, each word between spaces) and `search_dockets` (the docket
numbers in capitals), which PostgreSQL keeps itself from the rows they come from, so no code
path (a form, the API, the data package's import, a bulk COPY) can leave them stale; a trigram
index (pg_trgm, GIN) answers the words.

Every write of a case recomputes its row (a BEFORE trigger, so a value the ORM writes back is
replaced); a change of a child's or a person's name or docket number, a new or removed child or
person, recomputes their cases once per statement, set-based (statement triggers with
transition tables, as the CQI stamps do), so an import of 100,000 children is one UPDATE of
their cases, not 100,000.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

SQL = """
CREATE FUNCTION cases_search_text(the_case text, the_name text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT ' ' || upper(concat_ws(' ', NULLIF(the_name, ''),
    (SELECT string_agg(NULLIF(concat_ws(' ', NULLIF(c.given_name, ''), NULLIF(c.family_name, ''),
                                        NULLIF(c.docket_number, '')), ''), ' ' ORDER BY c.id)
       FROM cases_child c WHERE c.case_id = the_case),
    (SELECT string_agg(NULLIF(concat_ws(' ', NULLIF(p.given_name, ''),
                                        NULLIF(p.family_name, '')), ''), ' ' ORDER BY p.id)
       FROM cases_person p WHERE p.case_id = the_case))) || ' '
$$;

CREATE FUNCTION cases_search_dockets(the_case text) RETURNS varchar(64)[]
LANGUAGE sql STABLE AS $$
  SELECT array_agg(DISTINCT upper(c.docket_number))::varchar(64)[]
    FROM cases_child c WHERE c.case_id = the_case AND c.docket_number <> ''
$$;

CREATE FUNCTION cases_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := cases_search_text(NEW.id, NEW.name);
  NEW.search_dockets := cases_search_dockets(NEW.id);
  RETURN NEW;
END $$;

-- Only for a write of the application's own (trigger depth 0): the refresh below writes the
-- values it computed for many cases at once.
CREATE TRIGGER case_search_fill BEFORE INSERT OR UPDATE ON cases_case
  FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION cases_search_fill();

-- The same values as cases_search_fill, for many cases in one set-based UPDATE.
CREATE FUNCTION cases_search_refresh(ids text[]) RETURNS void LANGUAGE sql AS $$
  UPDATE cases_case c
     SET search_text = ' ' || upper(concat_ws(' ', NULLIF(c.name, ''), ch.t, pe.t)) || ' ',
         search_dockets = ch.d
    FROM unnest(ids) AS i(case_id)
    LEFT JOIN (
      SELECT x.case_id,
             string_agg(NULLIF(concat_ws(' ', NULLIF(x.given_name, ''), NULLIF(x.family_name, ''),
                                         NULLIF(x.docket_number, '')), ''), ' ' ORDER BY x.id) AS t,
             (array_agg(DISTINCT upper(x.docket_number))
                FILTER (WHERE x.docket_number <> ''))::varchar(64)[] AS d
        FROM cases_child x WHERE x.case_id = ANY(ids) GROUP BY x.case_id
    ) ch ON ch.case_id = i.case_id
    LEFT JOIN (
      SELECT y.case_id,
             string_agg(NULLIF(concat_ws(' ', NULLIF(y.given_name, ''),
                                         NULLIF(y.family_name, '')), ''), ' ' ORDER BY y.id) AS t
        FROM cases_person y WHERE y.case_id = ANY(ids) GROUP BY y.case_id
    ) pe ON pe.case_id = i.case_id
   WHERE c.id = i.case_id
$$;

-- A child's or person's rows changed: their cases' search is computed again, once a statement.
CREATE FUNCTION cases_search_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM cases_search_refresh(ARRAY(SELECT DISTINCT r.case_id FROM new_rows r));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM cases_search_refresh(ARRAY(SELECT DISTINCT r.case_id FROM old_rows r));
  ELSIF TG_TABLE_NAME = 'cases_child' THEN
    PERFORM cases_search_refresh(ARRAY(
      SELECT DISTINCT unnest(ARRAY[n.case_id, o.case_id])
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.case_id, n.given_name, n.family_name, n.docket_number)
             IS DISTINCT FROM (o.case_id, o.given_name, o.family_name, o.docket_number)));
  ELSE
    PERFORM cases_search_refresh(ARRAY(
      SELECT DISTINCT unnest(ARRAY[n.case_id, o.case_id])
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.case_id, n.given_name, n.family_name)
             IS DISTINCT FROM (o.case_id, o.given_name, o.family_name)));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER child_search_insert AFTER INSERT ON cases_child
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_search_touch();
CREATE TRIGGER child_search_update AFTER UPDATE ON cases_child
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cases_search_touch();
CREATE TRIGGER child_search_delete AFTER DELETE ON cases_child
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_search_touch();
CREATE TRIGGER person_search_insert AFTER INSERT ON cases_person
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_search_touch();
CREATE TRIGGER person_search_update AFTER UPDATE ON cases_person
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cases_search_touch();
CREATE TRIGGER person_search_delete AFTER DELETE ON cases_person
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_search_touch();

SELECT cases_search_refresh(ARRAY(SELECT id FROM cases_case));
"""

REVERSE = """
DROP TRIGGER IF EXISTS case_search_fill ON cases_case;
DROP TRIGGER IF EXISTS child_search_insert ON cases_child;
DROP TRIGGER IF EXISTS child_search_update ON cases_child;
DROP TRIGGER IF EXISTS child_search_delete ON cases_child;
DROP TRIGGER IF EXISTS person_search_insert ON cases_person;
DROP TRIGGER IF EXISTS person_search_update ON cases_person;
DROP TRIGGER IF EXISTS person_search_delete ON cases_person;
DROP FUNCTION IF EXISTS cases_search_touch();
DROP FUNCTION IF EXISTS cases_search_fill();
DROP FUNCTION IF EXISTS cases_search_refresh(text[]);
DROP FUNCTION IF EXISTS cases_search_dockets(text);
DROP FUNCTION IF EXISTS cases_search_text(text, text);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_documents'),
        ('teams', '0008_parent_role'),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name='case',
            name='search_dockets',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=64), blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='case',
            name='search_text',
            field=models.TextField(blank=True, db_default='', default='', editable=False),
        ),
        migrations.AddIndex(
            model_name='case',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_text'], name='case_search_trgm', opclasses=['gin_trgm_ops']),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(models.OrderBy(models.F('opened_on'), descending=True), models.F('id'), name='case_opened_order'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['name', 'id'], name='case_name_order'),
        ),
        # after the indexes: the first fill's updates then go into them (an index built after
        # updates of the same transaction waits for older transactions before serving)
        migrations.RunSQL(SQL, REVERSE),
    ]
