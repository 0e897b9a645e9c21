"""The published actions' facet keys, held in memory: one copy per process and
content version, from which the finder counts every facet under any filters.

Counting a facet in the database groups every matching action's link rows, once
per facet, for each request: at 100,000 actions, the finder with two filters or
with words spent most of its time there (benchmarks/results.md). Here each
action is a row of small arrays (its consultation, part, group and stage, and
its themes, tags, partners and kinds of partner as link arrays), so a filter is
a mask over the rows and a facet's counts are one pass over its links.

Filters the index does not hold (the words, progress, who committed, recurring
findings) are read from the database once per request, as the actions' ids.

The index is built from the published content by the first request that needs
it after an edit (an edit replaces the content version, `web.caching.bump`),
in a few hundred milliseconds at 100,000 actions, and replaced, not added to:
a process holds one. It is a cache, so nothing is lost with it; a test that
rolls back an edit also rolls back the content version, so tests forget it
(`forget()`).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Case, IntegerField, QuerySet, Value, When
from taggit.models import Tag, TaggedItem

from insights.models import Organisation, Sector, Theme
from web.caching import content_version
from workinggroups.models import Output, Stage

# The index's columns of one action, by the facet each counts, and their source.
COLUMNS = {
    "consultation": "working_group__part__consultation_id",
    "part": "working_group__part_id",
    "working_group": "working_group_id",
}
STAGES: list[str] = list(Stage.values)
CHUNK = 10_000
SECTORS: list[str] = list(Sector.values)


@dataclass(frozen=True)
class Links:
    """The links of one facet: action `rows[i]` links to option `targets[i]`."""

    rows: np.ndarray
    targets: np.ndarray

    def having(self, size: int, chosen: Sequence[int]) -> np.ndarray:
        """A mask of the actions linked to any of `chosen`."""
        mask = np.zeros(size, dtype=bool)
        mask[self.rows[np.isin(self.targets, np.asarray(chosen, dtype=np.int64))]] = True
        return mask

    def counts(self, mask: np.ndarray) -> dict[int, int]:
        """{option: how many actions of `mask` link to it}."""
        return _counts(self.targets[mask[self.rows]])


class FacetIndex:
    """The published actions in paper order, with their facet keys."""

    def __init__(
        self,
        ids: np.ndarray,
        columns: dict[str, np.ndarray],
        links: dict[str, Links],
        labels: dict[str, dict[int, dict[str, Any]]],
    ):
        self.ids, self.columns, self.links, self.labels = ids, columns, links, labels
        self.size = len(ids)
        self._by_id = np.argsort(ids, kind="stable")
        self._sorted_ids = ids[self._by_id]

    def locate(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, found): the rows of those of `ids` that are published, and a mask
        over `ids` of which they are."""
        at = np.minimum(np.searchsorted(self._sorted_ids, ids), max(self.size - 1, 0))
        found = self._sorted_ids[at] == ids if self.size else np.zeros(len(ids), dtype=bool)
        return self._by_id[at[found]], found

    def rows_of(self, ids: Iterable[int]) -> np.ndarray:
        """The rows of the actions `ids` (those not published are left out)."""
        return self.locate(np.fromiter(ids, dtype=np.int64))[0]

    def among(self, ids: Iterable[int]) -> np.ndarray:
        """A mask of the actions `ids`."""
        mask = np.zeros(self.size, dtype=bool)
        mask[self.rows_of(ids)] = True
        return mask

    def linked(self, name: str, target: int) -> np.ndarray:
        """The ids, in paper order, of the actions linked to `target` (a theme, tag or
        partner id) in facet `name`: a partner page's actions, without a count and
        a sorted join over every action naming the partner."""
        links = self.links[name]
        return self.ids[np.sort(links.rows[links.targets == target])]

    def matching(self, name: str, chosen: Sequence[Any]) -> np.ndarray:
        """A mask of the actions with any of `chosen` (keys: ids, stages, sectors) in
        facet `name`."""
        if name in self.links:
            if name == "sector":
                chosen = [SECTORS.index(value) for value in chosen]
            return self.links[name].having(self.size, chosen)
        if name == "stage":
            chosen = [STAGES.index(value) for value in chosen]
        return np.isin(self.columns[name], np.asarray(chosen, dtype=np.int64))

    def counts(self, name: str, mask: np.ndarray) -> dict[Any, int]:
        """{key: how many actions of `mask` facet `name`'s option `key` has}."""
        if name in self.links:
            found = self.links[name].counts(mask)
        else:
            found = _counts(self.columns[name][mask])
        if name == "stage":
            return {STAGES[code]: n for code, n in found.items()}
        if name == "sector":
            return {SECTORS[code]: n for code, n in found.items()}
        return found


