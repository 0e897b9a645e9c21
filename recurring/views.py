from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from recurring.models import RecurringFinding
from web.caching import cache_public_page
from web.pages import paginate, private_if_draft

PAGE_SIZE = 25


@cache_public_page
def finding_list(request: HttpRequest) -> HttpResponse:
    findings = RecurringFinding.objects.visible_to(request.user).most_raised(None)
    return render(
        request, "recurring/finding_list.html", {"page": paginate(request, findings, PAGE_SIZE)}
    )


@cache_public_page
def finding_detail(request: HttpRequest, slug: str) -> HttpResponse:
    finding = get_object_or_404(
        RecurringFinding.objects.visible_to(request.user).for_list(), slug=slug
    )
    context = {"finding": finding, "timeline": finding.timeline()}
    response = render(request, "recurring/finding_detail.html", context)
    return private_if_draft(response, finding)
