from typing import Self

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQueryField, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import F, Func, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from insights.models import Consultation

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


def keeps_words() -> bool:
    """PostgreSQL matches `EntryWords`; SQLite the FTS5 table over the entries, which
    follows them by itself (triggers)."""
    return connection.vendor == "postgresql"


def matched(query, *, kind: str | None = None) -> models.QuerySet:
    """The entries (of `kind`, when given) matching every term of `query` (a
    search.terms.Query), as rows with `kind`, `object_id`, `is_public` and
    `reference`: `EntryWords` on PostgreSQL, `SearchEntry` on SQLite. No terms,
    none."""
    if not query:
        return (EntryWords if keeps_words() else SearchEntry).objects.none()
    if keeps_words():
        rows: models.QuerySet = EntryWords.objects.filter(TsMatch(F("vector"), _tsquery(query)))
    else:
        fts = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        rows = SearchEntry.objects.filter(id__in=RawSQL(fts, [query.fts5()]))
    return rows.filter(kind=kind) if kind else rows


def ranked(query, *, kind: str | None = None) -> models.QuerySet:
    """`matched(query, kind=kind)`, annotated with `rank`: higher is a better match."""
    if keeps_words():
        rank: Func = SearchRank(F("vector"), _tsquery(query))
    else:
        rank = FtsRank(query.fts5(), F("id"))
    return matched(query, kind=kind).annotate(rank=rank)


def results(query, kind: str | None, offset: int, limit: int) -> tuple[dict[str, int], list[int]]:
    """({kind: public entries matching `query`}, the kind with the best match first;
    the ids of `limit` of those entries from `offset`, of `kind` only when given, in
    the search page's order: grouped by kind in that order, best match first, then
    reference and id).

    One query: the entries are matched and ranked once, into a table that the
    counts per kind and the page are both read from. Counting the kinds and
    ranking the page in two queries matched and ranked every entry twice (at
    100,000 actions a common word matches 30,000 entries); handing every match
    to Python to count and sort costs as much again."""
    if not query:
        return {}, []
    if keeps_words():
        words = EntryWords._meta.db_table
        matched_sql = (
            f"matched AS MATERIALIZED (SELECT entry_id AS id, kind, reference, "
            f"ts_rank(vector, %s::tsquery) AS rank "
            f"FROM {words} WHERE is_public AND vector @@ %s::tsquery)"
        )
        params = [query.tsquery(), query.tsquery()]
    else:
        entries = SearchEntry._meta.db_table
        weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
        matched_sql = (
            f"fts AS MATERIALIZED (SELECT rowid AS id, -bm25({FTS_TABLE}, {weights}) AS rank "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s), "
            f"matched AS MATERIALIZED (SELECT {entries}.id, {entries}.kind, "
            f"{entries}.reference, fts.rank FROM fts "
            f"JOIN {entries} ON {entries}.id = fts.id WHERE {entries}.is_public)"
        )
        params = [query.fts5()]
    sql = (
        f"WITH {matched_sql}, "
        "kinds AS (SELECT kind, COUNT(*) AS n, MAX(rank) AS best FROM matched GROUP BY kind) "
        "SELECT kind, n, best, CAST(NULL AS BIGINT) FROM kinds "
        "UNION ALL SELECT * FROM (SELECT matched.kind, CAST(NULL AS BIGINT), "
        "CAST(NULL AS REAL), matched.id FROM matched "
        "JOIN kinds ON kinds.kind = matched.kind WHERE %s = '' OR matched.kind = %s "
        "ORDER BY kinds.best DESC, matched.kind, matched.rank DESC, matched.reference, "
        "matched.id LIMIT %s OFFSET %s) AS page"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, kind or "", kind or "", limit, offset])
        rows = cursor.fetchall()
    kinds = sorted((row for row in rows if row[3] is None), key=lambda row: (-row[2], row[0]))
    return {found: n for found, n, _, _ in kinds}, [row[3] for row in rows if row[3] is not None]


class SearchEntry(models.Model):
    """One searchable item: a consultation, briefing, working group, output,
    organisation or theme.

    Kept in step by search.signals and rebuilt by `manage.py rebuild_search_index`.
    Matched through `matched()`: on PostgreSQL its weighted words are in
    `EntryWords`; on SQLite the FTS5 table `search_fts` mirrors the `*_words`
    columns through triggers. A migration that makes Django rebuild this table on
    SQLite drops those triggers: recreate them in the same migration.
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

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_entry")
        ]

    def __str__(self) -> str:
        return f"{self.kind_label}: {self.title}"

    @property
    def kind_label(self):
        return KIND_SINGULAR[self.kind]


class EntryWords(models.Model):
    """An entry's weighted words on PostgreSQL (GIN-indexed), beside copies of the
    entry's columns that a match is filtered and ordered by, in a narrow table of
    their own: a common word matches a third of the entries, and scanning them in
    the entries' table, whose rows also hold the text shown (1.2 KB a row), took
    twice as long. Written with its entry by `search.services`; empty on SQLite,
    whose FTS5 table holds the words."""

    # The database deletes the words with their entry (ON DELETE CASCADE, migration
    # 0003): a cascade in Django would read every entry before deleting them, all
    # 1,000,000 for a rebuild of the index, instead of one DELETE.
    entry = models.OneToOneField(
        SearchEntry, on_delete=models.DO_NOTHING, primary_key=True, related_name="words"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    object_id = models.PositiveBigIntegerField()
    is_public = models.BooleanField(default=False)
    reference = models.CharField(max_length=60, blank=True)
    # Title and reference weighted A, summary B, body C.
    vector = SearchVectorField()

    class Meta:
        verbose_name_plural = "entry words"
        indexes = [
            GinIndex(fields=["vector"], name="search_words_vector"),
            models.Index(fields=["kind", "object_id"], name="search_words_object"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
