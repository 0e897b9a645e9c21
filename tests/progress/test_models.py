import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from progress.models import Commitment, Status, Update, today
from tests.progress.conftest import make_commitment, make_update

UTC = datetime.UTC


def freeze(monkeypatch, moment):
    """Make django.utils.timezone.now() (and so today()) return `moment`."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize(
    ("status", "progress"),
    [(Status.PLANNED, 0), (Status.DONE, 100), (Status.IN_PROGRESS, 0), (Status.PAUSED, 0)],
)
def test_progress_not_given_follows_the_status_when_there_is_no_update(action, status, progress):
    commitment = make_commitment(action, status=status)
    assert commitment.current_progress == progress


def test_progress_not_given_is_the_latest_update_by_date_that_reports_one(action):
    commitment = make_commitment(action, status=Status.IN_PROGRESS)
    Update.objects.bulk_create(  # as an import script might: no save(), nothing taken
        [
            Update(commitment=commitment, date=datetime.date(2025, 5, 1), text="b", progress=60),
            Update(commitment=commitment, date=datetime.date(2025, 1, 1), text="a", progress=20),
            Update(commitment=commitment, date=datetime.date(2025, 6, 1), text="c"),
        ]
    )
    assert Commitment.objects.get(pk=commitment.pk).current_progress == 60
    listed = Commitment.objects.with_latest_update().get(pk=commitment.pk)
    assert listed.current_progress == 60
    assert listed.latest_update_on == datetime.date(2025, 6, 1)


def test_progress_given_wins_over_the_default(action):
    assert make_commitment(action, status=Status.PLANNED, progress=10).current_progress == 10


def test_the_commitment_takes_the_status_and_progress_of_its_latest_update(action):
    commitment = make_commitment(action)
    make_update(commitment, date=datetime.date(2025, 3, 1), status=Status.IN_PROGRESS, progress=30)
    make_update(commitment, date=datetime.date(2025, 1, 1), status=Status.PAUSED, progress=5)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress) == (Status.IN_PROGRESS, 30)
    make_update(commitment, date=datetime.date(2025, 4, 1), text="No news.")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress) == (Status.IN_PROGRESS, 30)


def test_an_organisation_commits_to_an_action_once(action, ours):
    make_commitment(action, ours)
    with pytest.raises(IntegrityError):
        make_commitment(action, ours)


def test_overdue_uses_today_in_london_not_utc(monkeypatch, action):
    # 23:30 UTC on 30 June is already 1 July in London (summer time).
    freeze(monkeypatch, datetime.datetime(2025, 6, 30, 23, 30, tzinfo=UTC))
    assert today() == datetime.date(2025, 7, 1)
    due_yesterday = make_commitment(action, due=datetime.date(2025, 6, 30))
    assert due_yesterday.overdue
    assert list(Commitment.objects.overdue()) == [due_yesterday]
    freeze(monkeypatch, datetime.datetime(2025, 6, 30, 22, 30, tzinfo=UTC))
    assert not Commitment.objects.get(pk=due_yesterday.pk).overdue
    assert not Commitment.objects.overdue().exists()


@pytest.mark.parametrize(
    ("status", "overdue"),
    [
        (Status.PLANNED, True),
        (Status.IN_PROGRESS, True),
        (Status.PAUSED, True),
        (Status.DONE, False),
        (Status.WITHDRAWN, False),
    ],
)
def test_a_commitment_past_its_due_date_is_overdue_unless_done_or_withdrawn(
    monkeypatch, action, status, overdue
):
    freeze(monkeypatch, datetime.datetime(2025, 1, 10, 12, tzinfo=UTC))
    commitment = make_commitment(action, status=status, due=datetime.date(2025, 1, 9))
    assert commitment.overdue is overdue
    assert Commitment.objects.overdue().exists() is overdue
    assert Commitment.objects.not_overdue().exists() is not overdue


def test_a_commitment_due_today_or_with_no_due_date_is_not_overdue(monkeypatch, action, ours):
    freeze(monkeypatch, datetime.datetime(2025, 1, 10, 12, tzinfo=UTC))
    make_commitment(action, due=datetime.date(2025, 1, 10))
    make_commitment(action, ours)
    assert not Commitment.objects.overdue().exists()


def test_a_commitment_is_public_exactly_when_its_action_is(action, draft_action, ours):
    public = make_commitment(action, ours)
    hidden = make_commitment(draft_action, ours)
    make_update(hidden)
    assert list(Commitment.objects.published()) == [public]
    assert not Update.objects.published().exists()


def test_a_withdrawn_update_leaves_the_site_but_not_the_history(action):
    commitment = make_commitment(action)
    update = make_update(commitment, text="Wrong figures.")
    update.is_withdrawn = True
    update.save()
    assert not Update.objects.published().exists()
    assert [record.is_withdrawn for record in update.history.order_by("history_date")] == [
        False,
        True,
    ]


def test_every_change_to_a_commitment_is_in_its_history(action):
    commitment = make_commitment(action)
    make_update(commitment, status=Status.IN_PROGRESS)
    statuses = [r.status for r in commitment.history.order_by("history_date", "history_id")]
    assert statuses == [Status.PLANNED, Status.IN_PROGRESS]
