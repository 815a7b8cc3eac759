"""Improvement actions know the language of the standard's steps they copied.

An action made before kept the steps as text only: when that text is still, word for word, the
standard's steps in one of its languages, the action gets that language (pages then show the
steps in the reader's language, marked with the language they are in); an action whose steps
the supplier rewrote keeps none, and shows its text as written.
"""

from django.db import migrations, models


def copied_language(apps, schema_editor):
    ImprovementAction = apps.get_model("assessments", "ImprovementAction")
    for action in ImprovementAction.objects.select_related("criterion").iterator():
        texts = action.criterion.improvement_steps or {}
        for language, text in texts.items():
            if isinstance(text, str) and text.strip() == action.steps.strip():
                action.steps_language = language
                action.save(update_fields=["steps_language"])
                break


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0002_standard_draft"),
    ]

    operations = [
        migrations.AddField(
            model_name="improvementaction",
            name="steps_language",
            field=models.CharField(
                blank=True,
                help_text="The language of the standard's steps as copied (they may have none "
                "in the reader's language); empty once the supplier wrote them.",
                max_length=10,
            ),
        ),
        migrations.RunPython(copied_language, migrations.RunPython.noop),
    ]
