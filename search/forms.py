from django import forms
from django.utils.translation import gettext_lazy as _

from search.models import Kind
from search.terms import MAX_QUERY, Query, parse
from web import notices


class SearchForm(forms.Form):
    """The search page's parameters: the words (`q`) and one type of result (`type`).

    Never invalid for a reader: an unknown type is ignored with a notice, and words
    longer than the limit are shortened with one (see `notices()`)."""

    q = forms.CharField(required=False, strip=False, label=_("Search for"))
    type = forms.ChoiceField(choices=Kind.choices, required=False, label=_("Type"))

    def query(self) -> Query:
        return parse(self.data.get("q", ""))

    def kind(self) -> str:
        """The type asked for, or "" for every type (also when the type is unknown)."""
        return self.cleaned_data.get("type", "") if self.is_valid() else ""

    def notices(self) -> list[str]:
        found: list[str] = []
        query = self.query()
        if query.shortened:
            found.append(notices.shortened(MAX_QUERY))
        if not self.is_valid() and "type" in self.errors:
            found.append(notices.ignored(_("type"), self.data.get("type", "")))
        if not query and self.data.get("q", "").strip():
            found.append(str(_("Type at least one word or number to search for.")))
        return found
