"""Keep each output's stored paper position and visibility right when what they
derive from changes: a consultation re-dated, published or withdrawn, a part or
group renumbered, moved, held back or published."""

from django.db.models.signals import post_save
from django.dispatch import Signal

from insights.models import Consultation, Part
from workinggroups.models import Output, WorkingGroup

# Sent by a bulk write of outputs (the spreadsheet import), which sends no
# post_save or m2m_changed, with the written outputs' `pks`.
written = Signal()

PATHS = {
    Consultation: "working_group__part__consultation",
    Part: "working_group__part",
    WorkingGroup: "working_group",
}


def refresh_derived_fields(sender, instance, created, raw=False, **kwargs) -> None:
    # A new container has no outputs yet; loaddata restores stored positions
    # (restore_content refreshes them all afterwards).
    if not created and not raw:
        Output.objects.filter(**{PATHS[sender]: instance}).refresh_derived_fields()


def connect() -> None:
    for model in PATHS:
        post_save.connect(
            refresh_derived_fields, sender=model, dispatch_uid=f"output-derived-{model.__name__}"
        )
