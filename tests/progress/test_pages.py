import datetime
import re

import pytest
from django.utils import timezone

from insights.models import Sector
from progress.models import Commitment, Role, Status
from tests.factories import make_organisation, make_output, make_theme
from tests.progress.conftest import make_commitment, make_update


def make_busy_action(action, n):
    """`n` commitments on `action`, each with two updates carrying evidence."""
    for i in range(n):
        commitment = make_commitment(action, make_organisation(), status=Status.IN_PROGRESS)
        for day in (1, 2):
            make_update(
                commitment,
                date=datetime.date(2025, 1, day),
                progress=10 * day,
                evidence=[(f"Report {i}-{day}", f"https://example.org/{i}/{day}")],
            )


def test_an_action_without_commitments_says_so_and_how_to_report_one(
    client, action, django_assert_num_queries
):
    # content version, the action with group, part and consultation, its themes,
    # tags and partners, its commitments (none, so no updates or evidence to fetch),
    # the consultation's organisers (the citation's publisher), its recurring
    # findings (findings, their actions, their groups) and its similar actions
    with django_assert_num_queries(11):
        html = client.get(action.get_absolute_url()).content.decode()
    assert "Who is acting on this" in html
    assert "No organisation has recorded a commitment yet" in html
    assert "How to report a commitment or progress" in html


@pytest.mark.parametrize("n", [1, 8])
def test_the_action_page_makes_as_many_queries_however_many_commitments(
    client, action, n, django_assert_num_queries
):
    make_busy_action(action, n)
    # content version, the action with its group, part and consultation, its themes,
    # tags and partners, its commitments with organisations and latest-update
    # subqueries, their updates with organisations, the updates' evidence, and the
    # consultation's organisers (the citation's publisher), its recurring findings
    # (findings, their actions, their groups) and its similar actions
    with django_assert_num_queries(13):
        html = client.get(action.get_absolute_url()).content.decode()
    assert html.count('class="commitment"') == n
    assert html.count('class="update"') == 2 * n
    assert 'href="https://example.org/0/2"' in html


def test_the_action_page_shows_role_status_progress_dates_and_overdue(
    client, monkeypatch, action, ours
):
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2025, 7, 1, 9, tzinfo=datetime.UTC)
    )
    commitment = make_commitment(
        action,
        ours,
        role=Role.SUPPORTING,
        status=Status.IN_PROGRESS,
        started=datetime.date(2025, 1, 6),
        due=datetime.date(2025, 6, 30),
    )
    make_update(commitment, progress=35, text="Halfway there.")
    html = client.get(action.get_absolute_url()).content.decode()
    item = html[html.index(f'id="commitment-{commitment.pk}"') :]
    assert "Northfield Council" in item
    assert "Supporting" in item
    assert "In progress" in item
    assert '<progress class="progress-bar" max="100" value="35"' in item
    assert "35%" in item
    assert "6 January 2025" in item
    assert "30 June 2025" in item
    assert "Overdue" in item
    assert "Halfway there." in item
    assert "Recorded by the editors" in item


def test_a_withdrawn_update_is_not_shown(client, action, ours):
    commitment = make_commitment(action, ours)
    make_update(commitment, text="Shown.")
    make_update(commitment, text="Withdrawn one.", is_withdrawn=True)
    html = client.get(action.get_absolute_url()).content.decode()
    assert "Shown." in html
    assert "Withdrawn one." not in html


def test_the_tracker_lists_every_public_commitment_with_counts_per_status(
    client, action, draft_action, ours, theirs, django_assert_num_queries
):
    make_commitment(action, ours, status=Status.DONE)
    make_commitment(action, theirs, status=Status.PLANNED)
    make_commitment(draft_action, ours, status=Status.PAUSED)
    # content version, the counts per status (which give the total) and the
    # organisations the filter offers (kept, `web.kept`: after an edit read, counted
    # and listed, and stored in one upsert inside a savepoint in a test's
    # transaction), the ids of the page's commitments in order, then those
    # commitments (with their latest update's date and progress as subqueries), and
    # the themes and consultations the filters offer
    with django_assert_num_queries(11):
        response = client.get("/progress/")
    html = response.content.decode()
    assert "2 commitments" in html
    assert response.context["counts"] == {
        Status.PLANNED: 1,
        Status.IN_PROGRESS: 0,
        Status.DONE: 1,
        Status.PAUSED: 0,
        Status.WITHDRAWN: 0,
    }
    assert "A draft action" not in html


