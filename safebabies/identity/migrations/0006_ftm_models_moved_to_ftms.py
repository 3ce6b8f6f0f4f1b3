"""The FTM models now belong to the `ftms` app (teams/): state only, no table changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('teams', '0005_cqi_held_indexes'),
        ('ftms', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.RemoveIndex(
                model_name='ftm',
                name='teams_ftm_case_id_879c81_idx',
            ),
            migrations.RemoveIndex(
                model_name='ftm',
                name='ftm_held_by_case',
            ),
            migrations.RemoveConstraint(
                model_name='ftmactionitem',
                name='action_item_done_has_date',
            ),
            migrations.RemoveConstraint(
                model_name='ftmattendance',
                name='ftm_attendance_user_unique',
            ),
            migrations.RemoveConstraint(
                model_name='ftmattendance',
                name='ftm_attendance_person_unique',
            ),
            migrations.RemoveConstraint(
                model_name='ftmattendance',
                name='ftm_attendance_names_someone',
            ),
            migrations.RemoveConstraint(
                model_name='ftmattendance',
                name='ftm_attendance_mode',
            ),
            migrations.RemoveField(
                model_name='ftm',
                name='case',
            ),
            migrations.RemoveField(
                model_name='ftm',
                name='edited_by',
            ),
            migrations.RemoveField(
                model_name='ftm',
                name='facilitator',
            ),
            migrations.RemoveField(
                model_name='ftmattendance',
                name='ftm',
            ),
            migrations.RemoveField(
                model_name='ftmattendance',
                name='person',
            ),
            migrations.RemoveField(
                model_name='ftmattendance',
                name='user',
            ),
            migrations.DeleteModel(
                name='FtmActionItem',
            ),
            migrations.DeleteModel(
                name='Ftm',
            ),
            migrations.DeleteModel(
                name='FtmAttendance',
            ),
            ],
        ),
    ]
