"""Partner links an editor may have missed: the text names an organisation by one of
its names (name, short name, aliases) but the item is not linked to it."""

import re
from dataclasses import dataclass

from insights.models import Organisation


@dataclass(frozen=True)
class Suggestion:
    item: object
    organisation: Organisation
    matched: str

    @property
    def key(self):
        """Identifies the suggestion in a form: `<item pk>:<organisation pk>`."""
        return f"{self.item.pk}:{self.organisation.pk}"


def name_pattern(organisation):
    """Any of the organisation's names as whole words, case as written: "PUBLIC" the
    consultancy is not the word "public"."""
    names = "|".join(re.escape(name) for name in organisation.names())
    return re.compile(rf"(?<!\w)(?:{names})(?!\w)")


def item_text(item):
    return getattr(item, "text", None) or getattr(item, "body", "")


def partner_suggestions(items):
    """Suggestions for outputs or briefings, in the order given, longest names first.

    Presenters of a briefing count as linked. Queries: organisations, the items,
    and one per prefetched relation.
    """
    patterns = [(org, name_pattern(org)) for org in Organisation.objects.all()]
    related = ["partners"]
    if hasattr(items.model, "presenters"):
        related.append("presenters")
    suggestions = []
    for item in items.prefetch_related(*related):
        linked = {org.pk for field in related for org in getattr(item, field).all()}
        text = item_text(item)
        for org, pattern in patterns:
            if org.pk in linked:
                continue
            match = pattern.search(text)
            if match:
                suggestions.append(Suggestion(item, org, match.group(0)))
    return suggestions
