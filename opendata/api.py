"""The read-only JSON API under /api/. Only public content appears; every list
filters and orders exactly as its page on the site does."""

from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action, api_view, renderer_classes
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from taggit.models import Tag, TaggedItem

from content.documents import export_document
from insights.models import (
    Consultation,
    InsightBriefing,
    KeyTheme,
    Organisation,
    Part,
    Sector,
    Theme,
)
from opendata import serializers as api
from progress.filters import CommitmentFilter
from progress.models import Commitment, Role
from progress.models import Status as CommitmentStatus
from recurring.models import RecurringFinding, SimilarAction
from web.caching import cache_public_page
from web.kept import kept
from workinggroups.filters import OutputFilter
from workinggroups.models import Output, Stage, WorkingGroup

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
BAD_FILTER = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


# The finder's parameters as the schema states them: repeatable ones take any of their values.
FILTER_PARAMETERS = [
    OpenApiParameter("consultation", str, description=_("A consultation's slug.")),
    OpenApiParameter("part", str, description=_("A part's slug, e.g. sgh24-p1.")),
    OpenApiParameter("working_group", str, description=_("A working group's slug.")),
    OpenApiParameter(
        "stage", str, many=True, enum=Stage.values, description=_("Stages; any of them.")
    ),
    OpenApiParameter("theme", str, many=True, description=_("Theme slugs; any of them.")),
    OpenApiParameter("tag", str, many=True, description=_("Tag slugs; any of them.")),
    OpenApiParameter("partner", str, many=True, description=_("Partner slugs; any of them.")),
    OpenApiParameter(
        "sector",
        str,
        many=True,
        enum=Sector.values,
        description=_("Kinds of partner the action names; any of them."),
    ),
    OpenApiParameter(
        "q", str, description=_("Words that must each start a word of the text, or a reference.")
    ),
    OpenApiParameter(
        "sort",
        str,
        enum=[value for value, _label in OutputFilter.base_filters["sort"].extra["choices"]],
        description=_(
            "The paper's order (the default), by reference, best match to q, or recurrence: "
            "actions in the recurring findings raised by the most groups first."
        ),
    ),
    OpenApiParameter(
        "status",
        str,
        many=True,
        enum=[*CommitmentStatus.values, "none"],
        description=_(
            "Actions with at least one commitment in any of these statuses; "
            "none: actions with no commitment at all."
        ),
    ),
    OpenApiParameter(
        "committed_by",
        str,
        many=True,
        description=_("Organisation slugs: actions any of them has committed to."),
    ),
    OpenApiParameter(
        "recurring",
        str,
        description=_("A published recurring finding's slug: the actions it holds."),
    ),
]

COMMITMENT_PARAMETERS = [
    OpenApiParameter(
        "organisation", str, many=True, description=_("Organisation slugs; any of them.")
    ),
    OpenApiParameter(
        "status", str, many=True, enum=CommitmentStatus.values, description=_("Any of them.")
    ),
    OpenApiParameter("role", str, many=True, enum=Role.values, description=_("Any of them.")),
    OpenApiParameter(
        "sector", str, many=True, description=_("The organisations' sectors; any of them.")
    ),
    OpenApiParameter("theme", str, many=True, description=_("Its action's themes; any of them.")),
    OpenApiParameter("consultation", str, description=_("Its action's consultation's slug.")),
    OpenApiParameter(
        "stage", str, many=True, enum=Stage.values, description=_("Its action's stages.")
    ),
    OpenApiParameter(
        "overdue",
        str,
        enum=["true", "false"],
        description=_("Due before today (Europe/London) and neither done nor withdrawn, or not."),
    ),
    OpenApiParameter(
        "sort",
        str,
        enum=[value for value, _label in CommitmentFilter.base_filters["sort"].extra["choices"]],
        description=_("By due date (the default) or by latest update, newest first."),
    ),
]


def documented(serializer, detail_serializer=None, *, one, filtered=False):
    """Declare the error answers too, so clients (and schemathesis) know them.

    A bad page number is a 404; a filter value that names nothing is a 400
    whose body maps each parameter to its messages. The list takes the view's
    docstring as its description; the single-item endpoint says `one` instead."""
    errors = {404: ERROR, **({400: BAD_FILTER} if filtered else {})}
    return extend_schema_view(
        list=extend_schema(
            responses={200: serializer, **errors},
            parameters=FILTER_PARAMETERS if filtered else None,
        ),
        retrieve=extend_schema(
            description=one, responses={200: detail_serializer or serializer, **errors}
        ),
    )


