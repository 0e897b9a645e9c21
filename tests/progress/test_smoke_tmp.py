from progress.models import Status
from tests.progress.conftest import make_commitment, make_update


def test_pages(client, action, ours, theirs):
    c = make_commitment(action, ours, due="2025-01-01", status=Status.IN_PROGRESS)
    make_commitment(action, theirs, role="supporting")
    make_update(c, progress=40, evidence=[("Minutes", "https://example.org/m")])
    for url in [
        "/",
        action.get_absolute_url(),
        "/progress/",
        ours.get_absolute_url(),
        action.working_group.get_absolute_url(),
        action.working_group.part.consultation.get_absolute_url(),
        action.themes.first().get_absolute_url(),
        "/api/commitments/",
        f"/api/actions/{action.reference}/",
        "/commitments.csv",
        "/updates.atom",
        f"/actions/{action.reference}/updates.atom",
        f"/partners/{ours.slug}/updates.atom",
        "/actions/?status=in_progress",
        f"/api/actions/?committed_by={ours.slug}",
        "/open-data/",
        "/api/schema/",
    ]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.content[:2000])
        if url == "/api/commitments/":
            print(r.json())
