"""Keeping the search index in step with the content."""

import html

from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Cast

from insights import caching
from insights.models import Consultation, InsightBriefing
from insights.text import plain_text
from search.models import Kind, SearchEntry, SearchVectorField
from search.terms import field_words
from workinggroups.models import Output, WorkingGroup

KINDS = {
    Consultation: Kind.CONSULTATION,
    InsightBriefing: Kind.BRIEFING,
    WorkingGroup: Kind.WORKING_GROUP,
    Output: Kind.OUTPUT,
}


def _plain(markdown_text):
    return html.unescape(plain_text(markdown_text))


def _consultation_fields(c):
    return c, {
        "title": c.title,
        "reference": c.reference_prefix,
        "context": c.source_title,
        "summary": c.subtitle,
        "body": "\n\n".join(filter(None, [_plain(c.introduction), _plain(c.conclusion)])),
    }


def _briefing_fields(b):
    return b.part.consultation, {
        "title": b.title,
        "reference": b.reference,
        "context": b.presenter_names,
        "summary": b.presenter_names,
        "body": _plain(b.body),
    }


def _group_fields(g):
    return g.part.consultation, {
        "title": g.title,
        "reference": g.reference,
        "context": f"{g.part.consultation.title}, {g.part}",
        "summary": g.question,
        "body": _plain(g.summary),
    }


def _output_fields(o):
    return o.working_group.part.consultation, {
        "title": o.reference,
        "reference": o.reference,
        "context": f"{o.working_group} · {o.stage_short_label}",
        "summary": "",
        "body": _plain(o.text),
    }


FIELDS = {
    Consultation: _consultation_fields,
    InsightBriefing: _briefing_fields,
    WorkingGroup: _group_fields,
    Output: _output_fields,
}


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


def _entry_values(obj):
    consultation, fields = FIELDS[type(obj)](obj)
    title = field_words(f"{fields['title']} {fields['reference']}", "title")
    summary = field_words(fields["summary"], "summary")
    body = field_words(fields["body"], "body")
    values = {
        **fields,
        "consultation": consultation,
        "is_public": consultation.is_public,
        "url": obj.get_absolute_url(),
        "title_words": " ".join(title),
        "summary_words": " ".join(summary),
        "body_words": " ".join(body),
    }
    if connection.vendor == "postgresql":
        values["search_vector"] = Cast(
            Value(tsvector_literal(title, summary, body)), output_field=SearchVectorField()
        )
    return values


def index(obj):
    """Create or refresh the search entry of one consultation, briefing, group or output."""
    SearchEntry.objects.update_or_create(
        kind=KINDS[type(obj)], object_id=obj.pk, defaults=_entry_values(obj)
    )


def unindex(obj):
    SearchEntry.objects.filter(kind=KINDS[type(obj)], object_id=obj.pk).delete()


def index_part(part):
    """A part's number is in its briefings' and groups' references."""
    for briefing in part.briefings.select_related("part__consultation").prefetch_related(
        "presenters"
    ):
        index(briefing)
    for group in part.working_groups.select_related("part__consultation"):
        index(group)


def publish(consultation):
    """Show or hide everything in a consultation as its status allows."""
    SearchEntry.objects.filter(consultation=consultation).update(is_public=consultation.is_public)
    caching.bump()


@transaction.atomic
def rebuild():
    """Index every item afresh; returns how many entries there are."""
    SearchEntry.objects.all().delete()
    querysets = [
        Consultation.objects.all(),
        InsightBriefing.objects.select_related("part__consultation").prefetch_related("presenters"),
        WorkingGroup.objects.select_related("part__consultation"),
        Output.objects.select_related("working_group__part__consultation"),
    ]
    for queryset in querysets:
        entries = (
            SearchEntry(kind=KINDS[queryset.model], object_id=obj.pk, **_entry_values(obj))
            for obj in queryset.iterator(chunk_size=500)
        )
        SearchEntry.objects.bulk_create(entries, batch_size=500)
    caching.bump()  # bulk inserts send no signals
    return SearchEntry.objects.count()
