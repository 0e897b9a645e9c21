from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from insights.models import Consultation


class PaperImport(models.Model):
    """A paper imported as a draft consultation, with what the importer could not
    be sure of: its warnings, and the themes and tags it suggested for review."""

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="paper_imports",
        help_text=_("The draft the paper became (empty if it has since been deleted)."),
    )
    file_name = models.CharField(max_length=255)
    file_type = models.CharField(max_length=10, help_text=_("text, docx or pdf"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="paper_imports",
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    warnings = models.JSONField(default=list, blank=True)
    suggestions = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "Themes and tags the importer suggested for each item. They are on the draft "
            "already: check them before the consultation is published."
        ),
    )
    suggestions_reviewed = models.BooleanField(
        default=False,
        help_text=_("Tick once an editor has checked the suggested themes and tags."),
    )

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("imported paper")

    def __str__(self):
        return self.file_name
