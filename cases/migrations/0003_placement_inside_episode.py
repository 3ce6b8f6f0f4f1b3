"""A placement lies inside its episode: it starts on or after the removal and, once the child
is discharged, starts and ends on or before the discharge. Enforced in PostgreSQL, on both
tables, so no code path (import, admin, API, raw SQL) can break it."""

from django.db import migrations

SQL = """
CREATE FUNCTION cases_placement_inside_episode() RETURNS trigger AS $$
DECLARE bad record;
BEGIN
  IF TG_TABLE_NAME = 'cases_placement' THEN
    SELECT p.id, e.removal_date, e.discharge_date INTO bad
      FROM cases_episode e, (SELECT NEW.id, NEW.start_date, NEW.end_date) p
     WHERE e.id = NEW.episode_id
       AND (NEW.start_date < e.removal_date
            OR (e.discharge_date IS NOT NULL
                AND (NEW.start_date > e.discharge_date OR NEW.end_date > e.discharge_date)));
  ELSE
    SELECT p.id, NEW.removal_date, NEW.discharge_date INTO bad
      FROM cases_placement p
     WHERE p.episode_id = NEW.id
       AND (p.start_date < NEW.removal_date
            OR (NEW.discharge_date IS NOT NULL
                AND (p.start_date > NEW.discharge_date OR p.end_date > NEW.discharge_date)))
     LIMIT 1;
  END IF;
  IF FOUND THEN
    RAISE EXCEPTION 'placement % lies outside its episode (% to %)',
      bad.id, bad.removal_date, coalesce(bad.discharge_date::text, 'open')
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER placement_inside_episode BEFORE INSERT OR UPDATE ON cases_placement
  FOR EACH ROW EXECUTE FUNCTION cases_placement_inside_episode();
CREATE TRIGGER episode_contains_placements BEFORE UPDATE OF removal_date, discharge_date ON cases_episode
  FOR EACH ROW EXECUTE FUNCTION cases_placement_inside_episode();
"""

REVERSE = """
DROP TRIGGER IF EXISTS placement_inside_episode ON cases_placement;
DROP TRIGGER IF EXISTS episode_contains_placements ON cases_episode;
DROP FUNCTION IF EXISTS cases_placement_inside_episode();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
