"""Only publishers put content live or take it down.

Content is on the site when the consultation it belongs to is published or
archived. Editors may change what is there, but every step that puts an item
live (adding it under a public consultation, moving it into one, restoring a
deleted one) or takes it down (deleting it, moving it out) needs the publish
permission. The admin's forms, inlines, bulk moves and the spreadsheet import
ask `crosses()` and `is_live()`.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from insights.models import PUBLIC_STATUSES, Consultation, Status

PUBLISH_PERMISSION = "insights.publish_consultation"

# The field that leads from each content model to the one it sits under.
PARENT_FIELDS = ("consultation", "part", "working_group", "action", "commitment", "update")

ADDING_LIVE = _(
    "Only publishers can add content to a published consultation or move content into "
    "one. Add it to a consultation that is not published, or ask a publisher."
)
TAKING_DOWN = _(
    "Only publishers can take content off the site, and moving it out of a published "
    "consultation does. Ask a publisher."
)


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def consultation_of(obj) -> Consultation | None:
    """The consultation `obj` sits under (itself for a consultation), or None while
    its place is not set."""
    while not isinstance(obj, Consultation):
        name = next((name for name in PARENT_FIELDS if hasattr(type(obj), name)), None)
        if name is None:
            return None
        try:
            obj = getattr(obj, name)
        except ObjectDoesNotExist:
            return None
        if obj is None:
            return None
    return obj


def is_live(obj) -> bool:
    """Whether `obj` is on the site: under a published or archived consultation."""
    consultation = consultation_of(obj)
    return consultation is not None and consultation.status in PUBLIC_STATUSES


def was_live(obj) -> bool:
    """Whether `obj` as stored (not as edited) is on the site; False if it is new."""
    if obj.pk is None:
        return False
    stored = type(obj)._base_manager.filter(pk=obj.pk).first()
    return stored is not None and is_live(stored)


def crosses(obj) -> str:
    """Why `obj`, as edited, needs a publisher ("" when it does not): it goes live
    or comes off the site."""
    before, after = was_live(obj), is_live(obj)
    if after and not before:
        return str(ADDING_LIVE)
    if before and not after:
        return str(TAKING_DOWN)
    return ""


class PublishersForm:
    """Mixed into an admin form for users without the publish permission: refuses a
    save that would put the item live or take it down."""

    def _post_clean(self):
        super()._post_clean()
        reason = crosses(self.instance)
        if reason:
            self.add_error(None, reason)


class PublishersOnlyAdmin:
    """For the admin of a content model: editors may not add an item under a public
    consultation, move one across, or delete one that is live."""

    def is_live(self, obj) -> bool:
        return is_live(obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_publish(request.user) and self.is_live(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if can_publish(request.user):
            return form
        return type(form.__name__, (PublishersForm, form), {})


class PublishersOnlyInline:
    """For an inline, which is asked with its parent: under a live parent editors
    are offered neither new rows nor the delete box."""

    def has_add_permission(self, request, obj=None):
        if obj is not None and not can_publish(request.user) and is_live(obj):
            return False
        return super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_publish(request.user) and is_live(obj):
            return False
        return super().has_delete_permission(request, obj)


class ListOnlyInline:
    """An inline that lists children with links to their own forms: its few columns
    cannot make a valid new child (a slug, themes, presenters are needed)."""

    def has_add_permission(self, request, obj=None):
        return False


class StatusForm:
    """For the form of a model with a publishing `status` (consultations, recurring
    findings): editors move it between draft and review; publishing, unpublishing
    and archiving need `can_publish`, which `StatusAdmin.get_form()` sets."""

    can_publish = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.can_publish and "status" in self.fields:
            self.fields["status"].choices = [
                (value, label) for value, label in Status.choices if value not in PUBLIC_STATUSES
            ]

    def clean_status(self):
        status = self.cleaned_data["status"]
        model = self._meta.model
        # Compare with the stored status, not the form's: a restored old version may differ.
        stored = model.objects.filter(pk=self.instance.pk).values_list("status", flat=True)
        before = stored.first() or Status.DRAFT
        crosses = status in PUBLIC_STATUSES or before in PUBLIC_STATUSES
        if status != before and crosses and not self.can_publish:
            raise ValidationError(
                _("Only publishers can publish, unpublish or archive a %(name)s."),
                code="publish",
                params={"name": model._meta.verbose_name},
            )
        return status


class StatusAdmin:
    """For the admin of a model with a publishing `status`: the bulk actions marked
    `permissions=["publish"]`, a public item's status and deleting public items are
    for holders of `publish_permission` (the Publishers group)."""

    publish_permission: str

    def has_publish_permission(self, request):
        return request.user.has_perm(self.publish_permission)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"can_publish": self.has_publish_permission(request)})

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # A public item's status is the publishers' to change.
        if obj is not None and obj.is_public and not self.has_publish_permission(request):
            readonly.append("status")
        return readonly

    def has_delete_permission(self, request, obj=None):
        # Deleting takes content off the site, which is the publishers' call.
        if not self.has_publish_permission(request) and (obj is None or obj.is_public):
            return False
        return super().has_delete_permission(request, obj)
