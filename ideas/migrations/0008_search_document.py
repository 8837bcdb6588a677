"""A stored, weighted search document per idea (PostgreSQL).

Search used to parse ``search_text`` again for every row it looked at: to
filter the most voted candidates and, three times more, to rank them (title,
problem and proposal weighted apart). At a million ideas a common word cost
tens of milliseconds of parsing. ``search_document`` is computed by
PostgreSQL when an idea is written, and its GIN index replaces the one on
``to_tsvector('simple', search_text)``. The trigram indexes stay: they serve
substring matches in scripts written without spaces, and similar titles.

On a large table the column is filled by rewriting the table once (about two
minutes per million ideas on two cores).
"""

import django.contrib.postgres.search
from django.db import migrations, models

import ideas.models


def swap_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS ideas_search_document ON ideas_idea USING gin (search_document)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS ideas_idea_search_fts")


def unswap_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS ideas_idea_search_fts ON ideas_idea USING gin "
        "(to_tsvector('simple'::regconfig, search_text))"
    )
    schema_editor.execute("DROP INDEX IF EXISTS ideas_search_document")


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0007_review_queue_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="idea",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=ideas.models.SearchDocument(),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        migrations.RunPython(swap_indexes, unswap_indexes),
    ]
