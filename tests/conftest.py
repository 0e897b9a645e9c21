import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from content.documents import import_document
from insights.models import Consultation

ROOT = Path(__file__).resolve().parent.parent
PAPER_FIXTURE = ROOT / "fixtures" / "connected-places-2024.json"
RECURRING_FIXTURE = ROOT / "fixtures" / "recurring-findings-2024.json"
# The paper as published, kept in the repo so the content tests always run.
SEED = ROOT / "docs" / "sources" / "connected-places-2024-background-paper.txt"


def load_paper():
    """The paper, then the recurring findings that ship with it."""
    result = import_document(json.loads(PAPER_FIXTURE.read_text(encoding="utf-8")))
    import_document(json.loads(RECURRING_FIXTURE.read_text(encoding="utf-8")))
    return result


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
    """Each test starts with an empty cache (it is in-process memory under test),
    and with no facet index: a test's rolled-back edits roll back the content
    version too, so an index built in one test could be taken for the next's."""
    from django.core.cache import cache

    from workinggroups import facetindex

    cache.clear()
    facetindex.forget()
    yield
    cache.clear()
    facetindex.forget()


# Named personas for permission tests, besides `editor` and the anonymous `client`.


def member_of(group, username):
    user = User.objects.create_user(username, password="a-long-passphrase-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def publisher(db):
    """A member of the Publishers group: may also publish, unpublish and archive."""
    return member_of("Publishers", "petra")


@pytest.fixture
def publisher_client(publisher):
    return client_for(publisher)


@pytest.fixture
def second_editor(db):
    return member_of("Editors", "eddie")


@pytest.fixture
def second_editor_client(second_editor):
    return client_for(second_editor)


@pytest.fixture
def superuser_client(db):
    return client_for(User.objects.create_superuser("root", password="a-long-admin-passphrase"))