def organisation_choices(html):
    select = html[html.index('<select id="id_organisation"') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)


def test_the_tracker_offers_the_organisations_with_a_public_commitment_by_name(
    client, settings, action, draft_action, ours, theirs
):
    settings.PAGE_CACHE_SECONDS = settings.CONTENT_CACHE_SECONDS = 0
    make_commitment(action, theirs)
    make_commitment(action, ours)
    hidden = make_organisation("Only Drafts & Co", slug="only-drafts")
    make_commitment(draft_action, hidden)
    make_organisation("No Commitment Ltd", slug="none-yet")
    html = client.get("/progress/?organisation=southam-trust").content.decode()
    assert organisation_choices(html) == [
        ("", "", "Any"),
        ("northfield-council", "", "Northfield Council"),
        ("southam-trust", " selected", "Southam Trust"),
    ]
    # Kept until the content changes, then offered at once; names are escaped.
    make_commitment(make_output(), hidden)
    html = client.get("/progress/").content.decode()
    assert ("only-drafts", "", "Only Drafts &amp; Co") in organisation_choices(html)


def test_the_tracker_counts_the_commitments_of_the_chosen_statuses(
    client, action, draft_action, ours, theirs
):
    make_commitment(action, ours, status=Status.DONE)
    make_commitment(action, theirs, status=Status.PLANNED)
    make_commitment(draft_action, ours, status=Status.DONE)
    for query, shown in [
        ("?status=done", "1 commitment"),
        ("?status=done&status=planned", "2 commitments"),
        ("?status=paused", "0 commitments"),
        ("?status=no-such-status", "2 commitments"),
        (f"?status=done&organisation={theirs.slug}", "0 commitments"),
    ]:
        response = client.get("/progress/" + query)
        assert response.context["page"].paginator.count == len(
            response.context["page"].paginator.object_list
        ), query
        assert shown in response.content.decode(), query


def test_the_tracker_makes_as_many_queries_for_many_commitments_as_for_few(
    client, db, django_assert_num_queries
):
    action = make_output()
    make_busy_action(action, 2)
    # as above; the updates themselves are not fetched, only their latest date
    with django_assert_num_queries(11) as few:
        client.get("/progress/?sort=updated")
    make_busy_action(make_output(), 30)
    with django_assert_num_queries(len(few)):
        html = client.get("/progress/?sort=updated").content.decode()
    assert html.count('class="commitment"') == 25


def tracked(client, query):
    response = client.get("/progress/" + query)
    assert response.status_code == 200
    return [c.organisation.slug for c in response.context["page"].paginator.object_list]


def test_the_tracker_filters_by_status_organisation_sector_theme_stage_and_overdue(
    client, monkeypatch, ours, theirs
):
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2025, 7, 1, 9, tzinfo=datetime.UTC)
    )
    theme = make_theme(slug="data")
    themed = make_output(themes=[theme], stage="practical_steps")
    other = make_output()
    partner = make_organisation(slug="uni", sector=Sector.ACADEMIC)
    make_commitment(themed, ours, status=Status.DONE, due=datetime.date(2025, 1, 1))
    make_commitment(themed, theirs, status=Status.IN_PROGRESS, due=datetime.date(2025, 1, 1))
    make_commitment(other, partner, status=Status.PLANNED)
    assert set(tracked(client, "?status=done&status=planned")) == {"northfield-council", "uni"}
    assert tracked(client, "?organisation=southam-trust") == ["southam-trust"]
    assert tracked(client, "?sector=academic") == ["uni"]
    assert set(tracked(client, "?theme=data")) == {"northfield-council", "southam-trust"}
    assert tracked(client, "?stage=practical_steps&status=done") == ["northfield-council"]
    assert tracked(client, "?overdue=true") == ["southam-trust"]
    assert set(tracked(client, "?overdue=false")) == {"northfield-council", "uni"}
    consultation = themed.working_group.part.consultation.slug
    assert set(tracked(client, f"?consultation={consultation}")) == {
        "northfield-council",
        "southam-trust",
    }


