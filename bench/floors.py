"""Floor views: the same rows as a product endpoint, from one raw SQL query
(the caller's token resolved inside it), encoded with orjson. No DRF, no
ORM, no serializers: what the database and the WSGI server cost alone.
The ratio of a product endpoint to its floor is what docs/benchmarks.md
reports."""

from __future__ import annotations

from typing import Any

import orjson
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

ME = "(SELECT user_id FROM authtoken_token WHERE key = %(key)s)"

LIST_SELECT = f"""
SELECT i.id, i.title, i.status, i.patent_status, i.vote_count, i.comment_count,
       EXISTS (SELECT 1 FROM ideas_vote v WHERE v.idea_id = i.id AND v.user_id = {ME}),
       u.id, u.display_name, d.id, d.name, d.slug, c.id, c.title, c.slug,
       ARRAY(SELECT t.name FROM ideas_idea_tags it JOIN ideas_tag t ON t.id = it.tag_id
              WHERE it.idea_id = i.id ORDER BY t.name),
       i.created_at, i.submitted_at
  FROM ideas_idea i
  JOIN accounts_user u ON u.id = i.author_id
  LEFT JOIN accounts_department d ON d.id = i.department_id
  LEFT JOIN ideas_campaign c ON c.id = i.campaign_id
"""
VISIBLE = f"i.deleted_at IS NULL AND (i.status <> 'draft' OR i.author_id = {ME})"
PUBLIC = "i.status <> 'draft' AND i.deleted_at IS NULL"  # the partial indexes' predicate, as the product's


def _token(request: HttpRequest) -> str:
    return request.headers.get("Authorization", "").removeprefix("Token ").strip()


def _rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _json(data: Any) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), content_type="application/json")


def _list_items(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r[0],
            "title": r[1],
            "status": r[2],
            "patent_status": r[3],
            "vote_count": r[4],
            "comment_count": r[5],
            "has_voted": r[6],
            "author": {"id": r[7], "display_name": r[8]},
            "department": {"id": r[9], "name": r[10], "slug": r[11]} if r[9] else None,
            "campaign": {"id": r[12], "title": r[13], "slug": r[14]} if r[12] else None,
            "tags": r[15],
            "created_at": r[16],
            "submitted_at": r[17],
            "url": f"/ideas/{r[0]}/",
        }
        for r in rows
    ]


TRENDING = """
(i.vote_count + 4 * (SELECT count(*) FROM ideas_vote v WHERE v.idea_id = i.id AND v.created_at >= now() - interval '1 day')
              + 2 * (SELECT count(*) FROM ideas_vote v WHERE v.idea_id = i.id AND v.created_at >= now() - interval '7 days')
              + 1 * (SELECT count(*) FROM ideas_vote v WHERE v.idea_id = i.id AND v.created_at >= now() - interval '30 days'))
"""


def idea_list(request: HttpRequest) -> HttpResponse:
    """/api/v1/ideas/ with ?ordering=, ?status=, ?campaign=, ?q=, ?after= (keyset) or ?offset=."""
    q = request.GET
    params: dict[str, Any] = {"key": _token(request)}
    where = [PUBLIC]  # the public list, as the product's (drafts are on "My ideas")
    if q.get("status"):
        where.append("i.status = %(status)s")
        params["status"] = q["status"]
    if q.get("campaign"):
        where.append("i.campaign_id = %(campaign)s")
        params["campaign"] = int(q["campaign"])
    order = "i.created_at DESC, i.id DESC"
    if q.get("q"):
        # As the product: the 200 most voted matches are ranked, title over
        # problem over proposal, an exact title hit first (Latin text: no
        # substring branch).
        params["q"] = q["q"]
        where.append(
            "i.id IN (SELECT id FROM ideas_idea i WHERE "
            f"{PUBLIC} AND i.search_document @@ websearch_to_tsquery('simple', %(q)s) "
            "ORDER BY i.vote_count DESC, i.created_at DESC, i.id DESC LIMIT 200)"
        )
        order = (
            "ts_rank(i.search_document, websearch_to_tsquery('simple', %(q)s))"
            " + (i.title ILIKE '%%' || %(q)s || '%%')::int DESC, i.vote_count DESC, i.created_at DESC"
        )
    elif q.get("ordering") == "votes":
        order = "i.vote_count DESC, i.created_at DESC, i.id DESC"
    elif q.get("ordering") == "trending":
        order = "i.trending_score DESC, i.created_at DESC, i.id DESC"  # the stored score, as the product
    if q.get("after"):  # keyset on (created_at, id), as the product's cursor
        created, _, pk = q["after"].partition(",")
        where.append("(i.created_at, i.id) < (%(created)s::timestamptz, %(pk)s)")
        params.update(created=created, pk=int(pk))
    offset = int(q.get("offset", 0))
    sql = f"{LIST_SELECT} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT 25 OFFSET {offset}"
    return _json({"results": _list_items(_rows(sql, params))})


