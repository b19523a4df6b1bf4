"""Question 8's options per round. Every existing round offers what the survey offered until
now (the options still available) and keeps every option one of its answers chose."""

from django.db import migrations, models


def forward(apps, schema_editor):
    LimitationOption = apps.get_model("readiness", "LimitationOption")
    SurveyRound = apps.get_model("readiness", "SurveyRound")
    SurveyResponse = apps.get_model("readiness", "SurveyResponse")
    offered = list(LimitationOption.objects.filter(is_active=True).values_list("pk", flat=True))
    for round in SurveyRound.objects.all():
        chosen = SurveyResponse.q8_options.through.objects.filter(
            surveyresponse__round=round
        ).values_list("limitationoption_id", flat=True)
        round.limitation_options.set(set(offered) | set(chosen))


class Migration(migrations.Migration):
    dependencies = [("readiness", "0003_survey_reminders")]

    operations = [
        migrations.AddField(
            model_name="surveyround",
            name="limitation_options",
            field=models.ManyToManyField(
                blank=True,
                related_name="rounds",
                to="readiness.limitationoption",
                verbose_name="question 8's options",
            ),
        ),
        migrations.AlterField(
            model_name="limitationoption",
            name="is_active",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "Untick instead of deleting: it can no longer be added to a round; rounds "
                    "that offer it and earlier answers keep it."
                ),
                verbose_name="available for rounds",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
