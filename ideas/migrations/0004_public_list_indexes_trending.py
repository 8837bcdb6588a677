"""The public list's partial indexes (every idea but drafts) and a stored
trending score, filled here from the votes (ideas.services.trending keeps it)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.utils import timezone

WINDOWS = ((timedelta(days=1), 7), (timedelta(days=7), 3), (timedelta(days=30), 1))


def fill_trending(apps, schema_editor):
    Idea = apps.get_model("ideas", "Idea")
    Vote = apps.get_model("ideas", "Vote")
    now = timezone.now()
    Idea.objects.filter(vote_count__gt=0).update(trending_score=F("vote_count"))
    extra = Case(
        *[When(created_at__gte=now - age, then=Value(weight)) for age, weight in WINDOWS],
        default=Value(0),
        output_field=IntegerField(),
    )
    recent = (
        Vote.objects.filter(created_at__gte=now - WINDOWS[-1][0]).values("idea_id").annotate(extra=Sum(extra))
    )
    for row in recent.iterator(chunk_size=2000):
        Idea.objects.filter(pk=row["idea_id"]).update(trending_score=F("vote_count") + row["extra"])


class Migration(migrations.Migration):
    # PostgreSQL refuses CREATE INDEX in the transaction that just updated the
    # rows (pending foreign-key trigger events), so each step commits alone.
    atomic = False

    dependencies = [
        ('accounts', '0002_roles'),
        ('ideas', '0003_newest_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='idea',
            name='ideas_most_votes',
        ),
        migrations.RemoveIndex(
            model_name='idea',
            name='ideas_newest',
        ),
        migrations.AddField(
            model_name='idea',
            name='trending_score',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='trending score'),
        ),
        migrations.RunPython(fill_trending, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='idea',
            index=models.Index(condition=models.Q(('status', 'draft'), _negated=True), fields=['-created_at', '-id'], name='ideas_public_newest'),
        ),
        migrations.AddIndex(
            model_name='idea',
            index=models.Index(condition=models.Q(('status', 'draft'), _negated=True), fields=['-vote_count', '-created_at', '-id'], name='ideas_public_votes'),
        ),
        migrations.AddIndex(
            model_name='idea',
            index=models.Index(condition=models.Q(('status', 'draft'), _negated=True), fields=['-trending_score', '-created_at', '-id'], name='ideas_public_trending'),
        ),
    ]