def review_queue(request: HttpRequest) -> HttpResponse:
    """As the product: stage, then the longest wait (overdue ideas are the
    longest waiting for triage, so they come first)."""
    sql = (
        f"{LIST_SELECT} WHERE i.status IN ('submitted', 'in_review', 'needs_info') AND i.deleted_at IS NULL "
        "ORDER BY CASE WHEN i.status = 'submitted' THEN 0 WHEN i.status = 'in_review' THEN 1 ELSE 2 END, "
        "i.queued_at, i.id LIMIT 25"
    )
    return _json({"results": _list_items(_rows(sql, {"key": _token(request)}))})


def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sql = f"""
    SELECT i.id, i.title, i.status, i.vote_count, i.comment_count, i.problem, i.proposal, i.proposal_html,
           u.id, u.display_name, d.id, d.name, c.id, c.title, r.id, r.display_name, i.created_at,
           EXISTS (SELECT 1 FROM ideas_vote v WHERE v.idea_id = i.id AND v.user_id = {ME}),
           EXISTS (SELECT 1 FROM ideas_follow f WHERE f.idea_id = i.id AND f.user_id = {ME})
      FROM ideas_idea i JOIN accounts_user u ON u.id = i.author_id
      LEFT JOIN accounts_department d ON d.id = i.department_id
      LEFT JOIN ideas_campaign c ON c.id = i.campaign_id
      LEFT JOIN accounts_user r ON r.id = i.reviewer_id
     WHERE i.id = %(pk)s AND {VISIBLE}
    """
    rows = _rows(sql, {"key": _token(request), "pk": pk})
    if not rows:
        return _json({"status": 404})
    r = rows[0]
    keys = ["id", "title", "status", "vote_count", "comment_count", "problem", "proposal", "proposal_html"]
    body = dict(zip(keys, r[:8], strict=True))
    body.update(
        author={"id": r[8], "display_name": r[9]},
        department={"id": r[10], "name": r[11]},
        campaign={"id": r[12], "title": r[13]} if r[12] else None,
        reviewer={"id": r[14], "display_name": r[15]} if r[14] else None,
        created_at=r[16],
        has_voted=r[17],
        is_following=r[18],
    )
    return _json(body)


