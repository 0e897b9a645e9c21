import json
import os

import pytest
from django.contrib.auth.models import Permission, User

from insights.models import Consultation
from tests.conftest import PAPER_FIXTURE, SEED
from tests.papers import variants


@pytest.fixture
def fixture_document():
    return json.loads(PAPER_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def shipped_paper():
    """The 2024 background paper as published (docs/sources/)."""
    return SEED.read_bytes()


@pytest.fixture
def without_shipped_consultations(db, fixture_document):
    """The shipped consultations removed (their organisations, themes and tag names
    stay), so the paper can be imported under its own slugs."""
    slugs = [c["slug"] for c in fixture_document["consultations"]]
    Consultation.objects.filter(slug__in=slugs).delete()
    return slugs


@pytest.fixture
def pdf_font():
    if not (variants.FONT_DIR / "DejaVuSans.ttf").exists():
        if os.environ.get("CI"):
            pytest.fail("The PDF tests need Debian's fonts-dejavu-core.")
        pytest.skip("fonts-dejavu-core is not installed")


@pytest.fixture
def viewer(db):
    """Staff who may look at consultations in the admin but not add them."""
    user = User.objects.create_user("vic", password="a-long-viewer-passphrase", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_consultation"),
        Permission.objects.get(codename="view_paperimport"),
    )
    return user
