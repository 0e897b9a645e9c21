"""Tag autocomplete for the admin.

Django's `autocomplete_fields` only takes foreign keys and many-to-many fields, and
taggit's manager is neither, so editors would otherwise type tags blind into a
comma-separated box. This field reuses the admin's own Select2 autocomplete, fed
by a small view that searches tag names, and still lets an editor add a new tag.
"""

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.admin.widgets import AutocompleteMixin, get_select2_language
from django.http import JsonResponse
from django.urls import reverse
from taggit.models import Tag

RESULTS_PER_PAGE = 20


@staff_member_required
def autocomplete(request):
    """Tags whose name contains `term`, in the JSON shape the admin's Select2 expects."""
    term = request.GET.get("term", "").strip()[:100]
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    tags = Tag.objects.order_by("name")
    if term:
        tags = tags.filter(name__icontains=term)
    start = (page - 1) * RESULTS_PER_PAGE
    names = list(tags.values_list("name", flat=True)[start : start + RESULTS_PER_PAGE + 1])
    return JsonResponse(
        {
            "results": [{"id": name, "text": name} for name in names[:RESULTS_PER_PAGE]],
            "pagination": {"more": len(names) > RESULTS_PER_PAGE},
        }
    )


class TagAutocompleteWidget(forms.SelectMultiple):
    """A Select2 box over tag names; `data-tags` lets editors add new ones."""

    # The admin's jQuery, Select2 and autocomplete.js, in the order they need.
    media = AutocompleteMixin.media

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.i18n_name = get_select2_language()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "class": "admin-autocomplete",
                "data-ajax--url": reverse("tag_autocomplete"),
                "data-ajax--cache": "true",
                "data-ajax--delay": 250,
                "data-ajax--type": "GET",
                "data-theme": "admin-autocomplete",
                "data-allow-clear": "false",
                "data-placeholder": "",
                "data-tags": "true",
                "data-token-separators": '[","]',
                "lang": self.i18n_name,
            }
        )
        return context

    def optgroups(self, name, value, attrs=None):
        selected = [str(v) for v in value if v]
        return [
            (None, [self.create_option(name, v, v, True, index)], index)
            for index, v in enumerate(selected)
        ]

    def format_value(self, value):
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return [getattr(tag, "name", tag) for tag in value]


class TagAutocompleteField(forms.Field):
    """Tag names chosen with `TagAutocompleteWidget`; saved by taggit's manager."""

    widget = TagAutocompleteWidget

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        # A comma separates tags here as in taggit's own field.
        names = []
        for name in (part for item in value for part in str(item).split(",")):
            name = name.strip()[:100]
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        return names
