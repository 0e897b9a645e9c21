import pytest
from django.contrib.auth.models import Group, User
from django.test import Client


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
