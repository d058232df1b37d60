import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("units", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Publication",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("published_at", models.DateTimeField(verbose_name="dipublikasikan pada")),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True,
                                                      verbose_name="ditarik pada")),
                ("period", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="units.period", verbose_name="periode")),
                ("published_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                    related_name="+", to=settings.AUTH_USER_MODEL,
                    verbose_name="dipublikasikan oleh")),
                ("unit", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="publications",
                    to="units.unit", verbose_name="unit")),
                ("withdrawn_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="ditarik oleh")),
            ],
            options={
                "verbose_name": "publikasi",
                "verbose_name_plural": "publikasi",
                "ordering": ["-published_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("withdrawn_at__isnull", True)),
                        fields=("unit", "period"),
                        name="publication_one_live_per_unit_period",
                    ),
                ],
            },
        ),
    ]
