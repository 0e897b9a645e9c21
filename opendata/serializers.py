"""What the API says about each thing. Every field carries help text: the schema,
the API docs page and the open-data page's data dictionary are all read from it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from taggit.models import Tag

from insights.models import Consultation, InsightBriefing, Organisation, Sector, Theme
from progress.models import Role, Status
from recurring.models import RecurringFinding
from workinggroups.models import Output, Stage, WorkingGroup


class AbsoluteUrlField(serializers.Field):
    """The object's page on the site, as an absolute URL."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


extend_schema_field({"type": "string", "format": "uri"})(AbsoluteUrlField)


class NamedSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text=_("Stable identifier, used in filters and URLs."))
    name = serializers.CharField(help_text=_("Display name."))


class PartnerRefSerializer(NamedSerializer):
    sector = serializers.ChoiceField(
        choices=Sector.choices,
        help_text=_("public, private, third_sector, academic or partnership."),
    )


class ByNameListSerializer(serializers.ListSerializer):
    """Tags have no order of their own; sort them so the output is stable."""

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        return super().to_representation(sorted(items, key=lambda tag: tag.name.lower()))


class TagRefSerializer(serializers.Serializer):
    class Meta:
        list_serializer_class = ByNameListSerializer

    slug = serializers.SlugField(help_text=_("Stable identifier, used in filters and URLs."))
    name = serializers.CharField(help_text=_("The keyword as written."))


class ConsultationRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text=_("The consultation's identifier."))
    title = serializers.CharField(help_text=_("The consultation's title."))


class PartRefSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("The part's number within its consultation."))
    title = serializers.CharField(help_text=_("The part's title."))


class WorkingGroupRefSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("The group's number within its part."))
    title = serializers.CharField(help_text=_("The group's title."))
    slug = serializers.SlugField(help_text=_("The group's identifier."))
    url = AbsoluteUrlField(help_text=_("The group's page on the site."))


class EvidenceSerializer(serializers.Serializer):
    title = serializers.CharField(help_text=_("What the link shows."))
    url = serializers.URLField(help_text=_("Where the evidence is published."))


class UpdateSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("The day the progress was reported (ISO 8601)."))
    text = serializers.CharField(help_text=_("What happened (Markdown)."))
    status = serializers.ChoiceField(
        choices=Status.choices,
        allow_blank=True,
        help_text=_(
            "The status it reports: planned, in_progress, done, paused, withdrawn, or empty."
        ),
    )
    progress = serializers.IntegerField(
        allow_null=True, help_text=_("The progress it reports, per cent, or null.")
    )
    evidence = EvidenceSerializer(many=True, source="evidence.all", help_text=_("Evidence links."))


class ActionRefSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text=_("The action's citable reference."))
    url = AbsoluteUrlField(help_text=_("The action's page on the site."))


class CommitmentSerializer(serializers.Serializer):
    action = ActionRefSerializer(help_text=_("The action committed to."))
    organisation = NamedSerializer(help_text=_("The organisation that committed."))
    role = serializers.ChoiceField(choices=Role.choices, help_text=_("lead or supporting."))
    status = serializers.ChoiceField(
        choices=Status.choices,
        help_text=_("planned, in_progress, done, paused or withdrawn."),
    )
    progress = serializers.IntegerField(
        source="current_progress",
        help_text=_(
            "Per cent, 0 to 100: as recorded, else 0 while planned, 100 when done, "
            "else the latest update's."
        ),
    )
    started = serializers.DateField(allow_null=True, help_text=_("Start date, or null."))
    due = serializers.DateField(allow_null=True, help_text=_("Due date, or null."))
    overdue = serializers.BooleanField(
        help_text=_("Due before today (Europe/London) and neither done nor withdrawn.")
    )
    summary = serializers.CharField(help_text=_("What the organisation will do (Markdown)."))
    url = AbsoluteUrlField(help_text=_("The commitment on its action's page."))
    updates = UpdateSerializer(
        many=True, source="published_updates", help_text=_("Its updates, newest first.")
    )


class OutputSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField(help_text=_("The action's page on the site."))
    reference = serializers.CharField(
        help_text=_("Citable reference, e.g. SGH24-P1-WG3-PS-02; it never changes.")
    )
    text = serializers.CharField(help_text=_("The action as written, verbatim (Markdown)."))
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        help_text=_("worked_well, changes_needed, practical_steps or collaboration."),
    )
    stage_label = serializers.CharField(
        source="get_stage_display", help_text=_("The stage in words, as the paper asks it.")
    )
    order = serializers.IntegerField(help_text=_("Position within its stage, from 1."))
    working_group = WorkingGroupRefSerializer(help_text=_("The working group it came from."))
    part = PartRefSerializer(source="working_group.part", help_text=_("The consultation part."))
    consultation = ConsultationRefSerializer(
        source="working_group.part.consultation", help_text=_("The consultation.")
    )
    themes = NamedSerializer(many=True, help_text=_("The broad themes it belongs to."))
    tags = TagRefSerializer(many=True, help_text=_("Specific keywords."))
    partners = PartnerRefSerializer(many=True, help_text=_("Organisations the action names."))

    class Meta:
        model = Output
        fields = [
            "id",
            "reference",
            "url",
            "text",
            "stage",
            "stage_label",
            "order",
            "working_group",
            "part",
            "consultation",
            "themes",
            "tags",
            "partners",
        ]
        extra_kwargs = {"id": {"help_text": _("Internal number; prefer the reference.")}}

    def to_representation(self, instance):
        """What the fields above say, built directly: on a page of 25 actions DRF's
        field-by-field machinery cost more than every query of the page. The
        fields stay the schema; a test checks that both give the same."""
        absolute = self.context["request"].build_absolute_uri
        group = instance.working_group
        part = group.part
        consultation = part.consultation
        tags = sorted(instance.tag_list, key=lambda tag: tag.name.lower())
        return {
            "id": instance.id,
            "reference": instance.reference,
            "url": absolute(instance.get_absolute_url()),
            "text": instance.text,
            "stage": instance.stage,
            "stage_label": str(instance.get_stage_display()),
            "order": instance.order,
            "working_group": {
                "number": group.number,
                "title": group.title,
                "slug": group.slug,
                "url": absolute(group.get_absolute_url()),
            },
            "part": {"number": part.number, "title": part.title},
            "consultation": {"slug": consultation.slug, "title": consultation.title},
            "themes": [{"slug": t.slug, "name": t.name} for t in instance.theme_list],
            "tags": [{"slug": t.slug, "name": t.name} for t in tags],
            "partners": [
                {"slug": p.slug, "name": p.name, "sector": p.sector} for p in instance.partner_list
            ],
        }


class OutputDetailSerializer(OutputSerializer):
    commitments = CommitmentSerializer(
        many=True, source="public_commitments", help_text=_("Who committed to take it forward.")
    )
    recurring_findings = serializers.SerializerMethodField(
        help_text=_("Slugs of the published recurring findings it belongs to.")
    )

    class Meta(OutputSerializer.Meta):
        fields = [*OutputSerializer.Meta.fields, "commitments", "recurring_findings"]

    def get_recurring_findings(self, output) -> list[str]:
        return [finding.slug for finding in output.public_findings]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["commitments"] = self.fields["commitments"].to_representation(
            instance.public_commitments
        )
        data["recurring_findings"] = self.get_recurring_findings(instance)
        return data


class KeyThemeSerializer(serializers.Serializer):
    title = serializers.CharField(help_text=_("The finding's lead-in."))
    text = serializers.CharField(help_text=_("What the discussion said about it (Markdown)."))


class PartSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("The part's number within its consultation."))
    slug = serializers.SlugField(help_text=_("The part's identifier, used in the part filter."))
    title = serializers.CharField(help_text=_("The part's title."))
    introduction = serializers.CharField(help_text=_("Markdown."))


class ConsultationSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField(help_text=_("The consultation's page on the site."))
    export_url = serializers.SerializerMethodField(
        help_text=_("The whole consultation as one content document (JSON).")
    )
    organisers = PartnerRefSerializer(many=True, help_text=_("Organisations that held it."))
    themes = NamedSerializer(many=True, help_text=_("Themes it addresses."))

    class Meta:
        model = Consultation
        fields = [
            "slug",
            "reference_prefix",
            "title",
            "subtitle",
            "url",
            "export_url",
            "status",
            "start_date",
            "end_date",
            "date_precision",
            "venue",
            "organisers",
            "participants",
            "source_title",
            "source_url",
            "themes",
        ]
        extra_kwargs = {
            "slug": {"help_text": _("The consultation's identifier.")},
            "title": {"help_text": _("Title.")},
            "subtitle": {"help_text": _("Subtitle, may be empty.")},
            "status": {"help_text": _("published, or archived for superseded content.")},
            "start_date": {"help_text": _("First day (ISO 8601).")},
            "end_date": {"help_text": _("Last day (ISO 8601), or null.")},
            "date_precision": {"help_text": _("day, or month when only the month is known.")},
            "venue": {"help_text": _("Where it was held.")},
            "participants": {"help_text": _("How many took part, or null if unknown.")},
            "source_title": {"help_text": _("The published document it comes from.")},
            "source_url": {"help_text": _("Where that document is published, may be empty.")},
        }

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_export_url(self, obj):
        return self.context["request"].build_absolute_uri(
            reverse("opendata:consultation-export", args=[obj.slug])
        )