def public_tags():
    """Tags carried by published actions, briefings or working groups, each
    annotated with `output_count` (published actions carrying it)."""

    def on(model, manager):
        return Q(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            object_id__in=manager.published().values("pk"),
        )

    used = TaggedItem.objects.filter(
        on(Output, Output.objects)
        | on(InsightBriefing, InsightBriefing.objects)
        | on(WorkingGroup, WorkingGroup.objects)
    )
    items = "taggit_taggeditem_items"
    return (
        Tag.objects.filter(pk__in=used.values("tag_id"))
        .annotate(
            output_count=Count(
                items,
                filter=Q(
                    **{
                        f"{items}__content_type__app_label": "workinggroups",
                        f"{items}__content_type__model": "output",
                        f"{items}__object_id__in": Output.objects.published().values("pk"),
                    }
                ),
                distinct=True,
            )
        )
        .order_by("name")
    )


class ChoicesFilterBackend(DjangoFilterBackend):
    """The finder's and tracker's filters, except that an empty value of a filter
    with fixed choices (`?stage=`) is a 400, as the schema's enum says; the
    pages, which send no empty fields, are lenient about it."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        empty = {
            name: [str(_("Give one of the choices, or leave the parameter out."))]
            for name, field in filterset_class.base_filters.items()
            if "choices" in field.extra
            and name in request.query_params
            and "" in request.query_params.getlist(name)
        }
        if empty:
            raise ValidationError(empty)
        return super().filter_queryset(request, queryset, view)


@method_decorator(cache_public_page, name="dispatch")
class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    # JSON only: the browsable API's pages need inline styles the CSP refuses;
    # people read /api/docs/ instead.
    renderer_classes = [JSONRenderer]
    # Any path segment reaches the view, which answers a JSON 404 for nonsense.
    lookup_value_regex = "[^/]+"
    lookup_field = "slug"
    filter_backends = []


# The published actions' total, kept for the unfiltered API list (`web.kept`).
API_ACTIONS_TOTAL = "api-actions-total"


@documented(
    api.OutputSerializer,
    api.OutputDetailSerializer,
    one=_("One action, by its reference, with the partners that have committed to it."),
    filtered=True,
)
class ActionViewSet(ReadOnlyViewSet):
    """Published actions (working-group outputs), a page at a time, filtered like the
    action finder."""

    queryset = Output.objects.published().for_list()
    serializer_class = api.OutputSerializer
    filter_backends = [ChoicesFilterBackend]
    filterset_class = OutputFilter
    lookup_field = "reference"

    def known_count(self) -> int | None:
        """With no filter in force, the published actions' total, kept until the
        content changes (`web.kept`): no count of every action for each page."""
        params = self.request.query_params
        if self.action != "list" or any(
            any(params.getlist(name)) for name in OutputFilter.base_filters if name != "sort"
        ):
            return None
        return kept(API_ACTIONS_TOTAL, Output.objects.published().count)

    def get_queryset(self):
        if self.action == "retrieve":
            commitments = (
                Commitment.objects.for_list().with_updates().order_by("role", "organisation__name")
            )
            return self.queryset.prefetch_related(
                Prefetch("commitments", commitments, to_attr="public_commitments"),
                Prefetch(
                    "recurring_findings",
                    RecurringFinding.objects.published().order_by("slug"),
                    to_attr="public_findings",
                ),
            )
        return self.queryset

    @extend_schema(
        responses={200: api.SimilarActionSerializer(many=True), 404: ERROR},
        parameters=[],
        filters=False,
    )
    @action(detail=True, url_path="similar", pagination_class=None, filter_backends=[])
    def similar(self, request, reference=None):
        """Up to 10 actions from other working groups that make a similar point, best
        first: computed from their words, not checked by an editor."""
        output = get_object_or_404(Output.objects.published(), reference=reference)
        links = SimilarAction.objects.for_action(output)
        serializer = api.SimilarActionSerializer(links, many=True, context={"request": request})
        return Response(serializer.data)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return api.OutputDetailSerializer
        if self.action == "similar":
            return api.SimilarActionSerializer
        return api.OutputSerializer


@documented(
    api.RecurringFindingSerializer,
    one=_("One recurring finding, by its slug, with its public members."),
)
class RecurringFindingViewSet(ReadOnlyViewSet):
    """Recurring findings: points raised by several working groups, confirmed by
    editors and published; by title, a page at a time. Only their public members
    are listed."""

    queryset = RecurringFinding.objects.published().for_list().order_by("title")
    serializer_class = api.RecurringFindingSerializer


@extend_schema_view(
    list=extend_schema(
        responses={200: api.CommitmentSerializer, 404: ERROR, 400: BAD_FILTER},
        parameters=COMMITMENT_PARAMETERS,
    )
)
@method_decorator(cache_public_page, name="dispatch")
class CommitmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Organisations' commitments to take actions forward, with their updates,
    filtered like the progress tracker. Each one is cited by its action and
    organisation: it has no address of its own in the API."""

    renderer_classes = [JSONRenderer]
    queryset = Commitment.objects.published().for_list().with_updates()
    serializer_class = api.CommitmentSerializer
    filter_backends = [ChoicesFilterBackend]
    filterset_class = CommitmentFilter


