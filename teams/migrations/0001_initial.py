"""The FTM models move here from the identity app (label `teams`): state only.

Their tables (`teams_ftm`, `teams_ftmactionitem`, `teams_ftmattendance`) and rows stay where
they are; only Django's idea of which app owns them changes. Their content types (and so their
permissions) are renamed to this app, so no row is added or lost.
"""

import django.contrib.postgres.fields
import django.core.validators
import django.db.models.deletion
import re
import safebabies.lib.ids
from django.conf import settings
from django.db import migrations, models


MOVED = ["ftm", "ftmactionitem", "ftmattendance"]


def rename_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="teams", model__in=MOVED).update(app_label="ftms")


def reverse_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="ftms", model__in=MOVED).update(app_label="teams")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('assessments', '0004_case_plan'),
        ('cases', '0006_episode_by_child_for_cqi'),
        ('teams', '0005_cqi_held_indexes'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.CreateModel(
                name='Ftm',
                fields=[
                    ('id', models.CharField(default=safebabies.lib.ids.new_id, editable=False, max_length=64, primary_key=True, serialize=False, validators=[django.core.validators.RegexValidator(re.compile('^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'), "An id is 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.")])),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('scheduled_on', models.DateField()),
                    ('starts_at', models.TimeField(blank=True, null=True)),
                    ('location', models.CharField(blank=True, help_text='A place or a video link.', max_length=300)),
                    ('status', models.CharField(choices=[('scheduled', 'Scheduled'), ('held', 'Held'), ('cancelled', 'Cancelled')], default='scheduled', max_length=16)),
                    ('parent_attended', models.BooleanField(blank=True, null=True)),
                    ('parent_mentor_attended', models.BooleanField(blank=True, null=True)),
                    ('attendee_roles', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('community_coordinator', 'Community Coordinator'), ('caseworker', 'Caseworker'), ('judge', 'Judge'), ('parent_attorney', "Parent's attorney"), ('child_attorney', "Child's attorney"), ('gal_casa', 'GAL / CASA'), ('clinician', 'Clinician'), ('parent_mentor', 'Parent mentor'), ('site_implementation', 'Site Implementation Team'), ('site_admin', 'Site admin'), ('national', 'National staff')], max_length=32), blank=True, default=list)),
                    ('notes', models.TextField(blank=True, help_text='The discussion: confidential to the family team.')),
                    ('confidentiality_acknowledged', models.BooleanField(default=False)),
                    ('going_well', models.TextField(blank=True)),
                    ('worries', models.TextField(blank=True)),
                    ('hopes', models.TextField(blank=True)),
                    ('family_time_discussion', models.TextField(blank=True)),
                    ('services_discussion', models.TextField(blank=True)),
                    ('development_discussion', models.TextField(blank=True)),
                    ('permanency_discussion', models.TextField(blank=True)),
                    ('court_discussion', models.TextField(blank=True)),
                    ('next_ftm_on', models.DateField(blank=True, help_text='The date agreed for the next FTM.', null=True)),
                    ('version', models.PositiveIntegerField(default=1)),
                    ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ftms', to='cases.case')),
                    ('edited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('facilitator', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'Family Team Meeting',
                    'db_table': 'teams_ftm',
                    'ordering': ['scheduled_on', 'id'],
                },
            ),
            migrations.CreateModel(
                name='FtmActionItem',
                fields=[
                    ('id', models.CharField(default=safebabies.lib.ids.new_id, editable=False, max_length=64, primary_key=True, serialize=False, validators=[django.core.validators.RegexValidator(re.compile('^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'), "An id is 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.")])),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('description', models.TextField(blank=True)),
                    ('owner_role', models.CharField(blank=True, choices=[('community_coordinator', 'Community Coordinator'), ('caseworker', 'Caseworker'), ('judge', 'Judge'), ('parent_attorney', "Parent's attorney"), ('child_attorney', "Child's attorney"), ('gal_casa', 'GAL / CASA'), ('clinician', 'Clinician'), ('parent_mentor', 'Parent mentor'), ('site_implementation', 'Site Implementation Team'), ('site_admin', 'Site admin'), ('national', 'National staff')], max_length=32)),
                    ('due_on', models.DateField()),
                    ('completed_on', models.DateField(blank=True, null=True)),
                    ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('dropped', 'Dropped')], default='open', max_length=16)),
                    ('not_done_reason', models.TextField(blank=True, help_text='Why it is not done yet.')),
                    ('ftm', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='action_items', to='ftms.ftm')),
                    ('goal', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='action_items', to='assessments.goal')),
                    ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='action_items', to=settings.AUTH_USER_MODEL)),
                    ('owner_person', models.ForeignKey(blank=True, help_text='A family member who owns the item (instead of a team member).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='action_items', to='cases.person')),
                ],
                options={
                    'db_table': 'teams_ftmactionitem',
                    'ordering': ['due_on', 'id'],
                },
            ),
            migrations.CreateModel(
                name='FtmAttendance',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(blank=True, max_length=200)),
                    ('role', models.CharField(blank=True, max_length=32)),
                    ('mode', models.CharField(choices=[('in_person', 'In person'), ('remote', 'Remote'), ('absent', 'Absent')], max_length=16)),
                    ('ftm', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='ftms.ftm')),
                    ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.person')),
                    ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'teams_ftmattendance',
                    'ordering': ['id'],
                },
            ),
            migrations.AddIndex(
                model_name='ftm',
                index=models.Index(fields=['case', 'scheduled_on'], name='teams_ftm_case_id_879c81_idx'),
            ),
            migrations.AddIndex(
                model_name='ftm',
                index=models.Index(condition=models.Q(('status', 'held')), fields=['case', 'scheduled_on'], name='ftm_held_by_case'),
            ),
            migrations.AddConstraint(
                model_name='ftmactionitem',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'done'), _negated=True), ('completed_on__isnull', False), _connector='OR'), name='action_item_done_has_date'),
            ),
            migrations.AddConstraint(
                model_name='ftmattendance',
                constraint=models.UniqueConstraint(fields=('ftm', 'user'), name='ftm_attendance_user_unique'),
            ),
            migrations.AddConstraint(
                model_name='ftmattendance',
                constraint=models.UniqueConstraint(fields=('ftm', 'person'), name='ftm_attendance_person_unique'),
            ),
            migrations.AddConstraint(
                model_name='ftmattendance',
                constraint=models.CheckConstraint(condition=models.Q(('user__isnull', False), ('person__isnull', False), models.Q(('name', ''), _negated=True), _connector='OR'), name='ftm_attendance_names_someone'),
            ),
            migrations.AddConstraint(
                model_name='ftmattendance',
                constraint=models.CheckConstraint(condition=models.Q(('mode__in', ['in_person', 'remote', 'absent'])), name='ftm_attendance_mode'),
            ),
            ],
        ),
        migrations.RunPython(rename_content_types, reverse_content_types),
    ]
