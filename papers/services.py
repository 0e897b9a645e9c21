"""Import a consultation paper: a file becomes a draft consultation.

`prepare()` reads, parses and links a file without writing anything; `load()`
writes the result in one transaction through the content import, every
consultation in it a draft, and records the import for review.
"""

from dataclasses import asdict, dataclass, field

from django.db import transaction

from content.documents import import_document
from insights.models import Consultation, InsightBriefing, Status
from papers.linking import link
from papers.models import PaperImport
from papers.parsing import Warning, parse
from papers.readers import read
from workinggroups.models import Stage, WorkingGroup


class PaperError(ValueError):
    """The paper cannot be imported as it is; nothing was written."""


@dataclass
class Draft:
    """A parsed paper: its content document, and what an editor should review."""

    document: dict
    warnings: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)
    file_name: str = ""
    file_type: str = ""

    @property
    def consultation(self):
        return self.document["consultations"][0]

    def to_dict(self):
        return {**asdict(self), "warnings": [asdict(w) for w in self.warnings]}

    @classmethod
    def from_dict(cls, data):
        return cls(**{**data, "warnings": [Warning(**w) for w in data["warnings"]]})


def prepare(data: bytes, file_name: str = "", *, slug="", prefix="", progress=False) -> Draft:
    """Read, parse and link a paper; write nothing. Raises ReadError or NoStructure."""
    source = read(data, file_name, progress=progress)
    parsed = parse(source.blocks)
    main = parsed.document["consultations"][0]
    if slug:
        main["slug"] = slug
    if prefix:
        main["reference_prefix"] = prefix
    warnings, suggestions = link(parsed.document)
    draft = Draft(parsed.document, parsed.warnings + warnings, suggestions, file_name, source.kind)
    draft.warnings = check_slugs(draft.document) + draft.warnings  # the gravest first
    return draft


def check_slugs(document, replacing=None):
    """Warnings for slugs and prefixes already taken; child slugs made unique.

    The paper's own consultation is only warned about here (load refuses it); an
    earlier consultation it links to that is already in the portal is linked, not
    imported again.
    """
    warnings = []
    main, *linked = document["consultations"]
    taken = Consultation.objects.exclude(pk=getattr(replacing, "pk", None))
    if taken.filter(slug=main["slug"]).exists():
        warnings.append(
            Warning("slug-taken", f"A consultation with the slug “{main['slug']}” already exists.")
        )
    other = taken.exclude(slug=main["slug"]).filter(reference_prefix=main["reference_prefix"])
    if other.exists():
        warnings.append(
            Warning(
                "slug-taken",
                f"The reference prefix “{main['reference_prefix']}” is used by another "
                "consultation: give another.",
            )
        )
    for record in linked:
        if taken.filter(slug=record["slug"]).exists():
            warnings.append(
                Warning(
                    "linked",
                    f"“{record['title']}” is already in the portal ({record['slug']}): "
                    "linked to it, not imported again.",
                )
            )
        elif taken.filter(reference_prefix=record["reference_prefix"]).exists():
            record["reference_prefix"] = free_prefix(record["reference_prefix"])
    _unique_child_slugs(document, replacing)
    return warnings


def free_prefix(prefix):
    for letter in "ABCDEFGHJKLMNPQRSTUVWXYZ":
        if not Consultation.objects.filter(reference_prefix=f"{prefix}{letter}").exists():
            return f"{prefix}{letter}"
    raise PaperError(f"No free reference prefix like {prefix}: give one.")


def _unique_child_slugs(document, replacing):
    existing = set(Consultation.objects.values_list("slug", flat=True))
    main = document["consultations"][0]
    for model, key in ((InsightBriefing, "briefings"), (WorkingGroup, "working_groups")):
        rows = model.objects.all()
        if replacing is not None:
            rows = rows.exclude(part__consultation=replacing)
        used = set(rows.values_list("slug", flat=True))
        for consultation in document["consultations"]:
            if consultation["slug"] in existing and consultation is not main:
                continue  # linked, not loaded
            for part in consultation["parts"]:
                for item in part[key]:
                    base, n = item["slug"][:110], 2
                    while item["slug"] in used:
                        item["slug"], n = f"{base}-{n}", n + 1
                    used.add(item["slug"])


@transaction.atomic
def load(draft: Draft, *, user=None, replace_draft=False, reason="") -> PaperImport:
    """Create the draft; refuse a paper whose consultation slug is taken, unless
    `replace_draft` and the consultation there is a draft, which is replaced."""
    main = draft.consultation
    existing = Consultation.objects.filter(slug=main["slug"]).first()
    if existing is not None:
        if not replace_draft:
            raise PaperError(
                f"A consultation with the slug “{main['slug']}” already exists: the paper was "
                "not imported. Give another slug, or replace a draft with --replace-draft."
            )
        if existing.status != Status.DRAFT:
            raise PaperError(
                f"“{main['slug']}” is {existing.get_status_display().lower()}, not a draft: "
                "only a draft may be replaced."
            )
    check_slugs(draft.document, replacing=existing)
    if (
        Consultation.objects.exclude(pk__in=[existing.pk] if existing else [])
        .filter(reference_prefix=main["reference_prefix"])
        .exists()
    ):
        raise PaperError(
            f"The reference prefix “{main['reference_prefix']}” is used by another "
            "consultation: give another with --prefix."
        )
    if existing is not None:
        existing.delete()
    for consultation in draft.document["consultations"]:
        consultation["status"] = Status.DRAFT  # nothing is public until a publisher says so
    import_document(draft.document, user=user, reason=reason)
    return PaperImport.objects.create(
        consultation=Consultation.objects.get(slug=main["slug"]),
        file_name=draft.file_name[:255],
        file_type=draft.file_type,
        imported_by=user,
        warnings=[{"code": w.code, "message": w.message} for w in draft.warnings],
        suggestions=draft.suggestions,
    )


def stage_counts(group):
    return [len(group["outputs"].get(stage.value, [])) for stage in Stage]
