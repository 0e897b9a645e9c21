import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from insights.models import Consultation
from insights.services import import_document

ROOT = Path(__file__).resolve().parent.parent
PAPER_FIXTURE = ROOT / "fixtures" / "connected-places-2024.json"
# The paper as published, kept in the repo so the content tests always run.
SEED = ROOT / "docs" / "sources" / "connected-places-2024-background-paper.txt"


def load_paper():
    return import_document(json.loads(PAPER_FIXTURE.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped paper once per test database; each test's changes roll back."""
    with django_db_blocker.unblock():
        load_paper()


@pytest.fixture
def paper(db):
    """The 2024 consultation as shipped (reloaded if a transactional test emptied the db)."""
    if not Consultation.objects.filter(slug="towards-connected-places-2024").exists():
        load_paper()
    return Consultation.objects.get(slug="towards-connected-places-2024")


@pytest.fixture
def editor(db):
    """A member of the Editors group with staff access to the admin."""
    user = User.objects.create_user("edna", password="a-long-editor-passphrase", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (it is in-process memory under test)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
