"""Markdown written by editors, rendered to HTML that is safe to show."""

import hashlib
import html
import re
from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr", "sup", "sub", "div", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# `id` and `class` only as the footnotes extension writes them: an editor may not
# repeat the page's own ids (id="main") or borrow the site's classes. Each text's
# footnote ids carry a digest of the text (`fn-1a2b3c4d:1`), so that two texts with
# footnotes on one page do not both say id="fn:1" and send each other's links astray.
FOOTNOTE_ID = re.compile(r"fn(ref\d*)?-[0-9a-f]{8}:\d+")
FOOTNOTE_TARGET = re.compile(r'(id="|href="#)(fn(?:ref\d*)?):(\d+)"')
FOOTNOTE_CLASSES = {"footnote"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "sup": {"id"},
    "li": {"id"},
    "div": {"class"},
    "th": {"align"},
    "td": {"align"},
}


@lru_cache(maxsize=8192)
def render_markdown(text):
    """Render Markdown to sanitised HTML: scripts, event handlers and
    javascript: links typed by an editor never reach a page as live code.

    A pure function of the text, so each worker keeps the last few thousand
    renderings: a list of 25 outputs re-renders only the texts that changed."""
    html = markdown.markdown(text or "", extensions=["footnotes", "sane_lists", "tables"])
    digest = hashlib.blake2b((text or "").encode(), digest_size=4).hexdigest()
    html = FOOTNOTE_TARGET.sub(rf'\1\2-{digest}:\3"', html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_footnotes_only,
    )
    return mark_safe(clean)


def _footnotes_only(element, attribute, value):
    if attribute == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    if attribute == "class":
        return value if value in FOOTNOTE_CLASSES else None
    return value


@lru_cache(maxsize=8192)
def plain_text(text):
    """Markdown reduced to its words as plain characters (no HTML entities), for
    titles, meta descriptions, feeds and search. Not safe HTML: templates and the
    feed writer escape it, once."""
    return html.unescape(nh3.clean(markdown.markdown(text or ""), tags=set())).strip()


# The search index's name for the same thing.
plain_words = plain_text
