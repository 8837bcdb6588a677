"""Markdown of ideas and comments: the shared renderer, headings from h3
(the idea page owns h1 and h2)."""

from __future__ import annotations

from ideaportal import markdown


def render(text: str) -> str:
    return markdown.render(text, first_heading=3)
