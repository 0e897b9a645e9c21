"""The recurring-finding blocks of pages in the apps below this one (the action,
consultation and home pages, and the output's admin page): template tags, so
those apps import nothing of this one. Each runs a fixed number of queries."""

from django import template

from recurring.models import RecurringFinding, RejectedSuggestion, SimilarAction

register = template.Library()

HOME_FINDINGS = 4


@register.inclusion_tag("recurring/_also_raised.html")
def also_raised(output):
    """The published findings `output` is in, each with its other public groups."""
    findings = RecurringFinding.objects.published().filter(actions=output).with_members()
    rows = []
    for finding in findings:
        others = [r for r in finding.timeline() if r.group.pk != output.working_group_id]
        rows.append({"finding": finding, "others": others})
    return {"rows": rows}


@register.inclusion_tag("recurring/_similar.html")
def similar_actions(output):
    links = SimilarAction.objects.for_action(output).select_related(
        "similar__working_group__part__consultation"
    )
    return {"output": output, "links": list(links)}


@register.inclusion_tag("recurring/_finding_list.html")
def consultation_findings(consultation):
    """The published findings that groups of `consultation` belong to."""
    findings = RecurringFinding.objects.published().filter(pk__in=_in_consultation(consultation))
    return {"findings": findings.most_raised(None), "heading": "consultation"}


@register.inclusion_tag("recurring/_finding_list.html")
def home_findings():
    """The published findings raised by the most groups."""
    findings = RecurringFinding.objects.published().most_raised(HOME_FINDINGS)
    return {"findings": findings, "heading": "home"}


def _in_consultation(consultation):
    through = RecurringFinding.actions.through.objects.filter(
        output__working_group__part__consultation=consultation, output__is_public=True
    ).values("recurringfinding_id")
    prose = RecurringFinding.groups.through.objects.filter(
        workinggroup__part__consultation=consultation
    ).values("recurringfinding_id")
    return through.union(prose)


@register.inclusion_tag("admin/recurring/_similar_panel.html", takes_context=True)
def admin_similar_panel(context, output):
    """On an output's change page: its similar actions not yet in its findings nor
    rejected for them, and a form to add them to a finding in one step."""
    request = context["request"]
    allowed = request.user.has_perm("recurring.change_recurringfinding")
    if output is None or not allowed:
        return {"allowed": False}
    findings = list(RecurringFinding.objects.filter(actions=output).prefetch_related("actions"))
    members = {action.pk for finding in findings for action in finding.actions.all()}
    rejected = set(
        RejectedSuggestion.objects.filter(finding__in=findings).values_list("action_id", flat=True)
    )
    links = (
        SimilarAction.objects.filter(action=output)
        .exclude(similar_id__in=members | rejected)
        .select_related("similar__working_group__part")
        .order_by("rank")
    )
    return {
        "allowed": True,
        "output": output,
        "findings": findings,
        "links": list(links),
        "choices": RecurringFinding.objects.order_by("title").only("pk", "title", "status"),
        "can_add": request.user.has_perm("recurring.add_recurringfinding"),
    }
