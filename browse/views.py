"""The pages that browse the findings across consultations: home, themes, tags
and partners; the accessibility statement and the contact, privacy and cookies pages."""

from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db.models import Count, Q, QuerySet, Window
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag, TaggedItem

from browse.forms import PartnerSortForm
from insights.models import (
    Consultation,
    InsightBriefing,
    Organisation,
    Sector,
    Theme,
    output_counts_key,
)
from progress.blocks import STATUS_COUNTS, home_progress, partner_progress, rollup
from web.caching import cache_public_page
from web.kept import kept, prefetch
from web.pages import paginate
from workinggroups import facetindex
from workinggroups.models import Output, Stage, WorkingGroup

# Outputs per page on theme and tag pages; the action finder filters them further.
PAGE_SIZE = 50
# Consultations the home page lists, newest first; the rest are on /consultations/.
HOME_CONSULTATIONS = 6
HOME_PARTNERS = 12
PARTNER_PAGE_SIZE = 25
# Consultations and briefings a partner page lists of each kind, the first ones.
PARTNER_LISTED = 10
HOME_TOTALS = "home-totals"


@cache_public_page
def home(request: HttpRequest) -> HttpResponse:
    # The counts below depend on the published content alone: kept, read at once.
    prefetch(
        [
            HOME_TOTALS,
            output_counts_key(Theme.outputs.through),
            output_counts_key(Organisation.outputs.through),
            STATUS_COUNTS,
        ]
    )
    published = Consultation.objects.published()
    # Annotated with their counts (`with_content_counts`).
    consultations: list[Any] = list(
        published.for_list().with_content_counts().newest_first()[:HOME_CONSULTATIONS]
    )
    # The newest consultation with actions is shown as a grid.
    featured = next((c for c in consultations if c.output_count), None)
    context = {
        "consultations": consultations,
        "featured": featured,
        "grid": WorkingGroup.objects.stage_grid(featured) if featured else [],
        "stages": [(stage, stage.short_label) for stage in Stage],
        "themes": Theme.objects.in_use(),
        "partners": Organisation.objects.busiest(HOME_PARTNERS),
        "totals": kept(HOME_TOTALS, totals),
        **home_progress(),
    }
    return render(request, "browse/home.html", context)


def totals() -> dict[str, int]:
    """How many consultations, briefings, groups and actions are published."""
    return {
        "consultations": Consultation.objects.published().count(),
        "briefings": InsightBriefing.objects.published().count(),
        "groups": WorkingGroup.objects.published().count(),
        "outputs": Output.objects.published().count(),
    }


@cache_public_page
def theme_list(request: HttpRequest) -> HttpResponse:
    themes = Theme.objects.with_output_counts()
    return render(request, "browse/theme_list.html", {"themes": themes})


def _findings(request, briefings, groups, outputs) -> dict:
    """The context of a theme or tag page: its briefings, groups and a page of outputs."""
    return {
        "briefings": list(briefings.select_related("part__consultation")),
        "working_groups": list(groups.select_related("part__consultation")),
        "page": paginate(request, outputs.in_paper_order(), PAGE_SIZE),
    }


@cache_public_page
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
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
    return render(request, "browse/theme_detail.html", context)


def _public_tagged_items() -> Q:
    """Tag links on published actions, briefings and working groups (taggit's
    generic table), matched by content type name so no content-type lookup runs."""
    public = Q()
    for model in (Output, InsightBriefing, WorkingGroup):
        opts = model._meta
        public |= Q(
            content_type__app_label=opts.app_label,
            content_type__model=opts.model_name,
            object_id__in=model.objects.published().values("pk"),
        )
    return public


@cache_public_page
def tag_list(request: HttpRequest) -> HttpResponse:
    """Every tag on published content, A to Z, with how many actions carry it."""
    opts = Output._meta
    on_output = Q(content_type__app_label=opts.app_label, content_type__model=opts.model_name)
    tags = (
        TaggedItem.objects.filter(_public_tagged_items())
        .values("tag__name", "tag__slug")
        .annotate(
            output_count=Count("pk", filter=on_output),
            other_count=Count("pk", filter=~on_output),
        )
        .order_by(Lower("tag__name"), "tag__slug")
    )
    return render(request, "browse/tag_list.html", {"tags": list(tags)})


