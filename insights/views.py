from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from taggit.models import Tag

from insights.models import (
    PUBLIC_STATUSES,
    Consultation,
    InsightBriefing,
    Organisation,
    Part,
    Sector,
    Theme,
)
from workinggroups.models import Output, Stage, WorkingGroup


def private_if_draft(response, consultation):
    """A draft preview must never be kept by a shared cache and shown to the public."""
    if not consultation.is_public:
        add_never_cache_headers(response)
    return response


def home(request):
    consultations = list(Consultation.objects.published().for_list())
    featured = next((c for c in consultations if c.reference_prefix == "SGH24"), None) or next(
        iter(consultations), None
    )
    grid = (
        WorkingGroup.objects.filter(part__consultation=featured)
        .select_related("part")
        .with_stage_counts()
        if featured
        else []
    )
    themes = Theme.objects.with_output_counts().filter(output_count__gt=0)
    partners = (
        Organisation.objects.with_output_counts()
        .filter(output_count__gt=0)
        .order_by("-output_count", "name")[:10]
    )
    context = {
        "consultations": consultations,
        "featured": featured,
        "grid": grid,
        "stages": Stage,
        "themes": themes,
        "partners": partners,
    }
    return render(request, "insights/home.html", context)


def consultation_list(request):
    consultations = Consultation.objects.published().for_list()
    return render(request, "insights/consultation_list.html", {"consultations": consultations})


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


def briefing_detail(request, slug):
    briefing = get_object_or_404(
        InsightBriefing.objects.visible_to(request.user).for_list().prefetch_related("partners"),
        slug=slug,
    )
    response = render(request, "insights/briefing_detail.html", {"briefing": briefing})
    return private_if_draft(response, briefing.part.consultation)


def theme_list(request):
    themes = Theme.objects.with_output_counts()
    return render(request, "insights/theme_list.html", {"themes": themes})


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    context = {
        "theme": theme,
        "briefings": InsightBriefing.objects.published().for_list().filter(themes=theme),
        "working_groups": WorkingGroup.objects.published().for_list().filter(themes=theme),
        "outputs": Output.objects.published().for_list().filter(themes=theme).in_paper_order(),
    }
    return render(request, "insights/theme_detail.html", context)


def partner_list(request):
    partners = Organisation.objects.with_output_counts().annotate(
        briefing_count=Count(
            "presented_briefings",
            filter=Q(presented_briefings__part__consultation__status__in=PUBLIC_STATUSES),
            distinct=True,
        )
    )
    sectors = [
        (label, [p for p in partners if p.sector == value]) for value, label in Sector.choices
    ]
    return render(request, "insights/partner_list.html", {"sectors": sectors})


def partner_detail(request, slug):
    partner = get_object_or_404(Organisation, slug=slug)
    context = {
        "partner": partner,
        "presented": InsightBriefing.objects.published().for_list().filter(presenters=partner),
        "named_in": InsightBriefing.objects.published().for_list().filter(partners=partner),
        "outputs": Output.objects.published().for_list().filter(partners=partner).in_paper_order(),
    }
    return render(request, "insights/partner_detail.html", context)


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    context = {
        "tag": tag,
        "briefings": InsightBriefing.objects.published().for_list().tagged(slug),
        "working_groups": WorkingGroup.objects.published().for_list().tagged(slug),
        "outputs": Output.objects.published().for_list().tagged(slug).in_paper_order(),
    }
    return render(request, "insights/tag_detail.html", context)
