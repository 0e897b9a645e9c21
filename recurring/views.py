from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

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
    findings = RecurringFinding.objects.visible_to(request.user).filter(slug=slug)
    finding = next(iter(findings.with_members()), None)
    if finding is None:
        raise Http404
    context = {"finding": finding, "timeline": finding.timeline()}
    response = render(request, "recurring/finding_detail.html", context)
    return private_if_draft(response, finding)
