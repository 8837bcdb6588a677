"""Markdown for ideas and comments, rendered safely.

markdown-it-py renders CommonMark with raw HTML switched off (so ``<script>``
comes out as text) and refuses ``javascript:`` links; nh3 then keeps only a
short list of tags and attributes and the http/https/mailto schemes, in case
a future markdown-it option lets something through.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _demote_headings(html: str) -> str:
    # The page owns h1/h2; an author's "# Heading" becomes h3 so the
    # document outline stays valid for screen readers.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return html


def render(text: str) -> str:
    """Markdown source to sanitized HTML, safe to mark as safe in a template."""
    if not text:
        return ""
    html = _demote_headings(_md.render(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