class ConsultationDetailSerializer(ConsultationSerializer):
    key_themes = KeyThemeSerializer(many=True, help_text=_("Headline findings told as prose."))
    parts = PartSerializer(many=True, help_text=_("The consultation's parts, in order."))

    class Meta(ConsultationSerializer.Meta):
        fields = [
            *ConsultationSerializer.Meta.fields,
            "introduction",
            "conclusion",
            "key_themes",
            "parts",
        ]
        extra_kwargs = {
            **ConsultationSerializer.Meta.extra_kwargs,
            "introduction": {"help_text": _("Markdown.")},
            "conclusion": {"help_text": _("Markdown, may be empty.")},
        }


class BriefingSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField(help_text=_("The briefing's page on the site."))
    reference = serializers.CharField(help_text=_("Citable reference, e.g. SGH24-P1-IB2."))
    part = PartRefSerializer(help_text=_("The consultation part."))
    consultation = ConsultationRefSerializer(
        source="part.consultation", help_text=_("The consultation.")
    )
    presenters = PartnerRefSerializer(many=True, help_text=_("Who gave the briefing."))
    partners = PartnerRefSerializer(many=True, help_text=_("Other organisations it names."))
    themes = NamedSerializer(many=True, help_text=_("The broad themes it belongs to."))
    tags = TagRefSerializer(many=True, help_text=_("Specific keywords."))

    class Meta:
        model = InsightBriefing
        fields = [
            "slug",
            "reference",
            "title",
            "url",
            "order",
            "part",
            "consultation",
            "presenters",
            "partners",
            "body",
            "themes",
            "tags",
        ]
        extra_kwargs = {
            "slug": {"help_text": _("The briefing's identifier.")},
            "title": {"help_text": _("Title.")},
            "order": {"help_text": _("Position within its part, from 1.")},
            "body": {"help_text": _("The briefing's text (Markdown).")},
        }


class StageCountsSerializer(serializers.Serializer):
    worked_well = serializers.IntegerField(source="worked_well_count")
    changes_needed = serializers.IntegerField(source="changes_needed_count")
    practical_steps = serializers.IntegerField(source="practical_steps_count")
    collaboration = serializers.IntegerField(source="collaboration_count")


class WorkingGroupSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField(help_text=_("The group's page on the site."))
    reference = serializers.CharField(help_text=_("Citable reference, e.g. SGH24-P1-WG3."))
    part = PartRefSerializer(help_text=_("The consultation part."))
    consultation = ConsultationRefSerializer(
        source="part.consultation", help_text=_("The consultation.")
    )
    themes = NamedSerializer(many=True, help_text=_("The broad themes it belongs to."))
    tags = TagRefSerializer(many=True, help_text=_("Specific keywords."))
    output_count = serializers.IntegerField(help_text=_("How many actions it produced."))
    stage_counts = StageCountsSerializer(
        source="*", help_text=_("How many actions under each of the four stages.")
    )
    actions_url = serializers.SerializerMethodField(help_text=_("Its actions in the API."))

    class Meta:
        model = WorkingGroup
        fields = [
            "slug",
            "reference",
            "number",
            "title",
            "url",
            "question",
            "summary",
            "part",
            "consultation",
            "themes",
            "tags",
            "output_count",
            "stage_counts",
            "actions_url",
        ]
        extra_kwargs = {
            "slug": {"help_text": _("The group's identifier, used in the working_group filter.")},
            "number": {"help_text": _("The group's number within its part.")},
            "title": {"help_text": _("Title.")},
            "question": {"help_text": _("The question it was asked to answer.")},
            "summary": {"help_text": _("Findings told as prose (Markdown), may be empty.")},
        }

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_actions_url(self, obj):
        url = reverse("opendata:action-list") + f"?working_group={obj.slug}"
        return self.context["request"].build_absolute_uri(url)


class PartnerSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField(help_text=_("The organisation's page on the site."))
    aliases = serializers.ListField(
        child=serializers.CharField(),
        source="alias_list",
        help_text=_("Other names the organisation goes by in the text."),
    )
    output_count = serializers.IntegerField(help_text=_("Published actions that name it."))

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "short_name",
            "aliases",
            "sector",
            "website",
            "description",
            "url",
            "output_count",
        ]
        extra_kwargs = {
            "slug": {"help_text": _("The organisation's identifier, used in the partner filter.")},
            "name": {"help_text": _("Full name.")},
            "short_name": {"help_text": _("Acronym or short form, may be empty.")},
            "sector": {"help_text": _("public, private, third_sector, academic or partnership.")},
            "website": {"help_text": _("May be empty.")},
            "description": {"help_text": _("Markdown, may be empty.")},
        }


class ThemeSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField(help_text=_("The theme's page on the site."))
    output_count = serializers.IntegerField(help_text=_("Published actions under it."))

    class Meta:
        model = Theme
        fields = ["slug", "name", "description", "order", "url", "output_count"]
        extra_kwargs = {
            "slug": {"help_text": _("The theme's identifier, used in the theme filter.")},
            "name": {"help_text": _("Name.")},
            "description": {"help_text": _("What belongs here.")},
            "order": {"help_text": _("Display order.")},
        }


class TagSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("The tag's page on the site."))
    output_count = serializers.IntegerField(help_text=_("Published actions carrying it."))

    class Meta:
        model = Tag
        fields = ["slug", "name", "url", "output_count"]
        extra_kwargs = {
            "slug": {"help_text": _("The tag's identifier, used in the tag filter.")},
            "name": {"help_text": _("The keyword as written.")},
        }

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, obj):
        return self.context["request"].build_absolute_uri(reverse("browse:tag", args=[obj.slug]))


class RecurringFindingSerializer(serializers.ModelSerializer):
    """A point raised by several working groups, as its page shows it: only its
    public members count."""

    slug = serializers.SlugField(
        help_text=_("The finding's identifier, used in the recurring filter.")
    )
    title = serializers.CharField(help_text=_("The shared point, in the paper's words."))
    summary = serializers.CharField(
        help_text=_("One paragraph in the paper's own terms (Markdown).")
    )
    url = AbsoluteUrlField(help_text=_("The finding's page on the site."))
    actions = serializers.SerializerMethodField(help_text=_("References of its member actions."))
    working_groups = serializers.SerializerMethodField(
        help_text=_("Slugs of the working groups that raised it, first raised first.")
    )
    consultations = serializers.SerializerMethodField(
        help_text=_("Slugs of the consultations those groups belong to, earliest first.")
    )
    first_raised = serializers.DateField(
        read_only=True, help_text=_("When it was first raised: its earliest consultation's date.")
    )
    group_count = serializers.IntegerField(
        read_only=True, help_text=_("How many working groups raised it.")
    )

    class Meta:
        model = RecurringFinding
        fields = [
            "slug", "title", "summary", "url", "actions", "working_groups", "consultations",
            "first_raised", "group_count",
        ]  # fmt: skip

    def get_actions(self, finding) -> list[str]:
        return [action.reference for raised in finding.timeline() for action in raised.actions]

    def get_working_groups(self, finding) -> list[str]:
        return [raised.group.slug for raised in finding.timeline()]

    def get_consultations(self, finding) -> list[str]:
        return [consultation.slug for consultation in finding.consultations()]


class SimilarGroupSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text=_("The group's identifier."))
    title = serializers.CharField(help_text=_("The group's title."))


class SimilarActionSerializer(serializers.Serializer):
    reference = serializers.CharField(source="similar.reference", help_text=_("Its reference."))
    text = serializers.CharField(source="similar.text", help_text=_("Its text, verbatim."))
    url = serializers.SerializerMethodField(help_text=_("Its page on the site."))
    working_group = SimilarGroupSerializer(
        source="similar.working_group", help_text=_("The other working group it came from.")
    )
    score = serializers.FloatField(
        help_text=_("Computed similarity of the two texts, 0 to 1: higher is closer.")
    )

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, link) -> str:
        return self.context["request"].build_absolute_uri(link.similar.get_absolute_url())
