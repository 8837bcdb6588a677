"""Markdown in, sanitised HTML out: the one renderer for ideas, comments and
lessons.

markdown-it-py renders CommonMark with raw HTML switched off (``<script>``
comes out as text) and refuses ``javascript:`` links; nh3 then keeps only a
short allow-list of tags, attributes and the http/https/mailto schemes, in
case a future markdown-it option lets something through. It sits beside the
settings because several apps use it and none of them owns it.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str, *, first_heading: int) -> str:
    """Render ``text`` for a page whose own headings end above ``first_heading``:
    an author's ``#`` becomes ``<h{first_heading}>`` and deeper levels follow
    (capped at h6), so the page outline stays valid for screen readers."""
    if not text:
        return ""
    html = _md.render(text)
    shift = first_heading - 1
    for level in range(6, 0, -1):  # deepest first, so a shifted tag is not shifted again
        new = min(level + shift, 6)
        html = html.replace(f"<h{level}>", f"<h{new}>").replace(f"</h{level}>", f"</h{new}>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
