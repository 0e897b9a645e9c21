"""The action finder's facets: for each filter, its options with how many results
each would give together with the other filters in force.

Three kinds of facet, each with `count()` and `label()`:

- `StructuralFacet` (consultation, part, working group) and `StageFacet`: rolled
  up from one grouping of the filtered outputs by group and stage
  (`Faceting.structure`), so the output table is read once for all four;
- `SectorFacet` (the partners' kinds of organisation): one query grouping by sector;
- `ManyToManyFacet` (theme, tag, partner): one query each, grouping the
  filtered outputs by the linked id and taking each option's columns with MAX()
  over the group, so the database hashes small keys instead of sorting every
  match by its labels.

With a filter in force the finder counts every facet from the facet index instead
(`workinggroups.facetindex`, `Faceting(..., indexed=True)`): a mask per filter over
the published actions held in memory, no query per facet.

Counts are cached until the content changes (`web.caching.cached`). A facet whose
counts ignore every filter in force (no filter but its own, no words) counts over
the published content alone: its counts are kept (`web.kept`), so the finder with
no filter reads them, and its total, in one query between edits. Active filters
and the query strings that remove one live at the end of this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from django.db.models import Count, F, Max, Model, QuerySet
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.text import slugify

from insights.models import Consultation, Part, Sector
from search.terms import parse
from web.caching import cached
from web.kept import from_pairs, kept, kept_values, pairs
from workinggroups import facetindex
from workinggroups.facetindex import FacetIndex
from workinggroups.models import Output, Stage, WorkingGroup


class OutputFilter(Protocol):
    """What facets need of the finder's FilterSet (`workinggroups.filters`)."""

    queryset: QuerySet
    data: QueryDict
    filters: dict[str, Any]

    def values(self) -> dict[str, Any]: ...

    def filtered(self, queryset: QuerySet, exclude: str | None = None) -> QuerySet: ...

    def matching_ids(self, query: Any) -> list[int]: ...


CONSULTATION = "working_group__part__consultation"
PART = "working_group__part"
# The columns of one row of `Faceting.structure`, before its count, and the
# facet each column counts.
STRUCTURE = (CONSULTATION, PART, "working_group", "stage")
STRUCTURE_FACETS = ("consultation", "part", "working_group", "stage")

Row = dict[str, Any]


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    multiple: bool
    options: list[Option] = field(default_factory=list)
    hidden: int = 0  # options with matches not listed (see FacetKind.limit)

    @property
    def selected(self) -> list[Option]:
        """The options in force, which the finder lists first."""
        return [option for option in self.options if option.selected]


class FacetKind:
    """How one facet is counted and shown. At most `limit` options show: the
    first in `order()`, or with `by_count`, the `limit` with most matches (then
    put in order). With `all_or_none`, a facet with more than `limit` options
    lists none but the chosen (it is narrowed by choosing in another facet first)."""

    multiple = False
    limit = 25
    by_count = False
    all_or_none = False

    def __init__(self, name: str):
        self.name = name

    def count(self, faceting: Faceting) -> tuple[list[Row], dict]:
        """([row], {key: count}): the rows to list, each with `value`, `count` and
        what `label()` needs; and every option's count by its key."""
        raise NotImplementedError

    def label(self, row: Row) -> str:
        raise NotImplementedError

    def order(self, row: Row) -> Any:
        raise NotImplementedError

    def value(self, item: Any) -> str:
        """A chosen value as it appears in the address."""
        return item.slug

    def key(self, item: Any) -> Any:
        """A chosen value's key among the counts."""
        return item.pk

    def chosen_label(self, item: Any) -> str:
        """A chosen value's label."""
        return item.label

    def hidden(self, rows: list[Row], counts: dict) -> int:
        """How many options with matches are left out of `rows` for want of room."""
        return len(counts) - len(rows)

    def shown(self, rows: list[Row]) -> list[Row]:
        if self.by_count:
            rows = sorted(rows, key=lambda row: (-row["count"], row["group"]))[: self.limit]
        return sorted(rows, key=self.order)[: self.limit]