def similar(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("text", "")[:500]
    words = [w for w in text.casefold().split() if len(w) >= 4][:20]
    # As the product: the 200 most voted ideas that share a word or look
    # alike by title, ranked by both.
    sql = """
    WITH q AS (SELECT to_tsquery('simple', %(query)s) AS query)
    SELECT i.id, i.title, i.status, i.vote_count
      FROM ideas_idea i, q
     WHERE i.id IN (SELECT c.id FROM ideas_idea c, q
                     WHERE c.status NOT IN ('draft', 'withdrawn', 'duplicate') AND c.deleted_at IS NULL
                       AND (c.search_document @@ q.query OR c.title %% %(text)s)
                     ORDER BY c.vote_count DESC, c.created_at DESC, c.id DESC LIMIT 200)
     ORDER BY ts_rank(i.search_document, q.query)
              + similarity(i.title, %(text)s) DESC, i.vote_count DESC
     LIMIT 5
    """
    rows = _rows(sql, {"query": " | ".join(words) or "x", "text": text})
    return _json(
        [
            {
                "id": r[0],
                "title": r[1],
                "status": r[2],
                "vote_count": r[3],
                "url": f"/ideas/{r[0]}/",
            }
            for r in rows
        ]
    )


@csrf_exempt
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Vote or unvote and keep the counter, in one statement."""
    if request.method == "POST":
        sql = f"""
        WITH v AS (INSERT INTO ideas_vote (idea_id, user_id, created_at) VALUES (%(pk)s, {ME}, now())
                   ON CONFLICT DO NOTHING RETURNING idea_id)
        UPDATE ideas_idea SET vote_count = vote_count + (SELECT count(*) FROM v) WHERE id = %(pk)s
        RETURNING vote_count
        """
    else:
        sql = f"""
        WITH v AS (DELETE FROM ideas_vote WHERE idea_id = %(pk)s AND user_id = {ME} RETURNING idea_id)
        UPDATE ideas_idea SET vote_count = vote_count - (SELECT count(*) FROM v) WHERE id = %(pk)s
        RETURNING vote_count
        """
    rows = _rows(sql, {"key": _token(request), "pk": pk})
    return _json({"vote_count": rows[0][0], "has_voted": request.method == "POST"})


def hr_report(request: HttpRequest) -> HttpResponse:
    sql = """
    SELECT a.module_id, m.title, count(*) FILTER (WHERE a.status <> 'waived'),
           count(*) FILTER (WHERE a.status = 'completed'),
           count(*) FILTER (WHERE a.status IN ('assigned', 'in_progress') AND a.due_on < current_date),
           count(*) FILTER (WHERE a.status = 'waived'), avg(a.best_score)::float
      FROM onboarding_assignment a JOIN accounts_user u ON u.id = a.user_id
      JOIN onboarding_module m ON m.id = a.module_id
     WHERE u.department_id = %(dep)s
       AND NOT EXISTS (SELECT 1 FROM onboarding_assignment r WHERE r.previous_id = a.id)  -- current ones, as the product
     GROUP BY a.module_id, m.title ORDER BY m.title
    """
    rows = _rows(sql, {"dep": int(request.GET.get("department", 1))})
    keys = ["key", "label", "assigned", "completed", "overdue", "waived", "average_score"]
    return _json([dict(zip(keys, r, strict=True)) for r in rows])


def my_training(request: HttpRequest) -> HttpResponse:
    sql = f"""
    SELECT a.id, a.status, a.due_on, m.id, m.title, a.best_score,
           (SELECT count(*) FROM onboarding_lesson l WHERE l.module_id = a.module_id AND l.is_active),
           (SELECT count(*) FROM onboarding_lessoncompletion c WHERE c.assignment_id = a.id)
      FROM onboarding_assignment a JOIN onboarding_module m ON m.id = a.module_id
     WHERE a.user_id = {ME}
     ORDER BY CASE WHEN a.status IN ('assigned', 'in_progress') AND a.due_on < current_date THEN 0
                   WHEN a.status IN ('assigned', 'in_progress') THEN 1 ELSE 2 END, a.due_on, a.id
     LIMIT 25
    """
    rows = _rows(sql, {"key": _token(request)})
    keys = ["id", "status", "due_on", "module_id", "module", "best_score", "lessons", "done"]
    return _json({"results": [dict(zip(keys, r, strict=True)) for r in rows]})


def digest(request: HttpRequest) -> HttpResponse:
    """The digest's main section (most-voted new ideas of the last week) and its moves, one query."""
    sql = """
    SELECT 'top_new', i.id, i.title, i.vote_count, '' FROM (
        SELECT id, title, vote_count FROM ideas_idea
         WHERE submitted_at >= now() - interval '7 days'
           AND status NOT IN ('draft', 'withdrawn', 'duplicate', 'rejected') AND deleted_at IS NULL
         ORDER BY vote_count DESC, submitted_at, id LIMIT 5) i
    UNION ALL
    SELECT 'moved', i.id, i.title, i.vote_count, e.to_value FROM ideas_ideaevent e JOIN ideas_idea i ON i.id = e.idea_id
     WHERE e.created_at >= now() - interval '7 days' AND e.to_value IN ('accepted', 'launched')
       AND i.status <> 'draft' AND i.deleted_at IS NULL
    """
    rows = _rows(sql, {})
    return _json([{"section": r[0], "id": r[1], "title": r[2], "votes": r[3], "to": r[4]} for r in rows])


urlpatterns = [
    path("bench/floor/ideas/", idea_list),
    path("bench/floor/ideas/review-queue/", review_queue),
    path("bench/floor/ideas/similar/", similar),
    path("bench/floor/ideas/<int:pk>/", idea_detail),
    path("bench/floor/ideas/<int:pk>/vote/", vote),
    path("bench/floor/hr-report/", hr_report),
    path("bench/floor/my-training/", my_training),
    path("bench/floor/digest/", digest),
]
