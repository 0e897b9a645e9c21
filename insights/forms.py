from typing import Any

from django import forms

from insights.models import Organisation
from web import notices


class OrganisationFilterForm(forms.Form):
    """A list narrowed to what organisations did: one `?name=<slug>` per relation
    (`relations`: {name: what the notice calls an unknown one})."""

    def __init__(self, data, relations: dict[str, Any]):
        super().__init__(data)
        for name, noun in relations.items():
            self.fields[name] = forms.ModelChoiceField(
                Organisation.objects.all(), to_field_name="slug", required=False, label=noun
            )

    def chosen(self) -> dict[str, Organisation]:
        """{relation: organisation} for each known slug given (unknown ones are left out)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def notices(self) -> list[str]:
        self.is_valid()
        return [
            notices.ignored(self.fields[name].label or name, self.data.get(name, ""))
            for name in self.errors
        ]
