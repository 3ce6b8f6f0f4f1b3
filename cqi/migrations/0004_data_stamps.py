"""Data stamps for the exact CQI cache (`cqi.stamps`): the stamp table, its sequence, and
statement-level triggers on every table a cached figure reads. The SQL is written out here as it
was when this migration was made (a later change to `cqi.stamps` needs a new migration).

Every existing site gets a first stamp, so figures cached before its first write are keyed by it.
"""

from django.db import migrations, models

INSTALL = """
CREATE SEQUENCE IF NOT EXISTS cqi_datastamp_generation;
CREATE OR REPLACE FUNCTION cqi_bump(sites bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO cqi_datastamp (site_id, generation, changed_at)
    SELECT s, nextval('cqi_datastamp_generation'), now()
      FROM (SELECT DISTINCT s FROM unnest(sites) AS s WHERE s IS NOT NULL) AS u
     ORDER BY s
    ON CONFLICT (site_id) DO UPDATE
       SET generation = EXCLUDED.generation, changed_at = EXCLUDED.changed_at
$$;
CREATE OR REPLACE FUNCTION cqi_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cqi_datastamp SET generation = nextval('cqi_datastamp_generation'), changed_at = now();
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_cases_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT r.site_id FROM new_rows r));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT r.site_id FROM old_rows r));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON cases_case
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_case();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON cases_case
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_case();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON cases_case
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_case();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON cases_case
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_cases_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON cases_child
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_child();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON cases_child
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_child();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON cases_child
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_child();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON cases_child
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_cases_episode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON cases_episode
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_episode();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON cases_episode
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_episode();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON cases_episode
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_episode();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON cases_episode
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_cases_placement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_episode e ON e.id = r.episode_id JOIN cases_child ch ON ch.id = e.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_episode e ON e.id = r.episode_id JOIN cases_child ch ON ch.id = e.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON cases_placement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_placement();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON cases_placement
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_placement();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON cases_placement
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_placement();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON cases_placement
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_cases_hearing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON cases_hearing
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_hearing();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON cases_hearing
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_hearing();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON cases_hearing
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_hearing();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON cases_hearing
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_cases_maltreatmentreport() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON cases_maltreatmentreport
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_maltreatmentreport();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON cases_maltreatmentreport
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_maltreatmentreport();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON cases_maltreatmentreport
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_maltreatmentreport();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON cases_maltreatmentreport
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_teams_ftm() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON teams_ftm
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_ftm();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON teams_ftm
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_ftm();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON teams_ftm
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_ftm();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON teams_ftm
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_teams_ftmactionitem() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN teams_ftm f ON f.id = r.ftm_id JOIN cases_case c ON c.id = f.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN teams_ftm f ON f.id = r.ftm_id JOIN cases_case c ON c.id = f.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON teams_ftmactionitem
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_ftmactionitem();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON teams_ftmactionitem
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_ftmactionitem();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON teams_ftmactionitem
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_ftmactionitem();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON teams_ftmactionitem
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_familytime_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON familytime_visit
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_familytime_visit();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON familytime_visit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_familytime_visit();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON familytime_visit
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_familytime_visit();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON familytime_visit
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_assessments_screening() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON assessments_screening
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_assessments_screening();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON assessments_screening
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_assessments_screening();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON assessments_screening
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_assessments_screening();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON assessments_screening
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_assessments_service() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON assessments_service
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_assessments_service();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON assessments_service
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_assessments_service();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON assessments_service
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_assessments_service();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON assessments_service
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_cases_teammember() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT c.site_id FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON cases_teammember
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_teammember();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON cases_teammember
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_teammember();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON cases_teammember
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_cases_teammember();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON cases_teammember
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_teams_sitemembership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT r.site_id FROM new_rows r));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT r.site_id FROM old_rows r));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON teams_sitemembership
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_sitemembership();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON teams_sitemembership
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_sitemembership();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON teams_sitemembership
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_sitemembership();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON teams_sitemembership
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_teams_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT r.id FROM new_rows r));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump(ARRAY(SELECT DISTINCT r.id FROM old_rows r));
    END IF;
    RETURN NULL;
END $$;


CREATE TRIGGER cqi_stamp_insert AFTER INSERT ON teams_site
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_site();
CREATE TRIGGER cqi_stamp_update AFTER UPDATE ON teams_site
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_site();
CREATE TRIGGER cqi_stamp_delete AFTER DELETE ON teams_site
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqi_stamp_teams_site();
CREATE TRIGGER cqi_stamp_truncate AFTER TRUNCATE ON teams_site
    FOR EACH STATEMENT EXECUTE FUNCTION cqi_bump_all();


CREATE OR REPLACE FUNCTION cqi_stamp_teams_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM cqi_bump(ARRAY(SELECT DISTINCT m.site_id FROM teams_sitemembership m
                            WHERE m.user_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER cqi_stamp_email AFTER UPDATE OF email ON teams_user
    FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION cqi_stamp_teams_user();
INSERT INTO cqi_datastamp (site_id, generation, changed_at)
SELECT id, nextval('cqi_datastamp_generation'), now() FROM teams_site
ON CONFLICT (site_id) DO NOTHING;
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS cqi_stamp_email ON teams_user;
DROP FUNCTION IF EXISTS cqi_stamp_teams_user();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON cases_case;
DROP TRIGGER IF EXISTS cqi_stamp_update ON cases_case;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON cases_case;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON cases_case;
DROP FUNCTION IF EXISTS cqi_stamp_cases_case();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON cases_child;
DROP TRIGGER IF EXISTS cqi_stamp_update ON cases_child;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON cases_child;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON cases_child;
DROP FUNCTION IF EXISTS cqi_stamp_cases_child();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON cases_episode;
DROP TRIGGER IF EXISTS cqi_stamp_update ON cases_episode;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON cases_episode;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON cases_episode;
DROP FUNCTION IF EXISTS cqi_stamp_cases_episode();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON cases_placement;
DROP TRIGGER IF EXISTS cqi_stamp_update ON cases_placement;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON cases_placement;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON cases_placement;
DROP FUNCTION IF EXISTS cqi_stamp_cases_placement();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON cases_hearing;
DROP TRIGGER IF EXISTS cqi_stamp_update ON cases_hearing;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON cases_hearing;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON cases_hearing;
DROP FUNCTION IF EXISTS cqi_stamp_cases_hearing();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON cases_maltreatmentreport;
DROP TRIGGER IF EXISTS cqi_stamp_update ON cases_maltreatmentreport;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON cases_maltreatmentreport;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON cases_maltreatmentreport;
DROP FUNCTION IF EXISTS cqi_stamp_cases_maltreatmentreport();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON teams_ftm;
DROP TRIGGER IF EXISTS cqi_stamp_update ON teams_ftm;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON teams_ftm;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON teams_ftm;
DROP FUNCTION IF EXISTS cqi_stamp_teams_ftm();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON teams_ftmactionitem;
DROP TRIGGER IF EXISTS cqi_stamp_update ON teams_ftmactionitem;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON teams_ftmactionitem;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON teams_ftmactionitem;
DROP FUNCTION IF EXISTS cqi_stamp_teams_ftmactionitem();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON familytime_visit;
DROP TRIGGER IF EXISTS cqi_stamp_update ON familytime_visit;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON familytime_visit;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON familytime_visit;
DROP FUNCTION IF EXISTS cqi_stamp_familytime_visit();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON assessments_screening;
DROP TRIGGER IF EXISTS cqi_stamp_update ON assessments_screening;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON assessments_screening;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON assessments_screening;
DROP FUNCTION IF EXISTS cqi_stamp_assessments_screening();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON assessments_service;
DROP TRIGGER IF EXISTS cqi_stamp_update ON assessments_service;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON assessments_service;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON assessments_service;
DROP FUNCTION IF EXISTS cqi_stamp_assessments_service();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON cases_teammember;
DROP TRIGGER IF EXISTS cqi_stamp_update ON cases_teammember;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON cases_teammember;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON cases_teammember;
DROP FUNCTION IF EXISTS cqi_stamp_cases_teammember();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON teams_sitemembership;
DROP TRIGGER IF EXISTS cqi_stamp_update ON teams_sitemembership;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON teams_sitemembership;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON teams_sitemembership;
DROP FUNCTION IF EXISTS cqi_stamp_teams_sitemembership();
DROP TRIGGER IF EXISTS cqi_stamp_insert ON teams_site;
DROP TRIGGER IF EXISTS cqi_stamp_update ON teams_site;
DROP TRIGGER IF EXISTS cqi_stamp_delete ON teams_site;
DROP TRIGGER IF EXISTS cqi_stamp_truncate ON teams_site;
DROP FUNCTION IF EXISTS cqi_stamp_teams_site();
DROP FUNCTION IF EXISTS cqi_bump_all();
DROP FUNCTION IF EXISTS cqi_bump(bigint[]);
DROP SEQUENCE IF EXISTS cqi_datastamp_generation;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("cqi", "0003_practice_scores"),
        ("cases", "0004_hearing_findings_orders"),
        ("teams", "0004_merge_0003_ftm_logging_0003_user_session_salt"),
        ("familytime", "0003_plan_schedule"),
        ("assessments", "0004_case_plan"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataStamp",
            fields=[
                ("site_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("generation", models.BigIntegerField()),
                ("changed_at", models.DateTimeField()),
            ],
            options={"db_table": "cqi_datastamp"},
        ),
        migrations.RunSQL(INSTALL, UNINSTALL),
    ]
