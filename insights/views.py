from itertools import groupby

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from taggit.models import Tag

from insights.caching import CachedCountPaginator, cache_public_page
from insights.models import (
    PUBLIC_STATUSES,
    Consultation,
    InsightBriefing,
    Organisation,
    Part,
    Sector,
    Theme,
)
from workinggroups.models import STAGE_SHORT_LABELS, Output, Stage, WorkingGroup

# Outputs per page on theme and tag pages; the action finder filters them further.
PAGE_SIZE = 50


def private_if_draft(response, consultation):
    """A draft preview must never be kept by a shared cache and shown to the public."""
    if not consultation.is_public:
        add_never_cache_headers(response)
    return response


def _count(model, path):
    """A subquery counting `model` rows whose `path` is the outer consultation."""
    rows = (
        model.objects.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_content_counts(consultations):
    """Annotate briefing_count, group_count and output_count, still in one query.

    Subqueries rather than joined Counts: joining briefings, groups and outputs
    at once would multiply the rows by each other.
    """
    return consultations.annotate(
        briefing_count=_count(InsightBriefing, "part__consultation"),
        group_count=_count(WorkingGroup, "part__consultation"),
        output_count=_count(Output, "working_group__part__consultation"),
    )


@cache_public_page
def home(request):
    consultations = list(with_content_counts(Consultation.objects.published().for_list()))
    featured = next((c for c in consultations if c.reference_prefix == "SGH24"), None) or next(
        (c for c in consultations if c.output_count), None
    )
    grid = (
        WorkingGroup.objects.filter(part__consultation=featured)
        .select_related("part")
        .with_stage_counts()
        .filter(output_count__gt=0)
        if featured
        else []
    )
    themes = Theme.objects.with_output_counts().filter(output_count__gt=0)
    partners = (
        Organisation.objects.with_output_counts()
        .filter(output_count__gt=0)
        .order_by("-output_count", "name")[:12]
    )
    totals = {
        "consultations": len(consultations),
        "briefings": sum(c.briefing_count for c in consultations),
        "groups": sum(c.group_count for c in consultations),
        "outputs": sum(c.output_count for c in consultations),
    }
    context = {
        "consultations": consultations,
        "featured": featured,
        "grid": grid,
        "stages": [(stage, STAGE_SHORT_LABELS[stage]) for stage in Stage],
        "themes": themes,
        "partners": partners,
        "totals": totals,
    }
    return render(request, "insights/home.html", context)


@cache_public_page
def consultation_list(request):
    consultations = with_content_counts(Consultation.objects.published().for_list())
    return render(request, "insights/consultation_list.html", {"consultations": consultations})


@cache_public_page
def consultation_detail(request, slug):
    consultation = get_object_or_404(
        Consultation.objects.visible_to(request.user).prefetch_related(
            "organisers",
            "themes",
            "key_themes",
            Prefetch("builds_on", Consultation.objects.published()),
            Prefetch("summarises", Consultation.objects.published()),
            Prefetch("built_on_by", Consultation.objects.published()),
            Prefetch("summarised_in", Consultation.objects.published()),
            Prefetch(
                "parts",
                Part.objects.prefetch_related(
                    Prefetch("briefings", InsightBriefing.objects.prefetch_related("presenters")),
                    Prefetch(
                        "working_groups",
                        WorkingGroup.objects.annotate(output_count=Count("outputs")),
                    ),
                ),
            ),
        ),
        slug=slug,
    )
    response = render(request, "insights/consultation_detail.html", {"consultation": consultation})
    return private_if_draft(response, consultation)


@cache_public_page
def briefing_detail(request, slug):
    briefing = get_object_or_404(
        InsightBriefing.objects.visible_to(request.user).for_list().prefetch_related("partners"),
        slug=slug,
    )
    response = render(request, "insights/briefing_detail.html", {"briefing": briefing})
    return private_if_draft(response, briefing.part.consultation)


@cache_public_page
def theme_list(request):
    themes = Theme.objects.with_output_counts()
    return render(request, "insights/theme_list.html", {"themes": themes})


def _findings(request, briefings, groups, outputs):
    """The context of a theme or tag page: its briefings, groups and a page of outputs."""
    page = CachedCountPaginator(outputs.in_paper_order(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "briefings": list(briefings.select_related("part__consultation")),
        "working_groups": list(groups.select_related("part__consultation")),
        "page": page,
    }


@cache_public_page
def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    context = _findings(
        request,
        InsightBriefing.objects.published().filter(themes=theme),
        WorkingGroup.objects.published().filter(themes=theme),
        Output.objects.published().for_list().filter(themes=theme),
    )
    context.update(theme=theme, finder_query=f"theme={theme.slug}")
    return render(request, "insights/theme_detail.html", context)


@cache_public_page
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    context = _findings(
        request,
        InsightBriefing.objects.published().tagged(slug),
        WorkingGroup.objects.published().tagged(slug),
        Output.objects.published().for_list().tagged(slug),
    )
    # A tag used only on unpublished drafts must not reveal that it exists.
    if not (context["briefings"] or context["working_groups"] or context["page"].paginator.count):
        raise Http404
    context.update(tag=tag, finder_query=f"tag={tag.slug}")
    return render(request, "insights/tag_detail.html", context)


@cache_public_page
def partner_list(request):
    partners = Organisation.objects.with_output_counts().annotate(
        briefing_count=Count(
            "presented_briefings",
            filter=Q(presented_briefings__part__consultation__status__in=PUBLIC_STATUSES),
            distinct=True,
        )
    )
    sectors = [
        (value, label, [p for p in partners if p.sector == value])
        for value, label in Sector.choices
    ]
    return render(request, "insights/partner_list.html", {"sectors": sectors})


def group_by_consultation_and_stage(outputs):
    """[(consultation, [(stage, [output, ...]), ...]), ...] from outputs in paper order."""
    return [
        (
            consultation,
            [
                (Stage(stage), list(stage_outputs))
                for stage, stage_outputs in groupby(
                    sorted(group, key=lambda o: list(Stage).index(o.stage)),
                    key=lambda o: o.stage,
                )
            ],
        )
        for consultation, group in groupby(outputs, key=lambda o: o.working_group.part.consultation)
    ]


@cache_public_page
def partner_detail(request, slug):
    partner = get_object_or_404(Organisation, slug=slug)
    briefings = InsightBriefing.objects.published().select_related("part__consultation")
    outputs = list(Output.objects.published().for_list().filter(partners=partner).in_paper_order())
    context = {
        "partner": partner,
        "organised": list(Consultation.objects.published().filter(organisers=partner)),
        "presented": list(briefings.filter(presenters=partner)),
        "named_in": list(briefings.filter(partners=partner)),
        "output_count": len(outputs),
        "by_consultation": group_by_consultation_and_stage(outputs),
    }
    return render(request, "insights/partner_detail.html", context)


def accessibility(request):
    return render(request, "insights/accessibility.html")