@documented(
    api.ConsultationSerializer,
    api.ConsultationDetailSerializer,
    one=_("One published consultation, by its slug, with its introduction, key themes and parts."),
)
class ConsultationViewSet(ReadOnlyViewSet):
    """Published consultations, newest first, a page at a time."""

    def get_queryset(self):
        consultations = Consultation.objects.published().prefetch_related("organisers", "themes")
        if self.action == "retrieve":
            return consultations.prefetch_related(
                Prefetch("key_themes", KeyTheme.objects.filter(held=False)),
                Prefetch("parts", Part.objects.filter(held=False)),
            )
        return consultations

    def get_serializer_class(self):
        if self.action == "retrieve":
            return api.ConsultationDetailSerializer
        return api.ConsultationSerializer


@documented(api.BriefingSerializer, one=_("One insight briefing, by its slug, with its text."))
class BriefingViewSet(ReadOnlyViewSet):
    """Insight briefings given at published consultations, with their text, a page at a time."""

    queryset = InsightBriefing.objects.published().for_list().prefetch_related("partners")
    serializer_class = api.BriefingSerializer


@documented(
    api.WorkingGroupSerializer,
    one=_("One working group, by its slug, with how many actions it produced under each stage."),
)
class WorkingGroupViewSet(ReadOnlyViewSet):
    """Working groups, with how many actions each produced under each stage, a page at a time."""

    # Counting drops Meta.ordering from the query: pages need it back.
    queryset = (
        WorkingGroup.objects.published().for_list().with_stage_counts().order_by("part", "number")
    )
    serializer_class = api.WorkingGroupSerializer


@documented(
    api.PartnerSerializer,
    one=_("One partner, by its slug, with how many published actions name it."),
)
class PartnerViewSet(ReadOnlyViewSet):
    """Partners (the organisations the findings name), with how many published actions
    name each, a page at a time."""

    queryset = Organisation.objects.with_output_counts().order_by("name")
    serializer_class = api.PartnerSerializer


@documented(
    api.ThemeSerializer, one=_("One theme, by its slug, with how many published actions it holds.")
)
class ThemeViewSet(ReadOnlyViewSet):
    """Themes in theme order, with how many published actions each holds, a page at a time."""

    queryset = Theme.objects.with_output_counts().order_by("order", "name")
    serializer_class = api.ThemeSerializer


@documented(
    api.TagSerializer, one=_("One tag, by its slug, with how many published actions carry it.")
)
class TagViewSet(ReadOnlyViewSet):
    """Tags on published content, with how many published actions carry each, a page at a time."""

    serializer_class = api.TagSerializer

    def get_queryset(self):
        return public_tags()


@extend_schema(
    summary=_("A whole consultation as one content document"),
    description=_(
        "The consultation with everything in it, in the format of docs/content-format.md, "
        "together with the published consultations it builds on or summarises; "
        "`manage.py load_content` imports it into another copy of the portal."
    ),
    responses={200: OpenApiTypes.OBJECT, 404: ERROR},
)
@api_view(["GET"])
@renderer_classes([JSONRenderer])
def consultation_export(request, slug):
    consultation = get_object_or_404(Consultation.objects.published(), slug=slug)
    slugs = linked_slugs(consultation)
    document = export_document(Consultation.objects.published().filter(slug__in=slugs), public=True)
    # A link to an unpublished consultation would make the document unimportable.
    for item in document["consultations"]:
        for link in ("builds_on", "summarises"):
            item[link] = [slug for slug in item[link] if slug in slugs]
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'inline; filename="{consultation.slug}.json"'
    return response


def linked_slugs(consultation):
    """The consultation and every published one it reaches through builds_on or
    summarises: the content format needs them in the same document."""
    seen, todo = set(), [consultation]
    while todo:
        current = todo.pop()
        if current.slug in seen:
            continue
        seen.add(current.slug)
        todo.extend(
            Consultation.objects.published().filter(
                Q(built_on_by=current) | Q(summarised_in=current)
            )
        )
    return seen


def not_found(request, path=""):
    """Unknown addresses under /api/ get a JSON answer like the rest of the API."""
    return JsonResponse({"detail": str(_("Not found."))}, status=404)
