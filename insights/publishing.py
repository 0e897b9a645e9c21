"""Only publishers put content live or take it down.

Content is on the site when the consultation it belongs to is published or
archived and neither it nor what it sits in is held back (`HeldBack.held`).
Editors may change what is there and add to it, but what they add to a
published consultation (a new item, one moved in, a deleted one restored) is
held back until a publisher publishes it; taking content off the site
(deleting it, moving it out) needs the publish permission. The admin's forms,
inlines, bulk moves and the spreadsheet import ask `crosses()` and `is_live()`.
"""

from django.contrib import messages
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
HELD = _(
    "Saved, but not on the site yet: what an editor adds to a published consultation "
    "waits for a publisher to publish it."
)


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def lineage(obj):
    """`obj`, then what it sits in, up to its consultation; stops early where a
    place is not set yet."""
    while obj is not None:
        yield obj
        if isinstance(obj, Consultation):
            return
        name = next((name for name in PARENT_FIELDS if hasattr(type(obj), name)), None)
        if name is None:
            return
        try:
            obj = getattr(obj, name)
        except ObjectDoesNotExist:
            return


def consultation_of(obj) -> Consultation | None:
    """The consultation `obj` sits under (itself for a consultation), or None while
    its place is not set."""
    *_rest, last = lineage(obj)
    return last if isinstance(last, Consultation) else None


def is_live(obj) -> bool:
    """Whether `obj` is on the site: under a published or archived consultation,
    and neither it nor anything it sits in held back for a publisher."""
    for item in lineage(obj):
        if getattr(item, "held", False):
            return False
        if isinstance(item, Consultation):
            return item.status in PUBLIC_STATUSES
    return False


def can_hold(obj) -> bool:
    return hasattr(type(obj), "held")


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


def hold_if_going_live(obj) -> str:
    """For an edit by someone without the publish permission: an item that would go
    live is held back instead. Returns why the edit is refused ("" if it is not):
    it would take the item off the site, or the item cannot be held."""
    reason = crosses(obj)
    if reason == str(ADDING_LIVE) and can_hold(obj):
        obj.held = True
        return ""
    return reason


class PublishersForm:
    """Mixed into an admin form for users without the publish permission: an item
    that would go live is held back for a publisher; a save that would take it
    off the site is refused."""

    def _post_clean(self):
        super()._post_clean()
        reason = hold_if_going_live(self.instance)
        if reason:
            self.add_error(None, reason)


class HeldNotices:
    """Tells an editor, after a save, that what they added waits for a publisher."""

    def _notify_held(self, request, items):
        if can_publish(request.user):
            return
        held = [obj for obj in items if getattr(obj, "held", False) and consultation_is_public(obj)]
        if held:
            self.message_user(request, HELD, messages.WARNING)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._notify_held(request, [obj])

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        self._notify_held(request, [f.instance for f in formset.forms if f.has_changed()])


def consultation_is_public(obj) -> bool:
    consultation = consultation_of(obj)
    return consultation is not None and consultation.is_public


class HoldForPublishers:
    """The hold is the publishers' to change: editors see it read-only."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if can_hold(self.model) and not can_publish(request.user):
            readonly.append("held")
        return readonly


class PublishersOnlyAdmin(HoldForPublishers, HeldNotices):
    """For the admin of a content model: what editors add under a public consultation
    is held back; they may not move an item off the site or delete one that is live.
    Publishers see and change the hold (and publish held items in bulk:
    `insights.bulk.publish_held`)."""

    def is_live(self, obj) -> bool:
        return is_live(obj)

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_publish(request.user) and self.is_live(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if can_publish(request.user):
            return form
        return type(form.__name__, (PublishersForm, form), {})

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [*filters, "held"] if can_hold(self.model) else filters


class PublishersOnlyInline(HoldForPublishers):
    """For an inline, which is asked with its parent: under a live parent, the rows
    editors add are held back for a publisher, and editors are not offered the
    delete box."""

    def get_formset(self, request, obj=None, **kwargs):
        if not can_publish(request.user):
            kwargs["form"] = type(self.form.__name__, (PublishersForm, self.form), {})
        return super().get_formset(request, obj, **kwargs)

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


class StatusAdmin(HeldNotices):
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
