"""Markdown written by editors, rendered to HTML that is safe to show."""

import markdown
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr", "sup", "sub", "div", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "sup": {"id"},
    "li": {"id"},
    "div": {"class"},
    "th": {"align"},
    "td": {"align"},
}


def render_markdown(text):
    """Render Markdown to sanitised HTML: scripts, event handlers and
    javascript: links typed by an editor never reach a page as live code."""
    html = markdown.markdown(text or "", extensions=["footnotes", "sane_lists", "tables"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)


def plain_text(text):
    """Markdown reduced to its words, for meta descriptions and search."""
    return nh3.clean(markdown.markdown(text or ""), tags=set()).strip()
