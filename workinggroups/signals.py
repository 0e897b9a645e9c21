"""Keep each output's stored paper position right when what it derives from changes."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from insights.models import Consultation, Part
from workinggroups.models import Output, WorkingGroup

PATHS = {
    Consultation: "working_group__part__consultation",
    Part: "working_group__part",
    WorkingGroup: "working_group",
}


@receiver(post_save, sender=Consultation, dispatch_uid="paper-position-consultation")
@receiver(post_save, sender=Part, dispatch_uid="paper-position-part")
@receiver(post_save, sender=WorkingGroup, dispatch_uid="paper-position-group")
def refresh_paper_positions(sender, instance, created, raw=False, **kwargs):
    # A new container has no outputs yet; loaddata restores stored positions
    # (restore_content refreshes them all afterwards).
    if not created and not raw:
        Output.objects.filter(**{PATHS[sender]: instance}).refresh_paper_positions()
