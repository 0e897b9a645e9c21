from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from web.text import plain_text, render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def summary(text, words=30):
    return Truncator(plain_text(text)).words(words)


@register.filter
def page_links(page):
    """The page numbers a page of results links to: the first and last, two either
    side of the current one, and None where numbers are left out. Reckoned from
    the current page, so a list of 4,000 pages costs what a list of 10 does."""
    last, current = page.paginator.num_pages, page.number
    candidates = {1, 2, last - 1, last, *range(current - 2, current + 3)}
    return [
        number if number in (1, last) or abs(number - current) <= 2 else None
        for number in sorted(candidates)
        if 1 <= number <= last
    ]


@register.simple_tag
def options(choices, selected=()):
    """An `<option>` for each (value, label) of `choices`, those in `selected` chosen,
    escaped as Django escapes. Joined in Python: a template loop over a thousand
    organisations costs tens of milliseconds, this about one."""
    chosen = {str(value) for value in selected or ()}
    # Every value and label is escaped.
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) in chosen else ''}>{escape(str(label))}</option>"
            for value, label in choices
        )
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return "?" + params.urlencode() if params else "?"
