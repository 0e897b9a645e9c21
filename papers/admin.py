import json

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from papers.models import PaperImport
from papers.parsing import NoStructure
from papers.readers import ReadError
from papers.services import Draft, PaperError, load, prepare, stage_counts
from workinggroups.models import Stage

ADD_CONSULTATION = "insights.add_consultation"
SIGNING_SALT = "papers.upload"
MAX_UPLOAD = 20 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Paper"),
        help_text=_("Markdown or plain text, a Word file (.docx) or a PDF."),
    )
    slug = forms.SlugField(
        required=False, help_text=_("Leave empty to take it from the title and year.")
    )
    # A field, not the form's own `prefix` attribute (the metaclass takes it out).
    prefix = forms.CharField(  # type: ignore[assignment]
        max_length=20, required=False, help_text=_("Reference prefix, e.g. SGH25; optional.")
    )
    replace_draft = forms.BooleanField(
        required=False, help_text=_("Replace a draft consultation that has the same slug.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


def tree(document):
    """What the preview shows: each consultation's parts, briefings and groups."""
    return [
        {
            "title": c["title"],
            "slug": c["slug"],
            "key_themes": len(c["key_themes"]),
            "parts": [
                {
                    "number": part["number"],
                    "title": part["title"],
                    "briefings": part["briefings"],
                    "groups": [
                        {**group, "counts": stage_counts(group), "total": sum(stage_counts(group))}
                        for group in part["working_groups"]
                    ],
                }
                for part in c["parts"]
            ],
        }
        for c in document["consultations"]
    ]


@admin.register(PaperImport)
class PaperImportAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "consultation",
        "imported_at",
        "imported_by",
        "suggestions_reviewed",
    ]
    list_filter = ["suggestions_reviewed", "file_type"]
    list_select_related = ["consultation", "imported_by"]
    fields = [
        "file_name",
        "file_type",
        "consultation",
        "imported_by",
        "imported_at",
        "warning_list",
        "suggestion_list",
        "suggestions_reviewed",
    ]
    readonly_fields = [str(f) for f in fields if f != "suggestions_reviewed"]
    change_list_template = "admin/papers/paperimport/change_list.html"

    def has_add_permission(self, request):
        return False  # a paper is imported through the upload page

    @admin.display(description=_("Warnings"))
    def warning_list(self, record):
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", (
            (w["message"],) for w in record.warnings
        )))  # fmt: skip

    @admin.display(description=_("Suggested themes and tags"))
    def suggestion_list(self, record):
        rows = (
            (s["kind"], s["item"], ", ".join(s["themes"]) or "—", ", ".join(s["tags"]) or "—")
            for s in record.suggestions
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("Kind"), _("Item"), _("Themes"), _("Tags"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )  # fmt: skip

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="papers_paperimport_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a paper → its preview → confirm → the draft."""
        if not request.user.has_perm(ADD_CONSULTATION):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a paper"),
            "opts": self.model._meta,
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self.confirm(request, context)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                draft = prepare(
                    data["file"].read(), data["file"].name, slug=data["slug"], prefix=data["prefix"]
                )
            except (ReadError, NoStructure) as error:
                form.add_error("file", str(error))
            else:
                return self.preview(request, context, draft, data["replace_draft"])
        return TemplateResponse(request, "admin/papers/upload.html", {**context, "form": form})

    def preview(self, request, context, draft, replace_draft):
        stages = list(Stage)
        context |= {
            "draft": draft,
            "tree": tree(draft.document),
            "stages": stages,
            "warnings": draft.warnings,
            "replace_draft": replace_draft,
            "signed": signing.dumps(draft.to_dict(), salt=SIGNING_SALT, compress=True),
            "document_json": json.dumps(draft.document, ensure_ascii=False, indent=2),
        }
        return TemplateResponse(request, "admin/papers/preview.html", context)

    def confirm(self, request, context):
        try:
            draft = Draft.from_dict(
                signing.loads(request.POST.get("signed", ""), salt=SIGNING_SALT, max_age=3600)
            )
        except signing.BadSignature:
            messages.error(request, _("The preview has expired: upload the paper again."))
            return redirect("admin:papers_paperimport_upload")
        try:
            record = load(draft, user=request.user, replace_draft="replace_draft" in request.POST)
        except PaperError as error:
            messages.error(request, str(error))
            return redirect("admin:papers_paperimport_upload")
        consultation = record.consultation
        messages.success(
            request,
            format_html(
                'Imported “{}” as a draft. <a href="{}">Review it</a>, or '
                '<a href="{}">preview it on the site</a>; the themes and tags it suggests are '
                'listed under <a href="{}">its import</a>.',
                consultation.title,
                reverse("admin:insights_consultation_change", args=[consultation.pk]),
                consultation.get_absolute_url(),
                reverse("admin:papers_paperimport_change", args=[record.pk]),
            ),
        )
        return redirect("admin:insights_consultation_change", consultation.pk)