class StructuralFacet(FacetKind):
    """Options are rows of `model`; counts are rolled up from the structure grouping."""

    def __init__(self, name: str, model: type[Model], columns: dict[str, str], **options: Any):
        super().__init__(name)
        self.model, self.columns = model, columns
        self.__dict__.update(options)

    def count(self, faceting: Faceting) -> tuple[list[Row], dict]:
        counts = faceting.rolled_up(self.name)
        if self.all_or_none and len(counts) > self.limit:
            return [], counts
        labels = self.model._default_manager.filter(pk__in=list(counts)).values_list(
            "pk", *self.columns.values()
        )
        rows = [
            {"group": pk, "count": counts[pk], **dict(zip(self.columns, values, strict=True))}
            for pk, *values in labels
        ]
        return self.shown(rows), counts


class ConsultationFacet(StructuralFacet):
    def __init__(self) -> None:
        super().__init__(
            "consultation",
            Consultation,
            {"value": "slug", "title": "title", "date": "start_date"},
        )

    def label(self, row: Row) -> str:
        return row["title"]

    def order(self, row: Row) -> Any:
        return (-row["date"].toordinal(), row["title"])

    def chosen_label(self, item: Any) -> str:
        return item.title


class PartFacet(StructuralFacet):
    def __init__(self) -> None:
        super().__init__(
            "part",
            Part,
            {
                "value": "slug",
                "title": "title",
                "number": "number",
                "prefix": "consultation__reference_prefix",
                "date": "consultation__start_date",
            },
            limit=100,
            all_or_none=True,
        )

    def label(self, row: Row) -> str:
        return Part.label_for(row["prefix"], row["number"], row["title"])

    def order(self, row: Row) -> Any:
        return (-row["date"].toordinal(), row["prefix"], row["number"])


class GroupFacet(StructuralFacet):
    def __init__(self) -> None:
        super().__init__(
            "working_group",
            WorkingGroup,
            {
                "value": "slug",
                "title": "title",
                "number": "number",
                "part": "part__number",
                "prefix": "part__consultation__reference_prefix",
                "date": "part__consultation__start_date",
            },
            limit=100,
            all_or_none=True,
        )

    def label(self, row: Row) -> str:
        part = f"{row['prefix']}-P{row['part']}"
        return WorkingGroup.label_for(row["number"], row["title"], part)

    def order(self, row: Row) -> Any:
        return (-row["date"].toordinal(), row["prefix"], row["part"], row["number"])


class StageFacet(FacetKind):
    """The four stages: the value is the stage itself, counted from the structure."""

    multiple = True

    def count(self, faceting: Faceting) -> tuple[list[Row], dict]:
        counts = faceting.rolled_up(self.name)
        rows = [{"group": key, "value": key, "count": n} for key, n in counts.items()]
        return self.shown(rows), counts

    def label(self, row: Row) -> str:
        return Stage(row["value"]).short_label

    def order(self, row: Row) -> Any:
        return Stage(row["value"]).rank

    def value(self, item: Any) -> str:
        return item

    def key(self, item: Any) -> Any:
        return item

    def chosen_label(self, item: Any) -> str:
        return Stage(item).short_label


class ManyToManyFacet(FacetKind):
    """Options are what the outputs link to through `relation` (themes, tags, partners)."""

    multiple = True
    by_count = True

    def __init__(self, name: str, relation: str, columns: dict[str, str], order: Callable):
        super().__init__(name)
        self.relation, self.columns, self._order = relation, columns, order

    def count(self, faceting: Faceting) -> tuple[list[Row], dict]:
        rows = self.rows(faceting)
        return self.shown(rows), {row["group"]: row["count"] for row in rows}

    def rows(self, faceting: Faceting) -> list[Row]:
        if faceting.index is not None:
            labels = faceting.index.labels[self.name]
            counts = faceting.indexed_counts(self.name)
            return [{"group": key, "count": n, **labels[key]} for key, n in counts.items()]
        # Every filter is a column test or a `pk__in` subquery, never a join that
        # repeats a row, so grouping the filtered rows counts each once.
        rows = (
            faceting.filtered(exclude=self.name)
            .values(group=F(self.relation))
            .annotate(count=Count("pk"), **{key: Max(path) for key, path in self.columns.items()})
        )
        return [row for row in rows if row["group"] is not None]

    def label(self, row: Row) -> str:
        return row["name"]

    def order(self, row: Row) -> Any:
        return self._order(row)

    def chosen_label(self, item: Any) -> str:
        return item.name