@cache_public_page
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
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
    return render(request, "browse/tag_detail.html", context)


@cache_public_page
def partner_list(request: HttpRequest) -> HttpResponse:
    """Organisations by sector and name, or (`sort=actions`) in one list, those named
    by the most actions first; each with the actions and briefings its page lists."""
    form = PartnerSortForm(request.GET)
    order = form.order()
    output_counts = Organisation.objects.output_counts()
    briefing_counts = Organisation.objects.briefing_counts()
    partners: list[Any] = list(Organisation.objects.order_by(Lower("name"), "pk"))
    for partner in partners:
        partner.output_count = output_counts.get(partner.pk, 0)
        partner.briefing_count = briefing_counts.get(partner.pk, 0)
    sectors = [
        (value, label, [p for p in partners if p.sector == value])
        for value, label in Sector.choices
    ]
    if order == "actions":
        partners.sort(key=lambda partner: -partner.output_count)
    context = {
        "sectors": sectors,
        "partners": partners,
        "order": order,
        "sorts": PartnerSortForm.SORTS,
        "notices": form.notices(),
    }
    return render(request, "browse/partner_list.html", context)


def group_by_consultation_and_stage(outputs: list[Output]) -> list[tuple]:
    """[(consultation, [(stage, [output, ...]), ...]), ...] from outputs in paper order."""
    return [
        (
            consultation,
            [
                (Stage(stage), list(stage_outputs))
                for stage, stage_outputs in groupby(
                    sorted(group, key=lambda o: Stage(o.stage).rank), key=lambda o: o.stage
                )
            ],
        )
        for consultation, group in groupby(outputs, key=lambda o: o.working_group.part.consultation)
    ]


def first_and_total(items: QuerySet, n: int) -> tuple[list, int]:
    """The first `n` of `items` and how many there are, in one query (a window count
    on each row): a list that a page shows only the start of."""
    rows = list(items.annotate(listed_of=Window(Count("pk")))[:n])
    return rows, rows[0].listed_of if rows else 0


@cache_public_page
def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    partner = get_object_or_404(Organisation, slug=slug)
    # Only what a card shows: the rows are wide (a briefing's whole text), and the
    # window count joins every one the partner presented before the first ten.
    briefings = (
        InsightBriefing.objects.published()
        .select_related("part__consultation")
        .only("slug", "title", "part__consultation__title")
    )
    # The actions naming it in paper order, from the facet index, paginated like the
    # finder: a busy partner is named by thousands.
    outputs = facetindex.current().linked("partner", partner.pk)
    page = paginate(
        request,
        outputs,
        PARTNER_PAGE_SIZE,
        count=len(outputs),
        rows=Output.objects.published().for_list(),
    )
    # The start of each of its lists; the list pages narrowed to it have the rest.
    organised, organised_count = first_and_total(
        Consultation.objects.published().filter(organisers=partner), PARTNER_LISTED
    )
    presented, presented_count = first_and_total(
        briefings.filter(presenters=partner), PARTNER_LISTED
    )
    named_in, named_count = first_and_total(briefings.filter(partners=partner), PARTNER_LISTED)
    context = {
        "partner": partner,
        "organised": organised,
        "organised_count": organised_count,
        "presented": presented,
        "presented_count": presented_count,
        "named_in": named_in,
        "named_count": named_count,
        "output_count": len(outputs),
        "page": page,
        "by_consultation": group_by_consultation_and_stage(list(page)),
        **partner_progress(partner),
    }
    return render(request, "browse/partner_detail.html", context)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "browse/accessibility.html")


def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "browse/contact.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "browse/privacy.html")


def cookies(request: HttpRequest) -> HttpResponse:
    """The cookies page names the cookies as the settings do: only the admin sets any."""
    context = {
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf_days": settings.CSRF_COOKIE_AGE // 86400,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "messages_cookie": CookieStorage.cookie_name,
    }
    return render(request, "browse/cookies.html", context)
