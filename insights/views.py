from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from insights.forms import OrganisationFilterForm
from insights.models import Consultation, InsightBriefing, can_preview
from web.caching import cache_public_page
from web.pages import paginate, private_if_draft

CONSULTATIONS_PAGE_SIZE = 50
BRIEFINGS_PAGE_SIZE = 50


@cache_public_page
def consultation_list(request: HttpRequest) -> HttpResponse:
    """Every published consultation, newest first; `?organiser=<slug>`: those it organised."""
    consultations = Consultation.objects.published().for_list().with_content_counts().newest_first()
    form = OrganisationFilterForm(request.GET, {"organiser": _("organiser")})
    chosen = form.chosen()
    if "organiser" in chosen:
        consultations = consultations.filter(organisers=chosen["organiser"])
    page = paginate(request, consultations, CONSULTATIONS_PAGE_SIZE)
    context = {
        "consultations": page.object_list,
        "page": page,
        "organiser": chosen.get("organiser"),
        "notices": form.notices(),
    }
    return render(request, "insights/consultation_list.html", context)


@cache_public_page
def briefing_list(request: HttpRequest) -> HttpResponse:
    """Every published briefing by consultation; `?presenter=<slug>`: those the
    organisation presented, `?partner=<slug>`: those that name it."""
    briefings = (
        InsightBriefing.objects.published()
        .select_related("part__consultation")
        .prefetch_related("presenters")
        .order_by("-part__consultation__start_date", "part__consultation", "part__number", "order")
    )
    form = OrganisationFilterForm(
        request.GET, {"presenter": _("presenter"), "partner": _("partner")}
    )
    chosen = form.chosen()
    if "presenter" in chosen:
        briefings = briefings.filter(presenters=chosen["presenter"])
    if "partner" in chosen:
        briefings = briefings.filter(partners=chosen["partner"])
    page = paginate(request, briefings, BRIEFINGS_PAGE_SIZE)
    by_consultation = [
        (consultation, list(group))
        for consultation, group in groupby(page.object_list, key=lambda b: b.part.consultation)
    ]
    context = {
        "page": page,
        "by_consultation": by_consultation,
        "presenter": chosen.get("presenter"),
        "partner": chosen.get("partner"),
        "notices": form.notices(),
    }
    return render(request, "insights/briefing_list.html", context)


@cache_public_page
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    preview = can_preview(request.user, Consultation)
    consultation = get_object_or_404(
        Consultation.objects.visible_to(request.user).for_detail(preview=preview), slug=slug
    )
    response = render(request, "insights/consultation_detail.html", {"consultation": consultation})
    return private_if_draft(response, consultation, preview=preview)


@cache_public_page
def briefing_detail(request: HttpRequest, slug: str) -> HttpResponse:
    briefing = get_object_or_404(
        InsightBriefing.objects.visible_to(request.user).for_list().prefetch_related("partners"),
        slug=slug,
    )
    response = render(request, "insights/briefing_detail.html", {"briefing": briefing})
    return private_if_draft(response, briefing)
