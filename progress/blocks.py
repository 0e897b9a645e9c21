"""What the progress blocks on other apps' pages show (the action, partner, home,
consultation, working-group and theme pages): each function returns what its
include needs, in a fixed number of queries whatever the content."""

import numpy as np

from insights.models import Organisation
from progress.models import Commitment, Role, Rollup, Status, Update
from web.kept import kept, kept_values
from web.pages import in_order
from workinggroups import facetindex

LATEST_UPDATES = 5
# A partner page lists this many commitments; the tracker has the rest.
PARTNER_COMMITMENTS = 25
# The name the public commitments' counts per status are kept under (`web.kept`).
STATUS_COUNTS = "progress-status-counts"
# ...and the organisations with a public commitment, the tracker's choices.
COMMITTED_ORGANISATIONS = "progress-committed-organisations"


def latest_updates(updates=None, limit=LATEST_UPDATES):
    """The newest updates on the site, each with its commitment and evidence."""
    updates = Update.objects.published() if updates is None else updates
    return list(updates.for_feed().newest_first()[:limit])


def rollup(outputs):
    """The roll-up chart's figures over `outputs` (a queryset of actions): three queries."""
    return Commitment.objects.filter(action__in=outputs.values("pk")).rollup(outputs.count())


STATUSES = list(Status)
STATUS_RANK = {status.value: position for position, status in enumerate(STATUSES)}
ROLE_RANK = {role: position for position, role in enumerate(sorted(Role.values))}


def partner_progress(partner, limit=PARTNER_COMMITMENTS):
    """A partner page's commitments grouped by status (the first `limit`; the tracker
    lists them all), its counts per status and its latest updates: four queries,
    and the facet index (`workinggroups.facetindex`).

    The partner's commitments are read as plain values and kept where their action
    is published, counted and ordered (status, role, the action's place in the
    paper) against the index, which knows both: counting and sorting them in the
    database joins every public action (40 ms at 100,000 actions)."""
    index = facetindex.current()
    mine = list(
        # No order (the model's joins the actions): the index gives it.
        Commitment.objects.filter(organisation=partner)
        .order_by()
        .values_list("pk", "action_id", "status", "role")
    )
    pks, action_ids, statuses, roles = zip(*mine, strict=True) if mine else ((), (), (), ())
    rows, published = index.locate(np.asarray(action_ids, dtype=np.int64))
    status_codes = np.asarray([STATUS_RANK[s] for s in statuses], dtype=np.int64)[published]
    role_codes = np.asarray([ROLE_RANK[r] for r in roles], dtype=np.int64)[published]
    counts = dict.fromkeys(Status, 0)
    for code, n in zip(*np.unique(status_codes, return_counts=True), strict=True):
        counts[STATUSES[code]] = int(n)
    # By status, then role, then the action's place in the paper (the last key first).
    order = np.lexsort((rows, role_codes, status_codes))[:limit]
    ids = np.asarray(pks, dtype=np.int64)[published][order].tolist()
    shown = in_order(Commitment.objects.for_list(), ids)
    by_status = [
        (status, counts[status], [c for c in shown if c.status == status])
        for status in Status
        if counts[status]
    ]
    total = sum(counts.values())
    return {
        "commitments_by_status": by_status,
        # One commitment per organisation per action: as many actions as commitments.
        "partner_rollup": Rollup(None, total, counts),
        "partner_updates": latest_updates(
            Update.objects.published().filter(commitment__organisation=partner)
        ),
    }


def _status_counts():
    return Commitment.objects.published().status_counts()


def _committed_organisations():
    committed = Commitment.objects.published().values("organisation")
    organisations = Organisation.objects.filter(pk__in=committed).order_by("name", "pk")
    return list(organisations.values_list("slug", "name"))


def published_status_counts():
    """{status: public commitments} (`status_counts()`), kept until the content
    changes (`web.kept`): the home page's and the unfiltered tracker's counts."""
    counts = kept(STATUS_COUNTS, _status_counts)
    return {status: counts[status.value] for status in Status}


def committed_organisations():
    """[[slug, name], ...] of the organisations with a public commitment, by name:
    the tracker's organisation choices, kept until the content changes (`web.kept`)."""
    return kept(COMMITTED_ORGANISATIONS, _committed_organisations)


def keep_tracker_values():
    """Read both of the tracker's kept values in one query (after an edit, compute
    and store both in one write), so that the two functions above need none."""
    kept_values({STATUS_COUNTS: _status_counts, COMMITTED_ORGANISATIONS: _committed_organisations})


def home_progress():
    """The home page's latest updates and commitments in each status: three queries."""
    return {
        "progress_counts": published_status_counts(),
        "progress_updates": latest_updates(),
    }
