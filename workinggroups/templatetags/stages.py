from django import template

from workinggroups.models import Stage

register = template.Library()


@register.filter
def stage(value: str) -> Stage | None:
    """A stage's value ("worked_well") as its `Stage`, for `workinggroups/_stage.html`."""
    try:
        return Stage(value)
    except ValueError:
        return None