class TagFacet(ManyToManyFacet):
    """Tags on at least `min_uses` published actions: a tag on one action narrows
    to that action alone, which the words do better (docs/content-format.md)."""

    min_uses = 2

    def count(self, faceting: Faceting) -> tuple[list[Row], dict]:
        used = self.often_used()
        rows = self.rows(faceting)
        listed = [row for row in rows if row["group"] in used]
        return self.shown(listed), {row["group"]: row["count"] for row in rows}

    def hidden(self, rows: list[Row], counts: dict) -> int:
        # Rare tags are never listed, so narrowing would not show them: not counted.
        used = self.often_used()
        return len([key for key in counts if key in used]) - len(rows)

    def often_used(self) -> set[int]:
        """The tags on `min_uses` published actions or more: whatever the filters,
        so kept (`web.kept`) until the content changes."""
        return set(kept(f"finder-tags-used-{self.min_uses}", self.count_uses))

    def count_uses(self) -> list[int]:
        rows = (
            Output.objects.published()
            .values("tags")
            .annotate(n=Count("pk"))
            .filter(n__gte=self.min_uses)
            .values_list("tags", flat=True)
        )
        return sorted(tag for tag in rows if tag is not None)


class SectorFacet(FacetKind):
    """The kinds of organisation the actions name: the value is the sector itself."""

    multiple = True

    def count(self, faceting: Faceting) -> tuple[list[Row], dict]:
        # An action naming two partners of one sector is counted once.
        if faceting.index is not None:
            counts = faceting.indexed_counts(self.name)
            rows = [{"group": key, "value": key, "count": n} for key, n in counts.items()]
            return self.shown(rows), counts
        rows = (
            faceting.filtered(exclude=self.name)
            .values(group=F("partners__sector"))
            .annotate(count=Count("pk", distinct=True))
        )
        rows = [{**row, "value": row["group"]} for row in rows if row["group"] is not None]
        return self.shown(rows), {row["group"]: row["count"] for row in rows}

    def label(self, row: Row) -> str:
        return str(Sector(row["value"]).label)

    def order(self, row: Row) -> Any:
        return Sector.values.index(row["value"])

    def value(self, item: Any) -> str:
        return item

    def key(self, item: Any) -> Any:
        return item

    def chosen_label(self, item: Any) -> str:
        return str(Sector(item).label)


FACETS: dict[str, FacetKind] = {
    kind.name: kind
    for kind in [
        ConsultationFacet(),
        PartFacet(),
        GroupFacet(),
        StageFacet("stage"),
        ManyToManyFacet(
            "theme",
            "themes",
            {"value": "themes__slug", "name": "themes__name", "position": "themes__order"},
            order=lambda row: (row["position"], row["name"]),
        ),
        TagFacet(
            "tag",
            "tags",
            {"value": "tags__slug", "name": "tags__name"},
            order=lambda row: (-row["count"], row["name"].lower()),
        ),
        ManyToManyFacet(
            "partner",
            "partners",
            {"value": "partners__slug", "name": "partners__name"},
            order=lambda row: row["name"].lower(),
        ),
        SectorFacet("sector"),
    ]
}


# Filters in force beside the facets and the words: part of every cache key and link.
OTHER_FILTERS = ("status", "committed_by", "recurring")


def value_of(name: str, item: Any) -> str:
    """A chosen value of filter `name` as it appears in the address."""
    if name in FACETS:
        return FACETS[name].value(item)
    return getattr(item, "slug", item)


def label_of(filterset: OutputFilter, name: str, item: Any) -> str:
    """A chosen value of filter `name` in words."""
    if name in FACETS:
        return FACETS[name].chosen_label(item)
    choices = dict(filterset.filters[name].extra.get("choices") or [])
    return str(choices.get(item) or getattr(item, "name", item))


def items(value: Any) -> list:
    """A filter's cleaned value as a list of chosen items."""
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, list | tuple | QuerySet) else [value]


