"""Lesson text: the shared renderer, headings from h2 (the page's h1 is the
lesson title)."""

from __future__ import annotations

from ideaportal import markdown


def render_markdown(text: str) -> str:
    return markdown.render(text, first_heading=2)
