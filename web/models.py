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
