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
from progress.blocks import home_progress, partner_progress, rollup
from workinggroups.models import STAGE_SHORT_LABELS, Output, Stage, WorkingGroup

# Outputs per page on theme and tag pages; the action finder filters them further.
PAGE_SIZE = 50
CONSULTATIONS_PAGE_SIZE = 50


def get_page(paginator, number):
    """Paginator.get_page, except that page 0 or below is the first page, not the last."""
    try:
        if int(number) < 1:
            number = 1
    except (TypeError, ValueError):
        pass
    return paginator.get_page(number)


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


# Consultations the home page lists, newest first; the rest are on /consultations/.
HOME_CONSULTATIONS = 6
HOME_PARTNERS = 12


@cache_public_page
def home(request):
    published = Consultation.objects.published()
    consultations = list(
        with_content_counts(published.for_list()).order_by("-start_date", "title")[
            :HOME_CONSULTATIONS
        ]
    )
    # The newest consultation with actions is shown as a grid.
    featured = next((c for c in consultations if c.output_count), None)
    grid = (
        WorkingGroup.objects.filter(part__consultation=featured)
        .select_related("part")
        .with_stage_counts()
        .filter(output_count__gt=0)
        if featured
        else []
    )
    theme_counts = Theme.objects.output_counts()
    themes = [theme for theme in Theme.objects.all() if theme_counts.get(theme.pk)]
    for theme in themes:
        theme.output_count = theme_counts[theme.pk]
    partner_counts = Organisation.objects.output_counts()
    # Those tied with the last place too, so that ties are broken by name.
    cutoff = sorted(partner_counts.values(), reverse=True)[HOME_PARTNERS - 1 : HOME_PARTNERS]
    busiest = [pk for pk, n in partner_counts.items() if n >= (cutoff or [0])[0]]
    partners = list(Organisation.objects.filter(pk__in=busiest))
    for partner in partners:
        partner.output_count = partner_counts[partner.pk]
    partners.sort(key=lambda partner: (-partner.output_count, partner.name))
    totals = {
        "consultations": published.count(),
        "briefings": InsightBriefing.objects.published().count(),
        "groups": WorkingGroup.objects.published().count(),
        "outputs": Output.objects.published().count(),
    }
    context = {
        "consultations": consultations,
        "featured": featured,
        "grid": grid,
        "stages": [(stage, STAGE_SHORT_LABELS[stage]) for stage in Stage],
        "themes": themes,
        "partners": partners[:HOME_PARTNERS],
        "totals": totals,
        **home_progress(),
    }
    return render(request, "insights/home.html", context)


@cache_public_page
def consultation_list(request):
    consultations = with_content_counts(Consultation.objects.published().for_list()).order_by(
        "-start_date", "title"
    )
    page = get_page(
        CachedCountPaginator(consultations, CONSULTATIONS_PAGE_SIZE), request.GET.get("page")
    )
    context = {"consultations": page.object_list, "page": page}
    return render(request, "insights/consultation_list.html", context)


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
    context = {
        "consultation": consultation,
        "rollup": rollup(Output.objects.filter(working_group__part__consultation=consultation)),
    }
    response = render(request, "insights/consultation_detail.html", context)
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
    context.update(
        theme=theme,
        finder_query=f"theme={theme.slug}",
        rollup=rollup(Output.objects.published().filter(themes=theme)),
    )
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
        **partner_progress(partner),
    }
    return render(request, "insights/partner_detail.html", context)


def accessibility(request):
    return render(request, "insights/accessibility.html")
