from typing import Any, Self

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQueryField, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import Case, Count, F, Func, Max, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from insights.models import Consultation
from web.caching import cached

# The FTS5 table that mirrors SearchEntry on SQLite (created by migration 0001).
FTS_TABLE = "search_fts"
# Column weights for FTS5's bm25(): title and reference, summary, body.
FTS_WEIGHTS = (10.0, 4.0, 1.0)


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultations")
    BRIEFING = "briefing", _("Insight briefings")
    WORKING_GROUP = "working_group", _("Working groups")
    OUTPUT = "output", _("Actions")
    ORGANISATION = "organisation", _("Partners")
    THEME = "theme", _("Themes")


# One result's type, where Kind's labels name a whole list of them.
KIND_SINGULAR = {
    Kind.CONSULTATION: _("Consultation"),
    Kind.BRIEFING: _("Insight briefing"),
    Kind.WORKING_GROUP: _("Working group"),
    Kind.OUTPUT: _("Action"),
    Kind.ORGANISATION: _("Partner"),
    Kind.THEME: _("Theme"),
}


class TsMatch(Func):
    """`vector @@ query` on PostgreSQL."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = models.BooleanField()


class FtsRank(Func):
    """How well row `id` matches on SQLite: FTS5's bm25, negated so higher is better.

    A correlated subquery, so that it also works inside another query (the
    finder ranks outputs with it). The matches are ranked once per query into a
    MATERIALIZED table that each row looks itself up in: asking FTS5 for one
    rowid at a time re-runs the whole match for every row (seconds at 20,000)."""

    output_field = models.FloatField()

    def __init__(self, match, rowid, **extra):
        self.match = match
        super().__init__(rowid, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        rowid, params = compiler.compile(self.source_expressions[0])
        weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
        sql = (
            f"(WITH ranked AS MATERIALIZED (SELECT rowid AS id, -bm25({FTS_TABLE}, {weights}) "
            f"AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
            f"SELECT ranked.rank FROM ranked WHERE ranked.id = {rowid})"
        )
        return sql, [self.match, *params]


def _tsquery(query):
    return Cast(Value(query.tsquery()), output_field=SearchQueryField())


class SearchEntryQuerySet(models.QuerySet):
    def public(self) -> Self:
        return self.filter(is_public=True)

    def matching(self, query) -> Self:
        """Entries matching every term of `query` (a search.terms.Query); no terms, none."""
        if not query:
            return self.none()
        if connection.vendor == "postgresql":
            return self.filter(TsMatch(F("search_vector"), _tsquery(query)))
        return self.filter(
            id__in=RawSQL(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [query.fts5()]
            )
        )

    def search(self, query):
        """`matching(query)`, annotated with `rank`: higher is a better match."""
        if connection.vendor == "postgresql":
            rank = SearchRank(F("search_vector"), _tsquery(query))
        else:
            rank = FtsRank(query.fts5(), F("id"))
        return self.matching(query).annotate(rank=rank)

    def kind_counts(self, query) -> dict[str, int]:
        """{kind: entries matching `query`}, the kind with the best match first (the
        order the search page lists its groups in); cached until the content changes."""

        def count():
            if connection.vendor == "sqlite":
                rows = self._sqlite_kind_counts(query)
            else:
                rows = list(
                    self.search(query)
                    .order_by()
                    .values("kind")
                    .annotate(n=Count("id"), best=Max("rank"))
                )
            rows = sorted(rows, key=lambda row: (-row["best"], row["kind"]))
            return {row["kind"]: row["n"] for row in rows}

        return cached("search-counts", query.terms, count)

    def _sqlite_kind_counts(self, query) -> list[dict[str, Any]]:
        """kind_counts() on SQLite: the FTS5 matches, ranked once, joined to their
        entries by rowid. Grouping `search()` by kind instead makes SQLite build the
        ranked table again for every row (6.5 s for 19,000 matches at 100,000
        actions, against about 0.2 s this way)."""
        table = self.model._meta.db_table
        compiler = self.query.get_compiler(using=self.db)
        where, params = compiler.compile(self.query.where) if self.query.where else ("1", [])
        weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH ranked AS MATERIALIZED (SELECT rowid AS id, "
                f"-bm25({FTS_TABLE}, {weights}) AS rank FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s) "
                f"SELECT {table}.kind, COUNT(*), MAX(ranked.rank) FROM ranked "
                f"JOIN {table} ON {table}.id = ranked.id WHERE {where} GROUP BY {table}.kind",
                [query.fts5(), *params],
            )
            return [{"kind": kind, "n": n, "best": best} for kind, n, best in cursor.fetchall()]

    def ranked(self, kinds: list[str] | None = None) -> Self:
        """Best match first; with `kinds`, grouped by kind in that order first."""
        order: list[Any] = ["-rank", "kind", "reference", "id"]
        if kinds:
            position = Case(
                *(When(kind=kind, then=Value(n)) for n, kind in enumerate(kinds)),
                default=Value(len(kinds)),
            )
            order.insert(0, position)
        return self.order_by(*order)


class SearchEntry(models.Model):
    """One searchable item: a consultation, briefing, working group, output,
    organisation or theme.

    Kept in step by search.signals and rebuilt by `manage.py rebuild_search_index`.
    On PostgreSQL `search_vector` holds the weighted words (GIN-indexed); on
    SQLite the FTS5 table `search_fts` mirrors the `*_words` columns through
    triggers. A migration that makes Django rebuild this table on SQLite drops
    those triggers: recreate them in the same migration.
    """

    kind = models.CharField(max_length=20, choices=Kind)
    object_id = models.PositiveBigIntegerField()
    # None for what belongs to no consultation (partners, themes): always public.
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="search_entries",
        null=True,
        blank=True,
    )
    is_public = models.BooleanField(default=False)
    title = models.CharField(max_length=300)
    reference = models.CharField(max_length=60, blank=True)
    context = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # The indexed words, weighted A (title, reference), B (summary), C (body).
    title_words = models.TextField(blank=True)
    summary_words = models.TextField(blank=True)
    body_words = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_entry")
        ]
        indexes = [GinIndex(fields=["search_vector"], name="search_entry_vector")]

    def __str__(self) -> str:
        return f"{self.kind_label}: {self.title}"

    @property
    def kind_label(self):
        return KIND_SINGULAR[self.kind]