def test_the_tracker_sorts_by_due_date_or_by_latest_update(client, action, ours, theirs):
    early = make_commitment(action, ours, due=datetime.date(2025, 1, 1))
    late = make_commitment(action, theirs, due=datetime.date(2026, 1, 1))
    make_update(early, date=datetime.date(2025, 1, 1))
    make_update(late, date=datetime.date(2025, 6, 1))
    assert tracked(client, "") == ["northfield-council", "southam-trust"]
    assert tracked(client, "?sort=updated") == ["southam-trust", "northfield-council"]


def test_the_tracker_ignores_unknown_values_and_says_so(client, action, ours):
    make_commitment(action, ours)
    html = client.get("/progress/?organisation=nobody&status=lost").content.decode()
    assert "We don&#x27;t know the organisation &#x27;nobody&#x27;" in html
    assert "1 commitment" in html


def test_the_partner_page_groups_its_commitments_by_status_with_its_latest_updates(
    client, ours, django_assert_num_queries
):
    leading = make_commitment(make_output(), ours, status=Status.IN_PROGRESS, progress=50)
    make_commitment(make_output(), ours, role=Role.SUPPORTING, status=Status.DONE)
    make_update(leading, text="Pilot launched.")
    html = client.get(ours.get_absolute_url()).content.decode()
    section = html[html.index('id="commitments-heading"') :]
    headings = re.findall(r'<h3 class="stage-heading">(\w[\w ]*) <span', section)
    assert headings == ["In progress", "Done"]
    assert "Pilot launched." in section
    assert "has committed to take 2 actions forward" in section
    assert f'href="/partners/{ours.slug}/updates.atom"' in html


def test_roll_ups_count_actions_with_a_commitment_and_commitments_per_status(client, ours, theirs):
    theme = make_theme(slug="rolled")
    first = make_output(themes=[theme])
    group = first.working_group
    make_output(group, themes=[theme])
    make_commitment(first, ours, status=Status.DONE)
    make_commitment(first, theirs, status=Status.PAUSED)
    for page in (group.get_absolute_url(), group.part.consultation.get_absolute_url()):
        html = client.get(page).content.decode()
        assert "1 of 2 actions have a commitment (50%)" in html
        assert "2 commitments, by status" in html
        assert re.search(r"<th scope=\"row\">Done</th>\s*<td class=\"rollup__number\">1</td>", html)
        assert '<rect width="100" height="10">' in html
    html = client.get(theme.get_absolute_url()).content.decode()
    assert "1 of 2 actions have a commitment" in html
    assert 'style="' not in html


def test_the_home_page_shows_the_latest_updates_and_commitments_per_status(client, action, ours):
    commitment = make_commitment(action, ours, status=Status.IN_PROGRESS)
    make_update(commitment, text="Budget agreed.")
    html = client.get("/").content.decode()
    assert "Budget agreed." in html
    assert 'href="/progress/?status=in_progress"' in html
    assert "Northfield Council on " in html


def test_draft_actions_commitments_are_shown_nowhere_public(client, draft_action, ours):
    commitment = make_commitment(draft_action, ours, summary="Secret plan.")
    make_update(commitment, text="Secret update.")
    for url in ("/", "/progress/", ours.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Secret" not in html, url
    assert Commitment.objects.published().count() == 0


def test_a_busy_partner_page_lists_the_first_commitments_and_links_the_rest(client, ours):
    from progress import blocks

    for _ in range(blocks.PARTNER_COMMITMENTS + 2):
        make_commitment(make_output(), ours, status=Status.PLANNED)
    html = client.get(ours.get_absolute_url()).content.decode()
    assert html.count('class="commitment"') == blocks.PARTNER_COMMITMENTS
    count = blocks.PARTNER_COMMITMENTS + 2
    assert f"All {count} in the progress tracker" in html
    assert f'href="/progress/?organisation={ours.slug}&amp;status=planned"' in html