class Faceting:
    """The facets of one finder request (`OutputFilter`), each counted once.

    With `indexed`, the base query must be the published outputs: facets with a
    filter in force are then counted from the facet index (`facetindex`), and so
    are the matches and their order (`count()`, `ordered_ids()`)."""

    def __init__(self, filterset: OutputFilter, *, indexed: bool = False):
        self.filterset = filterset
        self.indexed = indexed
        self._facets: dict[str, Facet] = {}
        self._structures: dict[str | None, list[tuple]] = {}
        self._masks: dict[str | None, np.ndarray] = {}
        self._matches: dict[str, np.ndarray] = {}

    @cached_property
    def index(self) -> FacetIndex | None:
        """The facet index, built on first use after an edit; None when not `indexed`."""
        return facetindex.current() if self.indexed else None

    def selected(self, name: str) -> list[str]:
        """The values of facet `name` in force, as they appear in the address."""
        return [FACETS[name].value(item) for item in items(self.filterset.values().get(name))]

    def filtered(self, exclude: str | None = None) -> QuerySet:
        """The outputs matching every filter but `exclude`'s, ready to group."""
        return (
            self.filterset.filtered(self.filterset.queryset, exclude=exclude)
            .prefetch_related(None)
            .select_related(None)
            .order_by()
        )

    @cached_property
    def _base_key(self) -> Any:
        return self.filterset.queryset.query.sql_with_params()

    def facet(self, name: str) -> Facet:
        """Facet `name` with a count for each option. One query, cached until the
        content changes; the key is what is counted (the base query) and the
        other filters in force."""
        if name in self._facets:
            return self._facets[name]
        kind = FACETS[name]
        if name in self.unfiltered():
            rows, counts, hidden = self._kept[name]
        else:
            rows, counts = cached(f"facet-{name}", self._key(name), lambda: kind.count(self))
            hidden = kind.hidden(rows, counts)
        selected = self.selected(name)
        options = [
            Option(row["value"], kind.label(row), row["count"], row["value"] in selected)
            for row in rows
        ]
        # A chosen value always shows, even when nothing else matches with it.
        shown = {option.value for option in options}
        for item in items(self.filterset.values().get(name)):
            if kind.value(item) not in shown:
                count = counts.get(kind.key(item), 0)
                options.append(Option(kind.value(item), kind.chosen_label(item), count, True))
        label = str(self.filterset.filters[name].label)
        self._facets[name] = Facet(name, label, kind.multiple, options, hidden)
        return self._facets[name]

    def facets(self) -> list[Facet]:
        return [self.facet(name) for name in FACETS]

    def _others(self, name: str) -> list[tuple[str, list[str]]]:
        """The values in force of every filter but facet `name`'s, as in the address."""
        return [
            (other, [value_of(other, item) for item in items(self.filterset.values().get(other))])
            for other in [*FACETS, *OTHER_FILTERS]
            if other != name
        ]

    def _key(self, name: str) -> str:
        """What facet `name` counts: the base query and the other filters in force."""
        words = parse(self.filterset.values().get("q")).text
        return repr((self._base_key, self._others(name), words))

    def unfiltered(self) -> list[str]:
        """The facets whose counts ignore every filter in force (no other filter and
        no words): their counts depend on the published content alone."""
        if parse(self.filterset.values().get("q")).text:
            return []
        return [name for name in FACETS if not any(values for _, values in self._others(name))]

    def total(self) -> int | None:
        """How many outputs the base query gives with no filter in force (kept with
        the unfiltered facets' counts), or None when a filter or words are in force."""
        return self._kept.get("total")

    @cached_property
    def _kept(self) -> dict[str, Any]:
        """(rows, counts, hidden) of each unfiltered facet, and with no filter in force
        the `total`, kept until the content changes (`web.kept`): one query for all
        of them, counted only after an edit."""
        digest = hashlib.blake2b(repr(self._base_key).encode(), digest_size=8).hexdigest()
        names = self.unfiltered()
        computes: dict[str, Callable[[], Any]] = {
            f"finder-facet-{name}-{digest}": self._kept_count(name) for name in names
        }
        no_filter = len(names) == len(FACETS) and not any(
            items(self.filterset.values().get(other)) for other in OTHER_FILTERS
        )
        if no_filter:
            computes[f"finder-total-{digest}"] = (
                self.count if self.indexed else self.filtered().count
            )
        values = list(kept_values(computes).values())
        kept: dict[str, Any] = {
            name: (value["rows"], from_pairs(value["counts"]), value["hidden"])
            for name, value in zip(names, values, strict=False)
        }
        if no_filter:
            kept["total"] = values[-1]
        return kept

    def _kept_count(self, name: str) -> Callable[[], dict]:
        kind = FACETS[name]

        def compute() -> dict:
            rows, counts = kind.count(self)
            return {"rows": rows, "counts": pairs(counts), "hidden": kind.hidden(rows, counts)}

        return compute

    def rolled_up(self, name: str) -> dict:
        """{key: count} of a structural facet or the stages, summed from `structure`."""
        if self.index is not None:
            return self.indexed_counts(name)
        position = STRUCTURE_FACETS.index(name)
        counts: dict = {}
        exclude = name if self.filterset.values().get(name) else None
        for row in self.structure(exclude):
            counts[row[position]] = counts.get(row[position], 0) + row[-1]
        return counts

    # From the facet index

    def indexed_counts(self, name: str) -> dict:
        """{key: count} of facet `name` under every filter in force but its own."""
        return self.index_or_fail().counts(name, self.mask(exclude=name))

    def count(self) -> int:
        """How many outputs match every filter in force."""
        return int(self.mask().sum())

    def ordered_ids(self) -> np.ndarray:
        """The ids of the outputs matching every filter in force, in paper order."""
        index = self.index_or_fail()
        return index.ids[self.mask()]

    def index_or_fail(self) -> FacetIndex:
        if self.index is None:
            raise ValueError("This faceting is not indexed.")
        return self.index

    def mask(self, exclude: str | None = None) -> np.ndarray:
        """The outputs matching every filter in force but `exclude`'s, as a mask
        over the index's rows."""
        if not items(self.filterset.values().get(exclude or "")):
            exclude = None  # the same mask as with every filter
        if exclude not in self._masks:
            index = self.index_or_fail()
            mask = np.ones(index.size, dtype=bool)
            for name, value in self.filterset.values().items():
                if name not in (exclude, "sort") and items(value):
                    mask &= self._matching(name, value)
            self._masks[exclude] = mask
        return self._masks[exclude]

    def _matching(self, name: str, value: Any) -> np.ndarray:
        """A mask of the outputs filter `name` lets through: from the index for a
        facet, else from the ids the database gives, read once per request."""
        if name not in self._matches:
            index = self.index_or_fail()
            if name in FACETS:
                chosen = [FACETS[name].key(item) for item in items(value)]
                found = index.matching(name, chosen)
            elif name == "q":
                query = parse(value)
                found = (
                    index.among(self.filterset.matching_ids(query))
                    if query
                    else np.ones(index.size, dtype=bool)
                )
            else:
                outputs = self.filterset.filters[name].filter(Output.objects.all(), value)
                found = index.among(outputs.order_by().values_list("pk", flat=True))
            self._matches[name] = found
        return self._matches[name]

    def structure(self, exclude: str | None) -> list[tuple]:
        """(consultation id, part id, group id, stage, count) over the filtered
        outputs, ignoring facet `exclude`'s own filter: one grouping query that
        the four structural facets roll up from, shared by those whose own
        filter is not in force."""
        if exclude not in self._structures:
            self._structures[exclude] = list(
                self.filtered(exclude).values_list(*STRUCTURE).annotate(count=Count("pk"))
            )
        return self._structures[exclude]


