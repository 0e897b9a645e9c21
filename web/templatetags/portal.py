from django import template
from django.utils.text import Truncator

from web.text import plain_text, render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def summary(text, words=30):
    return Truncator(plain_text(text)).words(words)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return "?" + params.urlencode() if params else "?"
