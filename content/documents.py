"""Import and export of whole consultations as one JSON document.

The format is described in docs/content-format.md. The shipped content in
fixtures/ is such a document, and an export can be imported into an empty
database to give identical content.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Prefetch

from editorial.history import recording
from insights.models import (
    Consultation,
    InsightBriefing,
    KeyTheme,
    Organisation,
    Part,
    Theme,
)
from recurring.models import RecurringFinding, check_members
from web import terminal
from workinggroups.models import Output, Stage, WorkingGroup

FORMAT = "connected-places-portal/1"


class ContentError(ValueError):
    """The document is not a valid content document; nothing was written."""


@transaction.atomic
def import_document(data, *, replace=False, user=None, reason=""):
    """Load a content document and return {"created": [...], "skipped": [...]} slugs
    of consultations, and the same of recurring findings under "findings".

    Consultations already in the database are left exactly as they are (an editor
    may have changed them) unless `replace` is true, in which case they are
    deleted and loaded afresh. Themes and organisations are matched by slug and
    never overwritten. Loading the same document twice therefore changes nothing.
    Each item written gets one history record, by `user`, with `reason`.
    """
    with recording(user, reason=reason):
        return _import_document(data, replace)


def _import_document(data, replace):
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ContentError(f"Not a content document: expected format {FORMAT!r}.")
    try:
        themes = {item["slug"]: _theme(item) for item in data.get("themes", [])}
        themes.update({theme.slug: theme for theme in Theme.objects.all()})
        orgs = {item["slug"]: _organisation(item) for item in data.get("organisations", [])}
        orgs.update({org.slug: org for org in Organisation.objects.all()})
        created, skipped, links = [], [], []
        consultations = data.get("consultations", [])
        for item in terminal.progress(
            consultations, desc="Loading consultations", unit="consultation"
        ):
            existing = Consultation.objects.filter(slug=item["slug"]).first()
            if existing and not replace:
                skipped.append(existing.slug)
                continue
            if existing:
                existing.delete()
            consultation = _consultation(item, themes, orgs)
            created.append(consultation.slug)
            links.append((consultation, item))
        for consultation, item in links:
            consultation.builds_on.set(_lookup(Consultation, item.get("builds_on", [])))
            consultation.summarises.set(_lookup(Consultation, item.get("summarises", [])))
        findings = _recurring_findings(data.get("recurring_findings", []), replace=replace)
    except (KeyError, TypeError) as error:
        raise ContentError(f"The document is missing or misuses a field: {error}") from error
    return {"created": created, "skipped": skipped, "findings": findings}


def _recurring_findings(items, *, replace):
    """Recurring findings after the consultations, as these hold their members:
    kept as they are when their slug exists, unless `replace`."""
    created, skipped = [], []
    for item in items:
        existing = RecurringFinding.objects.filter(slug=item["slug"]).first()
        if existing and not replace:
            skipped.append(existing.slug)
            continue
        if existing:
            existing.delete()
        references = item.get("actions", [])
        actions = list(Output.objects.filter(reference__in=references))
        missing = set(references) - {action.reference for action in actions}
        if missing:
            raise ContentError(
                f"Recurring finding {item['slug']}: unknown action references {sorted(missing)}"
            )
        groups = _lookup(WorkingGroup, item.get("working_groups", []))
        try:
            check_members(actions, groups)
        except ValidationError as error:
            raise ContentError(f"Recurring finding {item['slug']}: {error.messages[0]}") from None
        finding = RecurringFinding.objects.create(
            slug=item["slug"],
            title=item["title"],
            summary=item.get("summary", ""),
            status=item.get("status", "draft"),
        )
        finding.actions.set(actions)
        finding.groups.set(groups)
        created.append(finding.slug)
    return {"created": created, "skipped": skipped}


def _lookup(model, slugs):
    found = list(model.objects.filter(slug__in=slugs))
    missing = set(slugs) - {obj.slug for obj in found}
    if missing:
        raise ContentError(f"Unknown {model._meta.verbose_name} slugs: {sorted(missing)}")
    return found


def _pick(mapping, slugs, kind):
    try:
        return [mapping[slug] for slug in slugs]
    except KeyError as error:
        raise ContentError(f"Unknown {kind} slug: {error.args[0]}") from None


def _theme(item):
    theme, _ = Theme.objects.get_or_create(
        slug=item["slug"],
        defaults={
            "name": item["name"],
            "description": item.get("description", ""),
            "order": item.get("order", 0),
        },
    )
    return theme


def _organisation(item):
    org, _ = Organisation.objects.get_or_create(
        slug=item["slug"],
        defaults={
            "name": item["name"],
            "short_name": item.get("short_name", ""),
            "aliases": "; ".join(item.get("aliases", [])),
            "sector": item.get("sector", "public"),
            "website": item.get("website", ""),
            "description": item.get("description", ""),
        },
    )
    return org


def _consultation(item, themes, orgs):
    consultation = Consultation.objects.create(
        slug=item["slug"],
        reference_prefix=item["reference_prefix"],
        title=item["title"],
        subtitle=item.get("subtitle", ""),
        status=item.get("status", "draft"),
        start_date=item["start_date"],
        end_date=item.get("end_date"),
        date_precision=item.get("date_precision", "day"),
        venue=item.get("venue", ""),
        participants=item.get("participants"),
        introduction=item.get("introduction", ""),
        conclusion=item.get("conclusion", ""),
        source_title=item.get("source_title", ""),
        source_url=item.get("source_url", ""),
    )
    consultation.organisers.set(_pick(orgs, item.get("organisers", []), "organisation"))
    consultation.themes.set(_pick(themes, item.get("themes", []), "theme"))
    KeyTheme.objects.bulk_create(
        KeyTheme(
            consultation=consultation,
            order=order,
            title=kt["title"],
            text=kt["text"],
            held=kt.get("held", False),
        )
        for order, kt in enumerate(item.get("key_themes", []), start=1)
    )
    for part_item in item.get("parts", []):
        _part(consultation, part_item, themes, orgs)
    return consultation


def _part(consultation, item, themes, orgs):
    part = Part.objects.create(
        consultation=consultation,
        number=item["number"],
        title=item["title"],
        slug=item.get("slug", ""),
        introduction=item.get("introduction", ""),
        held=item.get("held", False),
    )
    for order, b in enumerate(item.get("briefings", []), start=1):
        briefing = InsightBriefing.objects.create(
            part=part,
            order=order,
            title=b["title"],
            slug=b["slug"],
            body=b["body"],
            held=b.get("held", False),
        )
        briefing.presenters.set(_pick(orgs, b.get("presenters", []), "organisation"))
        briefing.partners.set(_pick(orgs, b.get("partners", []), "organisation"))
        briefing.themes.set(_pick(themes, b.get("themes", []), "theme"))
        briefing.tags.set(b.get("tags", []))
    for w in item.get("working_groups", []):
        group = WorkingGroup.objects.create(
            part=part,
            number=w["number"],
            title=w["title"],
            slug=w["slug"],
            question=w.get("question", ""),
            summary=w.get("summary", ""),
            held=w.get("held", False),
        )
        group.themes.set(_pick(themes, w.get("themes", []), "theme"))
        group.tags.set(w.get("tags", []))
        outputs = w.get("outputs", {})
        unknown = set(outputs) - set(Stage.values)
        if unknown:
            raise ContentError(f"Unknown stage in {w['slug']}: {sorted(unknown)}")
        for stage in Stage:
            for order, o in enumerate(outputs.get(stage.value, []), start=1):
                output = Output.objects.create(
                    working_group=group,
                    stage=stage,
                    order=order,
                    text=o["text"],
                    reference=o.get("reference", ""),
                    held=o.get("held", False),
                )
                output.partners.set(_pick(orgs, o.get("partners", []), "organisation"))
                output.themes.set(_pick(themes, o.get("themes", []), "theme"))
                output.tags.set(o.get("tags", []))


def _slugs(manager):
    return [obj.slug for obj in manager.all()]


def _tag_names(manager):
    return sorted(tag.name for tag in manager.all())


def export_document(consultations, *, public=False):
    """Return the content document for `consultations` with the themes and
    organisations they use; `import_document` reads it back unchanged.

    Items held back for a publisher are marked `"held": true`; a `public` export
    (the open data one) leaves them out.
    """
    shown = {"held": False} if public else {}
    consultations = list(
        consultations.prefetch_related(
            "organisers",
            "themes",
            "builds_on",
            "summarises",
            Prefetch("key_themes", KeyTheme.objects.filter(**shown)),
            Prefetch("parts", Part.objects.filter(**shown)),
            Prefetch("parts__briefings", InsightBriefing.objects.filter(**shown)),
            "parts__briefings__presenters",
            "parts__briefings__partners",
            "parts__briefings__themes",
            "parts__briefings__tags",
            Prefetch("parts__working_groups", WorkingGroup.objects.filter(**shown)),
            "parts__working_groups__themes",
            "parts__working_groups__tags",
            Prefetch("parts__working_groups__outputs", Output.objects.filter(**shown)),
            "parts__working_groups__outputs__partners",
            "parts__working_groups__outputs__themes",
            "parts__working_groups__outputs__tags",
        )
    )
    return {
        "format": FORMAT,
        "themes": [
            {"slug": t.slug, "name": t.name, "description": t.description, "order": t.order}
            for t in Theme.objects.all()
        ],
        "organisations": [
            {
                "slug": o.slug,
                "name": o.name,
                "short_name": o.short_name,
                "aliases": o.alias_list(),
                "sector": o.sector,
                "website": o.website,
                "description": o.description,
            }
            for o in Organisation.objects.all()
        ],
        "consultations": [_export_consultation(c) for c in consultations],
        "recurring_findings": _export_findings(consultations, public=public),
    }


def _export_findings(consultations, *, public=False):
    """The recurring findings whose members all belong to `consultations` (for a
    `public` export, the published findings and their public members)."""
    exported = {c.pk for c in consultations}
    findings = RecurringFinding.objects.published() if public else RecurringFinding.objects.all()
    actions = Output.objects.published() if public else Output.objects.all()
    groups = WorkingGroup.objects.published() if public else WorkingGroup.objects.all()
    findings = findings.prefetch_related(
        Prefetch("actions", actions.select_related("working_group__part")),
        Prefetch("groups", groups.select_related("part")),
    ).order_by("slug")
    documents = []
    for finding in findings:
        actions = sorted(finding.actions.all(), key=lambda a: a.reference)
        groups = sorted(finding.groups.all(), key=lambda g: g.slug)
        homes = {a.working_group.part.consultation_id for a in actions}
        homes |= {g.part.consultation_id for g in groups}
        if not homes or not homes <= exported:
            continue
        documents.append(
            {
                "slug": finding.slug,
                "title": finding.title,
                "summary": finding.summary,
                "status": finding.status,
                "actions": [a.reference for a in actions],
                "working_groups": [g.slug for g in groups],
            }
        )
    return documents


def _export_consultation(c):
    return {
        "slug": c.slug,
        "reference_prefix": c.reference_prefix,
        "title": c.title,
        "subtitle": c.subtitle,
        "status": c.status,
        "start_date": c.start_date.isoformat(),
        "end_date": c.end_date.isoformat() if c.end_date else None,
        "date_precision": c.date_precision,
        "venue": c.venue,
        "organisers": _slugs(c.organisers),
        "participants": c.participants,
        "introduction": c.introduction,
        "conclusion": c.conclusion,
        "source_title": c.source_title,
        "source_url": c.source_url,
        "builds_on": _slugs(c.builds_on),
        "summarises": _slugs(c.summarises),
        "themes": _slugs(c.themes),
        "key_themes": [_held({"title": k.title, "text": k.text}, k) for k in c.key_themes.all()],
        "parts": [_export_part(p) for p in c.parts.all()],
    }


def _held(document, item):
    """`document` with `"held": true` when `item` is held back for a publisher."""
    return {**document, "held": True} if item.held else document


def _export_part(p):
    return _held(
        {
            "number": p.number,
            "slug": p.slug,
            "title": p.title,
            "introduction": p.introduction,
            "briefings": [
                _held(
                    {
                        "slug": b.slug,
                        "title": b.title,
                        "presenters": _slugs(b.presenters),
                        "partners": _slugs(b.partners),
                        "body": b.body,
                        "themes": _slugs(b.themes),
                        "tags": _tag_names(b.tags),
                    },
                    b,
                )
                for b in p.briefings.all()
            ],
            "working_groups": [_export_group(w) for w in p.working_groups.all()],
        },
        p,
    )


def _export_group(w):
    by_stage = {stage.value: [] for stage in Stage}
    for o in sorted(w.outputs.all(), key=lambda o: (list(Stage).index(o.stage), o.order)):
        by_stage[o.stage].append(
            _held(
                {
                    "reference": o.reference,
                    "text": o.text,
                    "themes": _slugs(o.themes),
                    "tags": _tag_names(o.tags),
                    "partners": _slugs(o.partners),
                },
                o,
            )
        )
    return _held(
        {
            "number": w.number,
            "slug": w.slug,
            "title": w.title,
            "question": w.question,
            "summary": w.summary,
            "themes": _slugs(w.themes),
            "tags": _tag_names(w.tags),
            "outputs": by_stage,
        },
        w,
    )


def refresh_statistics():
    """ANALYZE after a bulk load, so the query planner knows how big the tables
    now are (autovacuum gets there eventually on PostgreSQL; SQLite never does)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
