"""Keep each output's stored paper position and visibility right when what they
derive from changes."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from insights.models import Consultation, Part
from workinggroups.models import Output, WorkingGroup

PATHS = {
    Consultation: "working_group__part__consultation",
    Part: "working_group__part",
    WorkingGroup: "working_group",
}


@receiver(post_save, sender=Consultation, dispatch_uid="output-derived-consultation")
@receiver(post_save, sender=Part, dispatch_uid="output-derived-part")
@receiver(post_save, sender=WorkingGroup, dispatch_uid="output-derived-group")
def refresh_derived_fields(sender, instance, created, raw=False, **kwargs):
    # A new container has no outputs yet; loaddata restores stored positions
    # (restore_content refreshes them all afterwards).
    if not created and not raw:
        Output.objects.filter(**{PATHS[sender]: instance}).refresh_derived_fields()
