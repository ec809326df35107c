"""The profile's per-capita incomes are exact quotients now and its school column changed: forget the profile's
state, so that the next assessment builds it whole (written by hand: a data step, as 0004's)."""

from django.db import migrations


def forget_profile(apps, schema_editor):
    """Without a state the next assessment rebuilds every row (compute.refresh_profiles)."""
    apps.get_model("policy", "ProfileState").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0008_uploaded_packs_exact_per_capita"),
    ]

    operations = [
        migrations.RunPython(forget_profile, migrations.RunPython.noop),
    ]
