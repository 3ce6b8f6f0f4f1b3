"""The parent role on a family team: a place in role "parent" names the person of the case the
account is (`TeamMember.person`), and only such a place names one. Across tables, in
PostgreSQL, so no code path can break it: the person is a parent of the same case."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SQL = """
CREATE FUNCTION cases_team_member_parent_person() RETURNS trigger AS $$
BEGIN
  IF NEW.person_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM cases_person p
     WHERE p.id = NEW.person_id AND p.case_id = NEW.case_id AND p.kind = 'parent'
  ) THEN
    RAISE EXCEPTION 'team member % names person %, not a parent of case %',
      NEW.id, NEW.person_id, NEW.case_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER team_member_parent_person BEFORE INSERT OR UPDATE ON cases_teammember
  FOR EACH ROW EXECUTE FUNCTION cases_team_member_parent_person();
"""

REVERSE = """
DROP TRIGGER IF EXISTS team_member_parent_person ON cases_teammember;
DROP FUNCTION IF EXISTS cases_team_member_parent_person();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_consent_recorder_confirmation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='teammember',
            name='team_member_role_valid',
        ),
        migrations.AddField(
            model_name='teammember',
            name='person',
            field=models.ForeignKey(blank=True, help_text="For a parent's place: the parent of the case this account is.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='accounts', to='cases.person'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='recipient_role',
            field=models.CharField(choices=[('community_coordinator', 'Community Coordinator'), ('caseworker', 'Caseworker'), ('judge', 'Judge'), ('parent_attorney', "Parent's attorney"), ('child_attorney', "Child's attorney"), ('gal_casa', 'GAL / CASA'), ('clinician', 'Clinician'), ('parent_mentor', 'Parent mentor'), ('site_implementation', 'Site Implementation Team'), ('site_admin', 'Site admin'), ('national', 'National staff'), ('parent', 'Parent')], max_length=32),
        ),
        migrations.AlterField(
            model_name='teammember',
            name='role',
            field=models.CharField(choices=[('community_coordinator', 'Community Coordinator'), ('caseworker', 'Caseworker'), ('parent_attorney', "Parent's attorney"), ('child_attorney', "Child's attorney"), ('gal_casa', 'GAL / CASA'), ('clinician', 'Clinician'), ('parent_mentor', 'Parent mentor'), ('parent', 'Parent')], max_length=32),
        ),
        migrations.AddConstraint(
            model_name='teammember',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['community_coordinator', 'caseworker', 'parent_attorney', 'child_attorney', 'gal_casa', 'clinician', 'parent_mentor', 'parent'])), name='team_member_role_valid'),
        ),
        migrations.AddConstraint(
            model_name='teammember',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('person__isnull', False), ('role', 'parent')), models.Q(models.Q(('role', 'parent'), _negated=True), ('person__isnull', True)), _connector='OR'), name='team_member_parent_names_person'),
        ),
        migrations.RunSQL(SQL, REVERSE),
    ]
