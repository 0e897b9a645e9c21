from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentVersion(models.Model):
    """One row whose token changes whenever any published content may have changed.

    Cached pages and counts are keyed by the token (`web.caching`), so an edit
    makes every cached copy unreachable at once, in every process. A random
    token rather than a counter: a rolled-back transaction or a restored
    database can never bring back a token whose cached pages are stale.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("content version")
        # Created by insights' migration 0003, before this app held it.
        db_table = "insights_contentversion"

    def __str__(self) -> str:
        return self.token


class KeptCount(models.Model):
    """Counts over published content, stored with the content version they were
    computed for (`web.kept`): a reader that finds its row for the current version
    reads it instead of counting, the first reader after an edit counts afresh.

    Only what depends on the published content alone is kept (the finder's counts
    with no filter in force, the home page's and the tracker's), so there is one
    row per kind of count, replaced in place; a row of an older version is never
    read.
    """

    key = models.CharField(max_length=200, primary_key=True)
    version = models.CharField(max_length=32)
    value = models.JSONField(encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("kept count")

    def __str__(self) -> str:
        return self.key
