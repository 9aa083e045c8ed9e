"""On PostgreSQL, trigram indexes serve the substring tests of conflict and name search."""

from django.db import migrations

INDEXES = [
    ("core_client", "search_name"),
    ("core_party", "search_name"),
    ("core_matter", "search_title"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    for table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)",
            params=None,
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm", params=None)


def practice_areas_for_existing_firms(apps, schema_editor):
    from core.services.matters import DEFAULT_PRACTICE_AREAS

    organization_model = apps.get_model("core", "Organization")
    practice_area_model = apps.get_model("core", "PracticeArea")
    for org in organization_model.objects.filter(practice_areas__isnull=True):
        practice_area_model.objects.bulk_create(
            [practice_area_model(org=org, name=name) for name in DEFAULT_PRACTICE_AREAS]
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_clients_matters")]
    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(practice_areas_for_existing_firms, migrations.RunPython.noop),
    ]
