"""What a page says when it ignored or changed part of a request, in one wording
for the finder and the search page."""

from django.utils.functional import Promise
from django.utils.translation import gettext as _


def shortened(limit: int) -> str:
    return _("Your words were shortened to their first %(n)s characters.") % {"n": limit}


def ignored(noun: str | Promise, value: str) -> str:
    return _("We don't know the %(facet)s '%(value)s'; it was ignored.") % {
        "facet": noun,
        "value": value,
    }
