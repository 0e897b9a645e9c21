"""The admin's bulk actions that move outputs, each move kept in the history."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from editorial.bulk import intermediate
from insights.publishing import HELD, TAKING_DOWN, can_publish, is_live
from workinggroups.models import Output, Stage, WorkingGroup


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, label=_("Stage"))


class GroupForm(forms.Form):
    working_group = forms.ModelChoiceField(
        WorkingGroup.objects.select_related("part__consultation"), label=_("Working group")
    )


def _move(output, **target):
    """Move to the end of the target stage; the reference stays, so citations still work."""
    for name, value in target.items():
        if getattr(output, name) == value:
            return False
        setattr(output, name, value)
    last = Output.objects.filter(working_group=output.working_group, stage=output.stage).exclude(
        pk=output.pk
    )
    output.order = (last.aggregate(n=Max("order"))["n"] or 0) + 1


@admin.action(description=_("Move to another stage"), permissions=["change"])
def move_to_stage(modeladmin, request, queryset):
    return intermediate(
        modeladmin, request, queryset, StageForm, title=_("Move to another stage"),
        change=lambda output, data: _move(output, stage=data["stage"]),
        done=_("Moved %(count)d outputs to the stage “%(stage)s”."),
    )  # fmt: skip


@admin.action(description=_("Move to another working group"), permissions=["change"])
def move_to_group(modeladmin, request, queryset):
    form = GroupForm(request.POST)
    publisher = can_publish(request.user)
    applying = "apply" in request.POST and form.is_valid() and not publisher
    # Moving live outputs out of a published consultation takes them down.
    leaving = applying and not is_live(form.cleaned_data["working_group"])
    if leaving and queryset.filter(is_public=True).exists():
        modeladmin.message_user(request, TAKING_DOWN, messages.ERROR)
        return None

    held = []

    def change(output, data):
        moved = _move(output, working_group=data["working_group"])
        # Outputs an editor moves into a published consultation wait for a publisher.
        if moved is not False and not publisher and is_live(output) and not output.is_public:
            output.held = True
            held.append(output)
        return moved

    response = intermediate(
        modeladmin, request, queryset, GroupForm, title=_("Move to another working group"),
        change=change, done=_("Moved %(count)d outputs to %(working_group)s."),
    )  # fmt: skip
    if held:
        modeladmin.message_user(request, HELD, messages.WARNING)
    return response