def _counts(values: np.ndarray) -> dict[int, int]:
    keys, counts = np.unique(values, return_counts=True)
    return dict(zip(keys.tolist(), counts.tolist(), strict=True))


def _integers(rows: QuerySet, width: int) -> np.ndarray:
    """The rows of integers of `rows` as one array, read in chunks, never as a list."""
    flat = itertools.chain.from_iterable(rows.iterator(chunk_size=CHUNK))
    return np.fromiter(flat, dtype=np.int64).reshape(-1, width)


def build() -> FacetIndex:
    """The index of the published actions as the database holds them now."""
    stage_code = Case(
        *(When(stage=stage, then=Value(code)) for code, stage in enumerate(STAGES)),
        output_field=IntegerField(),
    )
    rows = _integers(
        Output.objects.published()
        .in_paper_order()
        .values_list("pk", *COLUMNS.values(), stage_code),
        width=len(COLUMNS) + 2,
    )
    columns = {name: rows[:, i].copy() for i, name in enumerate([*COLUMNS, "stage"], start=1)}
    index = FacetIndex(rows[:, 0].copy(), columns, {}, {})

    def links(pairs: QuerySet) -> Links:
        found = _integers(pairs, width=2)
        rows, published = index.locate(found[:, 0])
        return Links(rows, found[published, 1])

    index.links.update(
        theme=links(Output.themes.through.objects.values_list("output_id", "theme_id")),
        tag=links(
            TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(Output)
            ).values_list("object_id", "tag_id")
        ),
        partner=links(Output.partners.through.objects.values_list("output_id", "organisation_id")),
    )
    # The organisations give the partners' labels and their kinds (sectors).
    organisations = Organisation.objects.order_by().values_list("pk", "slug", "name", "sector")
    sector_of = {}
    for pk, slug, name, sector in organisations:
        index.labels.setdefault("partner", {})[pk] = {"value": slug, "name": name}
        if sector in SECTORS:
            sector_of[pk] = SECTORS.index(sector)
    # An action naming two partners of one sector counts once for it.
    named = index.links["partner"]
    kinds = np.array([sector_of.get(pk, -1) for pk in named.targets.tolist()], dtype=np.int64)
    known = kinds >= 0
    pairs = np.unique(np.stack([named.rows[known], kinds[known]], axis=1).reshape(-1, 2), axis=0)
    index.links["sector"] = Links(pairs[:, 0], pairs[:, 1])
    index.labels["theme"] = {
        pk: {"value": slug, "name": name, "position": order}
        for pk, slug, name, order in Theme.objects.order_by().values_list(
            "pk", "slug", "name", "order"
        )
    }
    index.labels["tag"] = {
        pk: {"value": slug, "name": name}
        for pk, slug, name in Tag.objects.order_by().values_list("pk", "slug", "name")
    }
    return index


_lock = threading.Lock()
_current: tuple[tuple, FacetIndex] | None = None


def current() -> FacetIndex:
    """The index for the current content version of this database, built if need be."""
    global _current
    key = (connection.alias, str(connection.settings_dict["NAME"]), content_version())
    found = _current
    if found is not None and found[0] == key:
        return found[1]
    with _lock:
        found = _current
        if found is None or found[0] != key:
            found = (key, build())
            _current = found
    return found[1]


def forget() -> None:
    """Drop the index: the next request builds it afresh."""
    global _current
    _current = None
