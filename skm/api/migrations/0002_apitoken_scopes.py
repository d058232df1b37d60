"""Token scopes. Existing tokens keep what they could do: staff read+write, kiosk kiosk."""

from django.db import migrations, models


def fill_scopes(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    ApiToken.objects.filter(kind="staff").update(scopes=["read", "write"])
    ApiToken.objects.filter(kind="kiosk").update(scopes=["kiosk"])


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.JSONField(
                blank=True, default=list,
                help_text="read, write (token staf) atau kiosk (token kios). Kosong: bawaan "
                "jenisnya.",
                verbose_name="cakupan",
            ),
        ),
        migrations.RunPython(fill_scopes, migrations.RunPython.noop),
    ]
