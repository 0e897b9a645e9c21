import pytest

from insights.models import Status
from recurring.models import RecurringFinding
from tests.factories import make_consultation, make_group, make_output, make_part


def make_finding(actions=(), groups=(), **kwargs):
    n = RecurringFinding.objects.count() + 1
    finding = RecurringFinding.objects.create(
        title=kwargs.pop("title", f"Finding {n}"),
        slug=kwargs.pop("slug", f"finding-{n}"),
        summary=kwargs.pop("summary", "Both groups said so."),
        status=kwargs.pop("status", Status.PUBLISHED),
        **kwargs,
    )
    finding.actions.set(actions)
    finding.groups.set(groups)
    return finding


@pytest.fixture
def two_groups(db):
    """Two groups of one new consultation, each with one action."""
    part = make_part(make_consultation(slug="test-consultation"))
    first, second = make_group(part, title="First group"), make_group(part, title="Second group")
    return make_output(first, text="Share open data."), make_output(second, text="Open data.")
