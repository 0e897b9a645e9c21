from django import forms
from django.utils.translation import gettext_lazy as _

from web import notices


class PartnerSortForm(forms.Form):
    """The partners index's order: by name (the default) or most actions first."""

    SORTS = [("name", _("Name, A to Z")), ("actions", _("Most actions first"))]

    sort = forms.ChoiceField(
        choices=SORTS,
        required=False,
        label=_("Sort by"),
    )

    def order(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "name"

    def notices(self) -> list[str]:
        if self.is_valid():
            return []
        return [notices.ignored(_("sort order"), self.data.get("sort", ""))]
