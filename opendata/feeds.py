"""Atom feeds. Entry ids are the entries' absolute URLs, built from slugs and
citable references that never change, so readers do not see repeats."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from insights.models import InsightBriefing
from recurring.models import RecurringFinding
from web.text import plain_text, render_markdown

# A feed is read whole; past this many entries, follow the CSV or the API instead.
FEED_LIMIT = 1000


def _day(date):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time()))


class ActionFeed(Feed):
    """The actions a finder query selects, in the finder's order."""

    feed_type = Atom1Feed
    title = _("Actions: Connected Places Portal")
    subtitle = _("Working groups' actions, filtered as in the action finder.")

    def __init__(self, filterset):
        self.filterset = filterset

    def link(self):
        query = self.filterset.data.urlencode()
        return reverse("workinggroups:finder") + (f"?{query}" if query else "")

    def items(self):
        return self.filterset.qs[:FEED_LIMIT]

    def item_title(self, item):
        return f"{item.reference}: {Truncator(plain_text(item.text)).words(16)}"

    def item_description(self, item):
        return render_markdown(item.text)

    def item_pubdate(self, item):
        return _day(item.working_group.part.consultation.start_date)

    def item_categories(self, item):
        return [item.get_stage_display(), *(theme.name for theme in item.theme_list)]


class BriefingFeed(Feed):
    """New insight briefings, newest consultation first."""

    feed_type = Atom1Feed
    title = _("Insight briefings: Connected Places Portal")
    subtitle = _("Briefings given at the consultations, newest first.")

    def link(self):
        return reverse("insights:consultations")

    def items(self):
        return (
            InsightBriefing.objects.published()
            .for_list()
            .order_by("-part__consultation__start_date", "part__number", "order")[:50]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return render_markdown(item.body)

    def item_author_name(self, item):
        return item.presenter_names

    def item_pubdate(self, item):
        return _day(item.part.consultation.start_date)

    def item_categories(self, item):
        return [theme.name for theme in item.themes.all()]


class UpdateFeed(Feed):
    """Updates on commitments, newest first: all of them, or an action's, a
    partner's, or those of the commitments a tracker query selects."""

    feed_type = Atom1Feed

    def __init__(self, updates, *, title, link):
        self.updates, self.title, self._link = updates, title, link

    def subtitle(self):
        return _("Who is acting on the consultations' actions, and how far they have got.")

    def link(self):
        return self._link

    def items(self):
        return self.updates.for_feed().newest_first()[:FEED_LIMIT]

    def item_title(self, item):
        commitment = item.commitment
        status = f" ({item.get_status_display()})" if item.status else ""
        return f"{commitment.action.reference}: {commitment.organisation.name}{status}"

    def item_description(self, item):
        evidence = "".join(
            f'<li><a href="{escape(e.url)}">{escape(e.title)}</a></li>' for e in item.evidence.all()
        )
        return render_markdown(item.text) + (f"<ul>{evidence}</ul>" if evidence else "")

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        if item.self_reported and item.organisation:
            return item.organisation.name
        return str(_("The portal's editors"))

    def item_pubdate(self, item):
        return _day(item.date)

    def item_updateddate(self, item):
        return _day(item.date)


class RecurringFeed(Feed):
    """Published recurring findings, most recently first raised first."""

    feed_type = Atom1Feed
    title = _("Recurring findings: Connected Places Portal")
    subtitle = _("Points raised by several working groups, confirmed by editors.")

    def link(self):
        return reverse("recurring:list")

    def items(self):
        findings = RecurringFinding.objects.published().most_raised(FEED_LIMIT)
        return sorted(
            findings, key=lambda f: (f.first_raised is None, f.first_raised), reverse=True
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return render_markdown(item.summary)

    def item_pubdate(self, item):
        return _day(item.first_raised) if item.first_raised else None

    def item_categories(self, item):
        return [raised.group.title for raised in item.timeline()]