# Active filters and query strings


@dataclass
class ActiveFilter:
    name: str
    facet: str
    label: str
    remove_query: str


def active_filters(filterset: OutputFilter) -> list[ActiveFilter]:
    """Each value in force, with the query string that removes just it."""
    active = []
    values = filterset.values()
    for name in [*FACETS, *OTHER_FILTERS, "q"]:
        for item in items(values.get(name)):
            if name == "q":
                label, raw = item, item
            else:
                label, raw = label_of(filterset, name, item), value_of(name, item)
            facet = str(filterset.filters[name].label)
            active.append(ActiveFilter(name, facet, label, without(filterset.data, name, raw)))
    return active


def query_string(filterset: OutputFilter) -> str:
    """The filters in force, without unknown values or the page number: the same
    view as the page, for its CSV, Atom and API links."""
    params = QueryDict(mutable=True)
    values = filterset.values()
    for name in [*FACETS, *OTHER_FILTERS, "q", "sort"]:
        for item in items(values.get(name)):
            params.appendlist(name, item if name in ("q", "sort") else value_of(name, item))
    return params.urlencode()


def download_name(filterset: OutputFilter, extension: str) -> str:
    """A file name that says what a download holds, from the filters in force:
    `actions-collaboration-skills-and-workforce.csv`."""
    values = filterset.values()
    parts = ["actions"]
    for name in FACETS:
        parts.extend(slugify(FACETS[name].value(item)) for item in items(values.get(name)))
    parts.extend(slugify(word) for word in items(values.get("q")))
    return f"{'-'.join(part for part in parts if part)[:120].rstrip('-')}.{extension}"


def without(data: QueryDict, name: str, raw: str) -> str:
    """The query string `data` less one value of `name`, and less the page number."""
    params = data.copy()
    params.pop("page", None)
    params.setlist(name, [value for value in params.getlist(name) if value != raw])
    return params.urlencode()
