"""Search indexes on PostgreSQL (SQLite searches without them).

* pg_trgm with a GIN trigram index on the case-folded ``search_text``: a
  ``LIKE '%word%'`` finds a word inside Thai, Georgian or Mongolian text,
  even in scripts that do not put spaces between words, and uses the index.
* A GIN index on ``to_tsvector('simple', search_text)``: full-text search
  with no language-specific stemming, so every language is treated alike.
  ``ideas.selectors`` builds exactly this expression so the index is used.
* A trigram index on ``title`` for the "similar ideas" lookup.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS ideas_idea_search_trgm ON ideas_idea USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ideas_idea_search_fts ON ideas_idea USING gin "
    "(to_tsvector('simple'::regconfig, search_text))",
    "CREATE INDEX IF NOT EXISTS ideas_idea_title_trgm ON ideas_idea USING gin (title gin_trgm_ops)",
]
NAMES = ["ideas_idea_search_trgm", "ideas_idea_search_fts", "ideas_idea_title_trgm"]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in INDEXES:
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
