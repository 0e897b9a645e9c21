"""Cached pages follow every edit: any save, delete or many-to-many change of a
content model replaces the content version (`web.caching`)."""

from django.core.signals import request_started
from django.db.models.signals import m2m_changed, post_delete, post_save

from web import caching, kept

# Apps whose models' changes can change what a public page shows.
CONTENT_APPS = {"insights", "workinggroups", "progress", "recurring", "taggit", "search"}


def forget_version(**kwargs) -> None:
    """Each request reads the content version and the kept counts afresh."""
    caching.VERSION.set(None)
    kept.forget()


def content_changed(sender, **kwargs) -> None:
    opts = sender._meta
    if opts.app_label in CONTENT_APPS and not opts.model_name.startswith("historical"):
        caching.bump()


def links_changed(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        content_changed(sender)


def connect() -> None:
    request_started.connect(forget_version, dispatch_uid="content-version-per-request")
    post_save.connect(content_changed, dispatch_uid="content-version-save")
    post_delete.connect(content_changed, dispatch_uid="content-version-delete")
    m2m_changed.connect(links_changed, dispatch_uid="content-version-m2m")
