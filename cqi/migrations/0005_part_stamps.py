"""Part stamps (`cqi.stamps`): each site's records in 128 parts by case (`cases_case.cqi_part`),
each with its own generation, changed by the same statement-level triggers as the site's stamp.
Figures that add up over cases are then cached part by part, so one family's new record makes
one part of its site be computed afresh. The functions are written out here as they were when
this migration was made (a later change to `cqi.stamps` needs a new migration); the triggers of
0004 call them by name.
"""

from django.db import migrations, models

INSTALL = """
-- the part of its site a case's records lie in: the first byte of the md5 of its id (kept in
-- the generated column cases_case.cqi_part)
CREATE OR REPLACE FUNCTION cqi_part_of(case_id text) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT mod(get_byte(decode(md5(case_id), 'hex'), 0), 128) $$;
CREATE OR REPLACE FUNCTION cqi_bump(sites bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO cqi_datastamp (site_id, generation, changed_at)
    SELECT s, nextval('cqi_datastamp_generation'), now()
      FROM (SELECT DISTINCT s FROM unnest(sites) AS s WHERE s IS NOT NULL) AS u
     ORDER BY s
    ON CONFLICT (site_id) DO UPDATE
       SET generation = EXCLUDED.generation, changed_at = EXCLUDED.changed_at
$$;
-- parts: (site id * PARTS + part) each; the sites and the parts both get a new generation
CREATE OR REPLACE FUNCTION cqi_bump_parts(parts bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT cqi_bump(ARRAY(SELECT DISTINCT p / 128 FROM unnest(parts) AS p));
    INSERT INTO cqi_partstamp (site_id, part, generation)
    SELECT p / 128, mod(p, 128)::int, nextval('cqi_datastamp_generation')
      FROM (SELECT DISTINCT p FROM unnest(parts) AS p WHERE p IS NOT NULL) AS u
     ORDER BY p
    ON CONFLICT (site_id, part) DO UPDATE SET generation = EXCLUDED.generation
$$;
CREATE OR REPLACE FUNCTION cqi_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cqi_datastamp SET generation = nextval('cqi_datastamp_generation'), changed_at = now();
    PERFORM cqi_bump_parts(ARRAY(SELECT d.site_id * 128 + p
                                   FROM cqi_datastamp d, generate_series(0, 128 - 1) AS p));
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_cases_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT r.site_id * 128 + cqi_part_of(r.id) FROM new_rows r));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT r.site_id * 128 + cqi_part_of(r.id) FROM old_rows r));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_cases_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_cases_episode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_cases_placement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_episode e ON e.id = r.episode_id JOIN cases_child ch ON ch.id = e.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_episode e ON e.id = r.episode_id JOIN cases_child ch ON ch.id = e.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_cases_hearing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_cases_maltreatmentreport() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_teams_ftm() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_teams_ftmactionitem() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN teams_ftm f ON f.id = r.ftm_id JOIN cases_case c ON c.id = f.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN teams_ftm f ON f.id = r.ftm_id JOIN cases_case c ON c.id = f.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_familytime_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_child ch ON ch.id = r.child_id JOIN cases_case c ON c.id = ch.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_assessments_screening() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_assessments_service() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


CREATE OR REPLACE FUNCTION cqi_stamp_cases_teammember() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('safebabies.defer_cqi_stamp', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM new_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM cqi_bump_parts(ARRAY(SELECT DISTINCT c.site_id * 128 + c.cqi_part FROM old_rows r JOIN cases_case c ON c.id = r.case_id));
    END IF;
    RETURN NULL;
END $$;


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
"""

# Back to the functions of 0004 (cqi_bump_parts is dropped after them: nothing calls it then).
UNINSTALL = """
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
DROP FUNCTION IF EXISTS cqi_bump_parts(bigint[]);
DROP FUNCTION IF EXISTS cqi_part_of(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cqi", "0004_data_stamps"),
        ("cases", "0005_cqi_held_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PartStamp",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "site_id",
                        "part",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("site_id", models.BigIntegerField()),
                ("part", models.IntegerField()),
                ("generation", models.BigIntegerField()),
            ],
            options={"db_table": "cqi_partstamp"},
        ),
        migrations.RunSQL(INSTALL, UNINSTALL),
        # each case's part, kept by the database beside the case (Django does not map it: no
        # form, serializer or package reads or writes it); the cases of some parts of a site
        # are read through the index
        migrations.RunSQL(
            """
            ALTER TABLE cases_case
                ADD COLUMN cqi_part integer GENERATED ALWAYS AS (cqi_part_of(id)) STORED;
            CREATE INDEX cqi_case_part ON cases_case (site_id, cqi_part);
            """,
            "ALTER TABLE cases_case DROP COLUMN IF EXISTS cqi_part;",
        ),
    ]
