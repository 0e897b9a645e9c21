"""The progress blocks of pages in the apps below this one (the consultation,
working-group and action pages): template tags, so those apps' views need not
import progress. Each runs a fixed number of queries."""

from django import template

from progress.blocks import rollup
from progress.models import Commitment
from workinggroups.models import Output

register = template.Library()


@register.inclusion_tag("progress/_rollup.html")
def consultation_rollup(consultation):
    outputs = Output.objects.filter(working_group__part__consultation=consultation)
    return {"rollup": rollup(outputs), "tracker_query": f"consultation={consultation.slug}"}


@register.inclusion_tag("progress/_rollup.html")
def group_rollup(group):
    outputs = Output.objects.filter(working_group=group)
    return {"rollup": rollup(outputs), "tracker_query": f"working_group={group.slug}"}


@register.inclusion_tag("progress/_commitments.html")
def action_commitments(output):
    """Who is acting on `output`: its commitments with their updates and evidence."""
    commitments = Commitment.objects.for_list().with_updates().filter(action=output)
    return {
        "output": output,
        "commitments": list(commitments.order_by("role", "organisation__name")),
    }
