"""CSV export of an idea list for reviewers.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-``, ``@``
(or a tab or carriage return) as a formula, so an idea titled
``=HYPERLINK(...)`` could attack whoever opens the export. Such cells are
prefixed with an apostrophe, which shows the text as typed (OWASP's advice).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from ideas.models import Idea

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_CHUNK_SIZE = 500
HEADER = [
    "id",
    "title",
    "status",
    "patent_status",
    "votes",
    "comments",
    "author",
    "department",
    "campaign",
    "tags",
    "metric",
    "created_at",
    "submitted_at",
    "first_reviewed_at",
    "decided_at",
    "launched_on",
    "url",
]


def safe_cell(value: Any) -> str:
    """A value as CSV text that no spreadsheet will evaluate."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _row(idea: Idea, site: str) -> list[Any]:
    return [
        idea.pk,
        idea.title,
        idea.status,
        idea.patent_status,
        idea.vote_count,
        idea.comment_count,
        idea.author.display_name,
        idea.department.name if idea.department else "",
        idea.campaign.title if idea.campaign else "",
        ", ".join(idea.tag_names),  # type: ignore[attr-defined]  # annotated by the list selectors
        idea.metric_label,
        idea.created_at,
        idea.submitted_at,
        idea.first_reviewed_at,
        idea.decided_at,
        idea.launched_on,
        f"{site}{idea.get_absolute_url()}",
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(ideas: QuerySet[Idea], *, site: str) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for idea in ideas.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield writer.writerow([safe_cell(value) for value in _row(idea, site)])


def csv_response(ideas: QuerySet[Idea], *, site: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(ideas, site=site), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ideas-{stamp}.csv"'
    return response
