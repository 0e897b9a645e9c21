"""/sitemap.xml: every public page, and nothing from a draft consultation."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Q
from django.urls import reverse
from taggit.models import Tag

from insights.models import (
    Consultation,
    InsightBriefing,
    InsightBriefingQuerySet,
    Organisation,
    Theme,
)
from workinggroups.models import Output, WorkingGroup


class PagesSitemap(Sitemap):
    priority = 0.6

    def items(self):
        return [
            "browse:home",
            "insights:consultations",
            "browse:themes",
            "browse:partners",
            "browse:tags",
            "insights:briefings",
            "workinggroups:groups",
            "workinggroups:finder",
            "browse:accessibility",
            "browse:contact",
            "browse:privacy",
            "browse:cookies",
        ]

    def location(self, item):
        return reverse(item)


class ConsultationSitemap(Sitemap):
    priority = 0.8

    def items(self):
        return Consultation.objects.published().order_by("pk")


class BriefingSitemap(Sitemap):
    def items(self):
        return InsightBriefing.objects.published().order_by("pk")


class WorkingGroupSitemap(Sitemap):
    def items(self):
        return WorkingGroup.objects.published().order_by("pk")


class OutputSitemap(Sitemap):
    priority = 0.4

    def items(self):
        return Output.objects.published().order_by("pk")


class ThemeSitemap(Sitemap):
    def items(self):
        return Theme.objects.order_by("pk")


class PartnerSitemap(Sitemap):
    def items(self):
        public = Q(outputs__is_public=True) | InsightBriefingQuerySet.public_filter(
            "presented_briefings__"
        )
        return Organisation.objects.filter(public).distinct().order_by("pk")


class TagSitemap(Sitemap):
    def items(self):
        # The tag pages that have something public to show (see views.tag_detail).
        used = set()
        for model in (InsightBriefing, WorkingGroup, Output):
            used |= set(model.objects.published().values_list("tags", flat=True))
        return Tag.objects.filter(pk__in=used - {None}).order_by("pk")

    def location(self, item):
        return reverse("browse:tag", args=[item.slug])


SITEMAPS = {
    "pages": PagesSitemap,
    "consultations": ConsultationSitemap,
    "briefings": BriefingSitemap,
    "working-groups": WorkingGroupSitemap,
    "actions": OutputSitemap,
    "themes": ThemeSitemap,
    "partners": PartnerSitemap,
    "tags": TagSitemap,
}
