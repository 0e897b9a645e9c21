import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from insights.models import Status as ConsultationStatus
from progress.models import Commitment, Contributor, Evidence, Update
from tests.factories import make_consultation, make_group, make_organisation, make_output, make_part


def make_commitment(action=None, organisation=None, **kwargs):
    return Commitment.objects.create(
        action=action or make_output(), organisation=organisation or make_organisation(), **kwargs
    )


def make_update(commitment, date=datetime.date(2025, 3, 1), evidence=(), **kwargs):
    update = Update.objects.create(
        commitment=commitment, date=date, text=kwargs.pop("text", "We met."), **kwargs
    )
    for title, url in evidence:
        Evidence.objects.create(update=update, title=title, url=url)
    return update


@pytest.fixture
def ours(db):
    return make_organisation("Northfield Council", slug="northfield-council")


@pytest.fixture
def theirs(db):
    return make_organisation("Southam Trust", slug="southam-trust")


@pytest.fixture
def action(db):
    return make_output(text="Publish open data standards.")


@pytest.fixture
def draft_action(db):
    group = make_group(make_part(make_consultation(status=ConsultationStatus.DRAFT)))
    return make_output(group, text="A draft action.")


@pytest.fixture
def contributor(ours):
    """Cora reports progress for Northfield Council, and may do nothing else."""
    user = User.objects.create_user("cora", password="a-long-contributor-passphrase")
    Contributor.objects.grant(user, [ours])
    return user


@pytest.fixture
def contributor_client(contributor):
    client = Client()
    client.force_login(contributor)
    return client
