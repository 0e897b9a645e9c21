"""A partner page stays the same size however busy the partner: the first of its
consultations and briefings, with the list pages narrowed to it for the rest, and
its actions and commitments counted and ordered as the database would."""

import re

import pytest

from insights.models import Status as ConsultationStatus
from progress.models import Commitment, Role, Status, status_rank
from tests.factories import (
    make_briefing,
    make_consultation,
    make_group,
    make_organisation,
    make_output,
    make_part,
)
from tests.progress.conftest import make_commitment
from workinggroups.models import Output, Stage


def text_of(response):
    return response.content.decode()


@pytest.fixture
def busy(db):
    """A fictitious partner that organised 12 consultations and presented, and is
    named in, 12 briefings; one more of each is a draft."""
    partner = make_organisation("Busytown Council (fictitious)", slug="busytown")
    for n in range(13):
        status = ConsultationStatus.DRAFT if n == 12 else ConsultationStatus.PUBLISHED
        consultation = make_consultation(status=status, title=f"Consultation {n:02}")
        consultation.organisers.add(partner)
        briefing = make_briefing(make_part(consultation), presenters=[partner])
        briefing.partners.add(partner)
    return partner


def titles(html, heading):
    section = html[html.index(f'id="{heading}"') :]
    section = section[: section.index("</section>")]
    return re.findall(r'class="card__title" href="[^"]+">([^<]+)</a>', section)


def test_the_partner_page_lists_the_first_ten_of_each_with_a_link_to_all(client, busy):
    html = text_of(client.get(busy.get_absolute_url()))
    for heading in ("organised-heading", "presented-heading", "named-heading"):
        assert len(titles(html, heading)) == 10, heading
    assert (
        '<a href="/consultations/?organiser=busytown">All 12 consultations it organised</a>' in html
    )
    assert (
        '<a href="/insights/?presenter=busytown">All 12 insight briefings it presented</a>' in html
    )
    assert '<a href="/insights/?partner=busytown">All 12 insight briefings that name it</a>' in html


def test_a_partner_with_few_has_no_link_to_all(client, db):
    partner = make_organisation(slug="quiet")
    make_briefing(presenters=[partner])
    html = text_of(client.get(partner.get_absolute_url()))
    assert len(titles(html, "presented-heading")) == 1
    assert "?presenter=quiet" not in html


def listed(html):
    return re.findall(r'class="card__title" href="[^"]+">([^<]+)</a>', html)


def test_the_list_pages_narrowed_to_a_partner_list_all_of_theirs(client, busy):
    make_briefing(presenters=[make_organisation()])  # someone else's
    make_consultation(title="Someone else's")
    published = [f"Consultation {n:02}" for n in range(12)]
    html = text_of(client.get("/consultations/?organiser=busytown"))
    assert sorted(re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html)) == published
    assert "12 consultations organised by" in html
    for relation in ("presenter", "partner"):
        html = text_of(client.get(f"/insights/?{relation}=busytown"))
        assert len(listed(html)) == 12
        assert "12 briefings " in html
    # The draft's briefing and someone else's are not theirs; the list of every
    # briefing has the latter.
    everything = listed(text_of(client.get("/insights/")))
    assert len(everything) == len(set(everything)) > 13


def test_an_unknown_partner_is_ignored_and_said_so(client, busy):
    response = client.get("/insights/?presenter=nobody")
    assert response.status_code == 200
    html = text_of(response)
    assert "We don&#x27;t know the presenter &#x27;nobody&#x27;; it was ignored." in html
    assert listed(html) == listed(text_of(client.get("/insights/")))
    html = text_of(client.get("/consultations/?organiser=nobody&page=x"))
    assert "We don&#x27;t know the organiser &#x27;nobody&#x27;" in html


def test_the_partner_page_lists_its_published_actions_in_paper_order(client, db):
    partner = make_organisation(slug="named")
    draft = make_group(make_part(make_consultation(status=ConsultationStatus.DRAFT)))
    make_output(draft, partners=[partner], text="Draft action.")
    groups = [make_group(), make_group()]
    for group in reversed(groups):
        for stage in (Stage.COLLABORATION, Stage.WORKED_WELL):
            make_output(group, stage, partners=[partner])
    held = make_output(groups[0], partners=[partner], text="Held action.", held=True)
    expected = list(
        Output.objects.published()
        .filter(partners=partner)
        .in_paper_order()
        .values_list("reference", flat=True)
    )
    response = client.get(partner.get_absolute_url())
    assert [o.reference for o in response.context["page"]] == expected
    assert response.context["output_count"] == 4
    assert held.reference not in expected
    # An edit shows at once.
    held.held = False
    held.save()
    response = client.get(partner.get_absolute_url())
    assert response.context["output_count"] == 5


def test_the_partner_page_orders_and_counts_its_commitments_as_the_database(client, db):
    partner = make_organisation(slug="committed")
    draft = make_group(make_part(make_consultation(status=ConsultationStatus.DRAFT)))
    make_commitment(make_output(draft), partner, status=Status.DONE)
    statuses = [Status.DONE, Status.PLANNED, Status.IN_PROGRESS, Status.PAUSED]
    groups = [make_group(), make_group()]
    for n in range(30):
        make_commitment(
            make_output(groups[n % 2]),
            partner,
            status=statuses[n % 4],
            role=Role.LEAD if n % 3 else Role.SUPPORTING,
        )
    public = Commitment.objects.published().filter(organisation=partner)
    expected = list(
        public.order_by(status_rank(), "role", "action__paper_position").values_list(
            "pk", flat=True
        )[:25]
    )
    context = client.get(partner.get_absolute_url()).context
    shown = [c.pk for _, _, commitments in context["commitments_by_status"] for c in commitments]
    assert shown == expected
    counts = {status: n for status, n, _ in context["commitments_by_status"]}
    assert counts == {status: n for status, n in public.status_counts().items() if n}
    assert context["partner_rollup"].total == 30
