"""Search on real PostgreSQL: full text with the `simple` configuration plus
pg_trgm, so an idea written in Thai, Georgian or Mongolian (texts from the
seed articles) is found by a word from it."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from ideas import selectors
from tests.ideas.factories import IdeaFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

THAI = "จากความสนใจไปสู่ความพึงพอใจของลูกค้า"  # "from attention to customer satisfaction"
GEORGIAN = "როგორ გადავაქციოთ მომხმარებელთა მომსახურების კვირა უფრო მეტს"
MONGOLIAN = "Үнэхээр үйлчлүүлэгч төвтэй компаниудын 3 сургамж"
LATVIAN = "Kā uzlabot klientu apkalpošanu jūsu biznesā"


@pytest.fixture
def multilingual():
    IdeaFactory(title=THAI, problem="", proposal="", status="submitted")
    IdeaFactory(title="Customer service week all year", problem=GEORGIAN, proposal="", status="submitted")
    IdeaFactory(title="Lessons", problem="", proposal=MONGOLIAN, status="submitted")
    IdeaFactory(title=LATVIAN, problem="", proposal="", status="accepted")
    IdeaFactory(title="Unrelated", problem="Storm photos", proposal="", status="submitted")


def _titles(user: User, q: str) -> list[str]:
    return [idea.title for idea in selectors.idea_list(user=user, q=q)]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ความพึงพอใจ", THAI),  # a word inside a run of Thai without spaces
        ("ลูกค้า", THAI),
        ("მომხმარებელთა", "Customer service week all year"),
        ("მომსახურების კვირა", "Customer service week all year"),
        ("үйлчлүүлэгч", "Lessons"),
        ("ҮЙЛЧЛҮҮЛЭГЧ", "Lessons"),  # case-insensitive in Cyrillic too
        ("apkalpošanu", LATVIAN),
    ],
)
def test_an_idea_in_any_language_is_found_by_a_word_from_it(employee, multilingual, word, expected):
    assert _titles(employee, word) == [expected]


def test_title_hits_rank_above_body_hits(employee):
    IdeaFactory(title="Drone photos", problem="", proposal="", status="submitted")
    IdeaFactory(title="Flood help", problem="", proposal="Send drone photos to members", status="submitted")
    assert _titles(employee, "drone photos") == ["Drone photos", "Flood help"]


def test_similar_ideas_work_for_thai_text_being_typed(employee, multilingual):
    similar = selectors.idea_similar(user=employee, text="ความพึงพอใจของลูกค้า")
    assert [idea.title for idea in similar] == [THAI]


@pytest.mark.parametrize(
    ("q", "index"),
    [("ความพึงพอใจ", "ideas_idea_search_trgm"), ("კვირა", "ideas_idea_search_trgm")],
)
def test_search_can_use_the_trigram_and_full_text_indexes(employee, multilingual, q, index):
    qs = selectors.idea_visible(user=employee)
    qs = selectors._search(qs, q)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan
    assert "ideas_search_document" in plan
