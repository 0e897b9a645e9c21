"""Keeping the search index in step with the content.

The index knows no content model by name: a model is indexed when it has
`search_kind` (a `search.models.Kind` value), `search_entry()` (its consultation
and the fields shown and searched) and `search_queryset()`; a model whose
change shows in other entries has `search_dependents()`.
"""

from django.apps import apps
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Cast

from insights.publishing import is_live
from search.models import EntryWords, SearchEntry, SearchVectorField, keeps_words
from search.terms import field_words
from web import caching, terminal


def indexed_models() -> list[type[models.Model]]:
    """Every model with a search entry: those that say how they are indexed
    (`search_kind`, `search_entry()` and the `search_queryset()` to rebuild from)."""
    return [model for model in apps.get_models() if hasattr(model, "search_entry")]


def tsvector_literal(title, summary, body):
    """A tsvector written out with each word's positions and weight.

    Positions run on across the fields with a gap between them, so a phrase
    never matches across two fields, as in FTS5 where each field is a column."""
    positions = {}
    position = 0
    for word_list, weight in ((title, "A"), (summary, "B"), (body, "C")):
        for word in word_list:
            position += 1
            positions.setdefault(word, []).append(f"{position}{weight}")
        position += 1
    # PostgreSQL keeps at most 256 positions of one word.
    return " ".join(f"'{word}':{','.join(found[:256])}" for word, found in positions.items())


def _entry_values(obj) -> tuple[dict, str]:
    """The fields of `obj`'s entry, and its words as a tsvector literal."""
    fields = obj.search_entry()
    consultation = fields.pop("consultation")
    title = field_words(f"{fields['title']} {fields['reference']}", "title")
    summary = field_words(fields["summary"], "summary")
    body = field_words(fields["body"], "body")
    values = {
        **fields,
        "consultation": consultation,
        # Partners and themes belong to no consultation and are always public.
        "is_public": is_live(obj) if consultation else True,
        "url": obj.get_absolute_url(),
        "title_words": " ".join(title),
        "summary_words": " ".join(summary),
        "body_words": " ".join(body),
    }
    return values, tsvector_literal(title, summary, body)


def _entry(obj) -> tuple[SearchEntry, str]:
    values, vector = _entry_values(obj)
    return SearchEntry(kind=obj.search_kind, object_id=obj.pk, **values), vector


def _words_values(entry: SearchEntry, vector: str) -> dict:
    return {
        "kind": entry.kind,
        "object_id": entry.object_id,
        "is_public": entry.is_public,
        "reference": entry.reference,
        "vector": Cast(Value(vector), output_field=SearchVectorField()),
    }


def _create(entries: list[tuple[SearchEntry, str]]) -> None:
    """Insert new entries, and on PostgreSQL their words."""
    created = SearchEntry.objects.bulk_create([entry for entry, _vector in entries])
    if keeps_words():
        EntryWords.objects.bulk_create(
            [
                EntryWords(entry=entry, **_words_values(entry, vector))
                for entry, (_unsaved, vector) in zip(created, entries, strict=True)
            ]
        )


def _delete(entries) -> None:
    """Delete `entries` (and on PostgreSQL their words: ON DELETE CASCADE) in one
    statement. A queryset's delete() reads every row first and sends post_delete for
    each, and so writes a new content version for each: a million times over for a
    rebuild at 1,000,000 actions. The callers write one."""
    entries._raw_delete(entries.db)


def index(obj) -> None:
    """Create or refresh the search entry of one item (see `indexed_models`)."""
    values, vector = _entry_values(obj)
    entry, _created = SearchEntry.objects.update_or_create(
        kind=obj.search_kind, object_id=obj.pk, defaults=values
    )
    if keeps_words():
        EntryWords.objects.update_or_create(entry=entry, defaults=_words_values(entry, vector))


def reindex(model, pks) -> None:
    """Create or refresh the entries of the items `pks` of `model` in a few
    queries, after a bulk write, which sends no signals. The entries are worked
    out first, reading only, and then written in one short transaction."""
    pks = sorted(pks)
    entries = []
    for start in range(0, len(pks), 500):
        items = model.search_queryset().filter(pk__in=pks[start : start + 500])
        entries += [_entry(obj) for obj in items]
    with transaction.atomic():
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            _delete(SearchEntry.objects.filter(kind=model.search_kind, object_id__in=chunk))
        for start in range(0, len(entries), 500):
            _create(entries[start : start + 500])
    caching.bump()


def reindex_on_commit(model, pks) -> None:
    """`reindex` once the caller's transaction commits, so that the work of the
    entries is not done while it holds the write lock."""
    transaction.on_commit(lambda: reindex(model, pks))


def unindex(obj) -> None:
    # Its words go with it (the database's ON DELETE CASCADE).
    SearchEntry.objects.filter(kind=obj.search_kind, object_id=obj.pk).delete()


def index_dependents(obj) -> None:
    """Refresh the entries that show something of `obj` (`search_dependents()`):
    a group's title is shown with each of its outputs, a part's number is in
    its briefings' and groups' references."""
    for dependent in obj.search_dependents():
        index(dependent)


def publish(consultation):
    """Show or hide everything in a consultation as its status and the holds on its
    items allow: what is held back for a publisher, or sits in something held, stays
    hidden. Reads the holds themselves, not what other signals derive from them."""
    tables = [SearchEntry.objects.filter(consultation=consultation)]
    if keeps_words():  # their copies of is_public, by the same updates
        tables.append(EntryWords.objects.filter(entry__consultation=consultation))
    for rows in tables:
        rows.update(is_public=consultation.is_public)
        if consultation.is_public:
            for model in indexed_models():
                queryset = model._default_manager.all()
                if not hasattr(queryset, "held_back"):
                    continue
                held = queryset.in_consultation(consultation).held_back().values("pk")
                rows.filter(kind=model.search_kind, object_id__in=held).update(is_public=False)
    caching.bump()


@transaction.atomic
def rebuild():
    """Index every item afresh; returns how many entries there are."""
    _delete(SearchEntry.objects.all())
    for model in indexed_models():
        items = model.search_queryset()
        entries = []
        for obj in terminal.progress(
            items.iterator(chunk_size=500),
            desc=f"Indexing {model._meta.verbose_name_plural}",
            total=items.count,
        ):
            entries.append(_entry(obj))
            if len(entries) == 500:
                _create(entries)
                entries = []
        _create(entries)
    caching.bump()  # bulk inserts send no signals
    return SearchEntry.objects.count()
