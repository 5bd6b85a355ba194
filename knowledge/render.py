"""Article text: Markdown rendered to HTML and sanitised by nh3 (an allow-list, not escaping by hand).

Raw HTML in the Markdown, <script>, event handlers, `javascript:` links and SVG are removed by
the sanitiser; only the tags and attributes below survive.
"""

from __future__ import annotations

import html

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "kbd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> SafeString:
    """The article body as safe HTML."""
    rendered = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 -- sanitised by nh3 just above


def plain_text(text: str) -> str:
    """The article body as plain text, for search and snippets."""
    rendered = markdown.markdown(text, extensions=["tables", "sane_lists"])
    return html.unescape(nh3.clean(rendered, tags=set())).strip()
