import django_filters
from django.db.models import Q
from taggit.models import Tag

from insights.models import Consultation, Organisation, Part, Theme
from workinggroups.models import Output, Stage, WorkingGroup


class OutputFilter(django_filters.FilterSet):
    """The action finder's filters, shared by the HTML page, the API and the CSV.

    Within a repeatable facet any value matches; across facets all must match.
    """

    consultation = django_filters.ModelChoiceFilter(
        field_name="working_group__part__consultation",
        queryset=Consultation.objects.published(),
        to_field_name="slug",
    )
    part = django_filters.ModelChoiceFilter(
        field_name="working_group__part", queryset=Part.objects.all(), to_field_name="slug"
    )
    working_group = django_filters.ModelChoiceFilter(
        queryset=WorkingGroup.objects.all(), to_field_name="slug"
    )
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    theme = django_filters.ModelMultipleChoiceFilter(
        field_name="themes", queryset=Theme.objects.all(), to_field_name="slug", distinct=True
    )
    tag = django_filters.ModelMultipleChoiceFilter(
        field_name="tags", queryset=Tag.objects.all(), to_field_name="slug", distinct=True
    )
    partner = django_filters.ModelMultipleChoiceFilter(
        field_name="partners",
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        distinct=True,
    )
    q = django_filters.CharFilter(method="filter_text", label="Words")

    class Meta:
        model = Output
        fields = ["consultation", "part", "working_group", "stage", "theme", "tag", "partner"]

    def filter_text(self, queryset, name, value):
        words = value.split()[:20]
        condition = Q()
        for word in words:
            condition &= Q(text__icontains=word) | Q(reference__iexact=word)
        return queryset.filter(condition)
