"""Small helpers that build the objects a test needs, with sensible defaults."""

import datetime
import itertools

from insights.models import Consultation, InsightBriefing, Organisation, Part, Status, Theme
from workinggroups.models import Output, Stage, WorkingGroup

_seq = itertools.count(1)


def make_theme(name=None, **kwargs):
    n = next(_seq)
    name = name or f"Theme {n}"
    return Theme.objects.create(
        name=name, slug=kwargs.pop("slug", f"theme-{n}"), description="A theme.", **kwargs
    )


def make_organisation(name=None, **kwargs):
    n = next(_seq)
    name = name or f"Organisation {n}"
    return Organisation.objects.create(name=name, slug=kwargs.pop("slug", f"org-{n}"), **kwargs)


def make_consultation(**kwargs):
    n = next(_seq)
    defaults = {
        "title": f"Consultation {n}",
        "slug": f"consultation-{n}",
        "reference_prefix": f"T{n}",
        "status": Status.PUBLISHED,
        "start_date": datetime.date(2025, 1, 1),
    }
    return Consultation.objects.create(**{**defaults, **kwargs})


def make_part(consultation=None, **kwargs):
    consultation = consultation or make_consultation()
    number = kwargs.pop("number", consultation.parts.count() + 1)
    return Part.objects.create(
        consultation=consultation, number=number, title=kwargs.pop("title", "A part"), **kwargs
    )


def make_group(part=None, themes=(), **kwargs):
    part = part or make_part()
    n = next(_seq)
    group = WorkingGroup.objects.create(
        part=part,
        number=kwargs.pop("number", part.working_groups.count() + 1),
        title=kwargs.pop("title", f"Group {n}"),
        slug=kwargs.pop("slug", f"group-{n}"),
        **kwargs,
    )
    group.themes.set(themes or [make_theme()])
    return group


def make_output(group=None, stage=Stage.WORKED_WELL, themes=(), partners=(), tags=(), **kwargs):
    group = group or make_group()
    order = kwargs.pop("order", group.outputs.filter(stage=stage).count() + 1)
    output = Output.objects.create(
        working_group=group, stage=stage, order=order, text=kwargs.pop("text", "Do it."), **kwargs
    )
    output.themes.set(themes or [make_theme()])
    output.partners.set(partners)
    output.tags.set(list(tags))
    return output


def make_briefing(part=None, presenters=(), themes=(), **kwargs):
    part = part or make_part()
    n = next(_seq)
    briefing = InsightBriefing.objects.create(
        part=part,
        order=kwargs.pop("order", n),
        title=kwargs.pop("title", f"Briefing {n}"),
        slug=kwargs.pop("slug", f"briefing-{n}"),
        body=kwargs.pop("body", "A paragraph."),
        **kwargs,
    )
    briefing.presenters.set(presenters or [make_organisation()])
    briefing.themes.set(themes or [make_theme()])
    return briefing


def finder_matches(response):
    """Every action a finder response lists over all its pages, in order: its
    paginator holds a query, or under filters the matches' ids in order."""
    matches = response.context["page"].paginator.object_list
    if hasattr(matches, "query"):
        return list(matches)
    ids = [int(pk) for pk in matches]
    found = Output.objects.in_bulk(ids)
    return [found[pk] for pk in ids]
