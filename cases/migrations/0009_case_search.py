"""Search of the case list at national scale (issue 23): each case carries what the search box
compares, `search_text` (the family's name, its children's names and docket numbers, its
people's names, in capitals, each word between spaces) and `search_dockets` (the docket numbers in capitals), which PostgreSQL keeps
itself from the rows they come from, so no code path (a form, the API, the data package's
import, a bulk COPY) can leave them stale; a trigram index (pg_trgm, GIN) answers the words.

Every change of a case recomputes its row (BEFORE trigger); a change of a child's or a person's
name or docket number, a new or removed child or person, touches the case's row once per
statement (statement triggers with transition tables, as the CQI stamps do), so an import of
100,000 children is one UPDATE, not 100,000.
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

CREATE TRIGGER case_search_fill BEFORE INSERT OR UPDATE ON cases_case
  FOR EACH ROW EXECUTE FUNCTION cases_search_fill();

-- A child's or person's rows changed: their cases' rows are written again (and so filled).
CREATE FUNCTION cases_search_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE cases_case SET search_text = '' WHERE id IN (SELECT r.case_id FROM new_rows r);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE cases_case SET search_text = '' WHERE id IN (SELECT r.case_id FROM old_rows r);
  ELSIF TG_TABLE_NAME = 'cases_child' THEN
    UPDATE cases_case SET search_text = '' WHERE id IN (
      SELECT unnest(ARRAY[n.case_id, o.case_id]) FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.case_id, n.given_name, n.family_name, n.docket_number)
             IS DISTINCT FROM (o.case_id, o.given_name, o.family_name, o.docket_number));
  ELSE
    UPDATE cases_case SET search_text = '' WHERE id IN (
      SELECT unnest(ARRAY[n.case_id, o.case_id]) FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.case_id, n.given_name, n.family_name)
             IS DISTINCT FROM (o.case_id, o.given_name, o.family_name));
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

UPDATE cases_case SET search_text = '';
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
DROP FUNCTION IF EXISTS cases_search_dockets(text);
DROP FUNCTION IF EXISTS cases_search_text(text, text);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_team_member_parent_person'),
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
