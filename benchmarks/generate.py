"""Generate realistic synthetic content at scale, for benchmarks and scale tests.

Everything it creates is marked so it can be told apart from real content:
consultations and organisations have slugs starting with "generated-" and
consultations a reference prefix starting with "GEN". Themes already in the
database are reused. The same seed always gives the same content.
"""

import itertools
import math
import random
import time
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from insights.models import (
    PUBLIC_STATUSES,
    Consultation,
    InsightBriefing,
    Organisation,
    Part,
    Sector,
    Status,
    Theme,
)
from progress.models import Commitment, Evidence, Role, Update
from progress.models import Status as Progress
from web import caching, terminal
from workinggroups.models import Output, Stage, WorkingGroup, paper_position

SLUG_PREFIX = "generated-"
REFERENCE_PREFIX = "GEN"
GROUPS_PER_PART = 4
PARTS_PER_CONSULTATION = 2
BATCH = 2000
# The share of actions some organisation has committed to take forward.
COMMITTED_SHARE = 0.15

THEMES = [
    ("Data sharing and standards", "Sharing data safely and agreeing common standards."),
    ("AI governance and ethics", "Oversight, ethics and assurance of artificial intelligence."),
    ("AI in public services", "Using AI to design and deliver public services."),
    ("Skills and workforce", "Digital skills, training and recruitment."),
    ("Leadership and culture", "How leaders and organisations change the way they work."),
    ("Collaboration and partnership", "Working across organisations and sectors."),
    ("Procurement and markets", "Buying technology and shaping supplier markets."),
    ("Cyber resilience", "Security and resilience of systems and services."),
    ("Net zero and climate", "Decarbonisation and adapting to a changing climate."),
    ("Digital inclusion", "Making sure nobody is left behind."),
    ("Citizen engagement", "Involving residents in decisions and design."),
    ("Devolution and place", "Powers, funding and decisions made locally."),
    ("Measuring impact", "Evidence, evaluation and outcome measures."),
    ("Connected places technology", "Sensors, networks and digital twins in places."),
]

SUBJECTS = [
    "Councils", "Local authorities", "Combined authorities", "Health partners",
    "Suppliers", "Digital leaders", "Central government", "Regional partnerships",
    "Universities", "Community groups", "Housing associations", "Fire and police services",
    "Chief executives", "Data teams", "Town and parish councils", "Integrated care boards",
    "Elected members", "Service designers", "Procurement teams", "Voluntary organisations",
]  # fmt: skip
VERBS = [
    "should share", "need to agree", "could pool", "must publish", "have piloted",
    "are building", "should fund", "need clearer guidance on", "can learn from",
    "should co-design", "have improved", "must measure", "should adopt", "could reuse",
    "need to invest in", "have scaled up", "should champion", "must protect",
]  # fmt: skip
OBJECTS = [
    "open data standards", "procurement frameworks", "digital skills programmes",
    "AI governance boards", "cyber resilience plans", "net zero targets", "shared platforms",
    "sensor networks", "digital twins", "case studies", "data sharing agreements",
    "user research", "broadband infrastructure", "citizen panels",
    "ethical frameworks for generative AI", "common data models", "outcome measures",
    "apprenticeships in data science", "low-code tools", "shared cyber security operations",
    "climate adaptation plans", "smart street lighting", "predictive analytics",
    "assistive technology", "place-based budgets",
]  # fmt: skip
PURPOSES = [
    "to improve outcomes for residents", "so that services join up around people",
    "across the whole place", "before scaling up", "with clear accountability",
    "within existing budgets", "to reduce duplication", "in partnership with the third sector",
    "to build public trust", "over the next two years", "with the support of central government",
    "using plain English", "so that small suppliers can compete", "to tackle digital exclusion",
    "alongside frontline staff", "and report progress openly",
]  # fmt: skip
ADJECTIVES = [
    "open", "shared", "digital", "local", "regional", "responsible", "secure", "inclusive",
    "green", "smart", "connected", "ethical", "resilient", "agile", "national", "public",
    "generative", "predictive", "assistive", "rural", "urban", "collaborative", "trusted",
    "sustainable", "citizen", "community", "cloud", "legacy", "low-code", "frontline",
]  # fmt: skip
NOUNS = [
    "data", "standards", "procurement", "skills", "leadership", "platforms", "sensors",
    "networks", "services", "infrastructure", "budgets", "governance", "analytics", "identity",
    "connectivity", "housing", "transport", "health", "care", "energy", "waste", "libraries",
    "schools", "planning", "records", "payments", "assurance", "innovation", "partnerships",
    "research", "design", "automation", "apprenticeships", "security", "engagement",
    "inclusion", "devolution", "regulation", "markets", "evaluation",
]  # fmt: skip
PLACES_A = [
    "North", "South", "East", "West", "Upper", "Lower", "Great", "Little", "New", "Old",
    "Kings", "Queens", "Bishops", "Market", "Long", "High", "Broad", "Castle", "Abbey", "Church",
]  # fmt: skip
PLACES_B = [
    "bridge", "field", "ford", "ham", "ton", "wick", "worth", "borough", "chester", "dale",
    "minster", "stead", "moor", "brook", "well", "combe", "haven", "mouth", "shire", "gate",
]  # fmt: skip
# Sector mix like the shipped paper's; every sector appears within any 20 organisations.
SECTOR_CYCLE = [
    *[Sector.PUBLIC] * 10,
    *[Sector.PARTNERSHIP] * 5,
    *[Sector.PRIVATE] * 2,
    Sector.ACADEMIC,
    Sector.ACADEMIC,
    Sector.THIRD,
]
SECTOR_KINDS = {
    Sector.PUBLIC: ["Council", "County Council", "Borough Council", "NHS Trust"],
    Sector.PARTNERSHIP: ["Partnership", "Combined Authority", "Digital Alliance"],
    Sector.PRIVATE: ["Digital Ltd", "Analytics", "Technologies"],
    Sector.ACADEMIC: ["University", "Institute"],
    Sector.THIRD: ["Community Trust", "Foundation"],
}


def zipf_weights(n):
    """Cumulative weights where item i is chosen about 1/(i+1) as often as the first:
    a few popular partners and tags, a long tail of rare ones."""
    return list(itertools.accumulate(1 / (i + 1) for i in range(n)))


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def sentence(self):
        r = self.rng
        return f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(PURPOSES)}."

    def paragraph(self, low=2, high=4):
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def phrase(self):
        return f"{self.rng.choice(ADJECTIVES)} {self.rng.choice(NOUNS)}"

    def sample(self, population, low, high, cum_weights=None):
        """Between low and high distinct items, kept in population order."""
        k = self.rng.randint(low, high)
        if cum_weights is None:
            return sorted(self.rng.sample(range(len(population)), min(k, len(population))))
        chosen = set(self.rng.choices(range(len(population)), cum_weights=cum_weights, k=k))
        return sorted(chosen)

    def group_sizes(self, total):
        """Outputs per working group: about 25 each, summing exactly to `total`."""
        sizes = []
        while total > 0:
            size = min(total, self.rng.randint(15, 35))
            sizes.append(size)
            total -= size
        return sizes

    def stage_sizes(self, size):
        counts = [1 if size >= len(Stage) else 0 for _ in Stage]
        for _ in range(size - sum(counts)):
            counts[self.rng.choices(range(4), weights=(5, 7, 7, 6))[0]] += 1
        return counts


def generated_consultations():
    return Consultation.objects.filter(slug__startswith=SLUG_PREFIX)


class ContentGenerator:
    """What `manage.py generate_content` runs (the command is a thin wrapper)."""

    help = (
        "Generate synthetic consultations, working groups and outputs (about 25 outputs "
        "per group, 2 parts of 4 groups per consultation) for benchmarks. Refuses to run "
        "over real content unless --force; replaces content it generated before."
    )

    def __init__(self, stdout):
        self.stdout = stdout

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--outputs", type=int, default=1000, help="How many outputs.")
        parser.add_argument("--seed", type=int, default=42, help="Same seed, same content.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds real (not generated) consultations.",
        )

    def handle(self, *args, outputs, seed, force, **options):
        if outputs < 1:
            raise CommandError("--outputs must be at least 1.")
        real = Consultation.objects.exclude(slug__startswith=SLUG_PREFIX)
        if real.exists() and not force:
            raise CommandError(
                f"This database holds {real.count()} real consultation(s); generated content "
                "would mix with them. Use an empty database, or --force."
            )
        started = time.perf_counter()
        with transaction.atomic():
            self.delete_generated()
            counts = self.generate(outputs, seed)
            caching.bump()  # bulk inserts send no signals
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(f"Generated {summary} in {elapsed:.1f}s (seed {seed}).")
        if "rebuild_search_index" in get_commands():
            call_command("rebuild_search_index", stdout=self.stdout)
        if connection.vendor == "postgresql":
            # Autovacuum would analyse the new rows within minutes (and is off on
            # some test servers); until then the planner thinks the tables are
            # nearly empty and picks nested loops that take minutes at 100k rows.
            # VACUUM also marks the new pages all-visible, so that index-only scans
            # need not visit the table; it cannot run inside a transaction.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")

    def delete_generated(self):
        generated_consultations().delete()
        Organisation.objects.filter(slug__startswith=SLUG_PREFIX).delete()

    def generate(self, total_outputs, seed):
        g = Generator(seed)
        rng = g.rng
        themes = list(Theme.objects.order_by("order", "slug"))
        if not themes:
            themes = Theme.objects.bulk_create(
                Theme(name=name, slug=slugify(name), description=description, order=i)
                for i, (name, description) in enumerate(THEMES, start=1)
            )
        group_sizes = g.group_sizes(total_outputs)
        per_consultation = GROUPS_PER_PART * PARTS_PER_CONSULTATION
        n_consultations = math.ceil(len(group_sizes) / per_consultation)

        orgs = self.organisations(g, max(20, total_outputs // 100))
        org_weights = zipf_weights(len(orgs))
        tags = self.tags(g, max(30, min(len(ADJECTIVES) * len(NOUNS), total_outputs // 100)))
        tag_weights = zipf_weights(len(tags))

        consultations = Consultation.objects.bulk_create(
            Consultation(
                title=f"Towards {g.phrase()} and {g.phrase()}".capitalize(),
                slug=f"{SLUG_PREFIX}{n:04d}",
                subtitle=f"Insights into {g.phrase()}".capitalize(),
                reference_prefix=f"{REFERENCE_PREFIX}{n:04d}",
                status=Status.PUBLISHED,
                start_date=date(2015, 1, 1) + timedelta(days=rng.randrange(3650)),
                venue=f"{rng.choice(PLACES_A)}{rng.choice(PLACES_B)} House",
                participants=rng.randint(20, 80),
                introduction=g.paragraph(3, 6),
            )
            for n in range(1, n_consultations + 1)
        )
        self.link(
            Consultation.organisers.through,
            "consultation",
            "organisation",
            ((c, [orgs[i] for i in g.sample(orgs, 1, 2, org_weights)]) for c in consultations),
        )
        self.link(
            Consultation.themes.through,
            "consultation",
            "theme",
            ((c, [themes[i] for i in g.sample(themes, 2, 4)]) for c in consultations),
        )

        parts = Part.objects.bulk_create(
            Part(
                consultation=c,
                number=number,
                title=f"{g.phrase()} in connected places".capitalize(),
                slug=f"{c.reference_prefix.lower()}-p{number}",
                introduction=g.paragraph(),
            )
            for c in consultations
            for number in range(1, PARTS_PER_CONSULTATION + 1)
        )
        self.briefings(g, parts, orgs, org_weights, themes, tags, tag_weights)

        groups = []
        for index in range(len(group_sizes)):
            part = parts[index // GROUPS_PER_PART]
            number = index % GROUPS_PER_PART + 1
            topic = g.phrase()
            groups.append(
                WorkingGroup(
                    part=part,
                    number=number,
                    title=f"The power of {topic}".capitalize() if number % 2 else topic.title(),
                    slug=f"{SLUG_PREFIX}{part.slug}-wg{number}",
                    question=f"How can {rng.choice(SUBJECTS).lower()} make the most of {topic}?",
                )
            )
        groups = WorkingGroup.objects.bulk_create(groups, batch_size=BATCH)
        group_themes = [[themes[i] for i in g.sample(themes, 2, 3)] for _ in groups]
        self.link(
            WorkingGroup.themes.through,
            "workinggroup",
            "theme",
            zip(groups, group_themes, strict=True),
        )
        self.tag(
            WorkingGroup,
            ((w, [tags[i] for i in g.sample(tags, 1, 2, tag_weights)]) for w in groups),
        )

        outputs = []
        sized = zip(groups, group_sizes, strict=True)
        for group, size in terminal.progress(
            sized, desc="Writing actions", total=len(groups), unit="group"
        ):
            for stage, count in zip(Stage, g.stage_sizes(size), strict=True):
                for order in range(1, count + 1):
                    outputs.append(
                        Output(
                            working_group=group,
                            stage=stage,
                            order=order,
                            text=g.paragraph(1, 3),
                            # bulk_create skips save(), which would build it.
                            reference=f"{group.part.reference}-WG{group.number}-"
                            f"{Stage(stage).code}-{order:02d}",
                            is_public=group.part.consultation.status in PUBLIC_STATUSES,
                            paper_position=paper_position(
                                group.part.consultation.start_date,
                                group.part.consultation_id,
                                group.part.number,
                                group.number,
                                stage,
                                order,
                            ),
                        )
                    )
        outputs = Output.objects.bulk_create(outputs, batch_size=BATCH)
        output_themes, output_partners, output_tags = [], [], []
        placed = zip(outputs, self.group_indexes(group_sizes), strict=True)
        for output, group_index in terminal.progress(
            placed, desc="Linking actions", total=len(outputs), unit="action"
        ):
            # Most of an output's themes are its group's; some reach beyond it.
            own = group_themes[group_index]
            picked = {own[i] for i in g.sample(own, 1, 2)}
            if rng.random() < 0.3:
                picked.add(rng.choice(themes))
            output_themes.append((output, sorted(picked, key=lambda t: t.slug)))
            k = rng.choices((0, 1, 2), weights=(55, 33, 12))[0]
            output_partners.append((output, [orgs[i] for i in g.sample(orgs, k, k, org_weights)]))
            k = rng.choices((0, 1, 2), weights=(40, 40, 20))[0]
            output_tags.append((output, [tags[i] for i in g.sample(tags, k, k, tag_weights)]))
        self.link(Output.themes.through, "output", "theme", output_themes)
        self.link(Output.partners.through, "output", "organisation", output_partners)
        self.tag(Output, output_tags)
        progress = self.progress(g, outputs, orgs, org_weights)
        return {
            "consultations": len(consultations),
            "parts": len(parts),
            "working groups": len(groups),
            "outputs": len(outputs),
            "organisations": len(orgs),
            "tags": len(tags),
            **progress,
        }

    def progress(self, g, outputs, orgs, org_weights):
        """Commitments on about one action in six (one to three organisations each),
        with zero to five dated updates each, some with an evidence link; a
        commitment's status and progress are those of its latest update."""
        rng = g.rng
        commitments, plans = [], []
        for output in outputs:
            if rng.random() >= COMMITTED_SHARE:
                continue
            chosen = g.sample(orgs, 1, 3, org_weights)
            start = output.working_group.part.consultation.start_date
            for position, index in enumerate(chosen):
                started = start + timedelta(days=rng.randrange(30, 400))
                reports = self.reports(g, started)
                status, progress = (
                    (reports[-1][1], reports[-1][2]) if reports else (Progress.PLANNED, None)
                )
                commitments.append(
                    Commitment(
                        action=output,
                        organisation=orgs[index],
                        role=Role.LEAD if position == 0 else Role.SUPPORTING,
                        status=status,
                        progress=progress,
                        started=started,
                        due=started + timedelta(days=rng.randrange(180, 900)),
                        summary=g.sentence(),
                    )
                )
                plans.append(reports)
        commitments = Commitment.objects.bulk_create(commitments, batch_size=BATCH)
        updates, links = [], []
        for commitment, reports in zip(commitments, plans, strict=True):
            for day, status, progress in reports:
                updates.append(
                    Update(
                        commitment=commitment,
                        date=day,
                        text=g.paragraph(1, 2),
                        status=status,
                        progress=progress,
                        organisation_id=commitment.organisation_id,
                        self_reported=rng.random() < 0.5,
                    )
                )
        updates = Update.objects.bulk_create(updates, batch_size=BATCH)
        for update in updates:
            if rng.random() < 0.3:
                links.append(
                    Evidence(
                        update=update,
                        title=f"{g.phrase()} report".capitalize(),
                        url=f"https://evidence.example.org/{update.pk}",
                    )
                )
        Evidence.objects.bulk_create(links, batch_size=BATCH)
        return {"commitments": len(commitments), "updates": len(updates)}

    @staticmethod
    def reports(g, started):
        """[(date, status, progress)] of zero to five updates, in date order."""
        rng, progress, day, reports = g.rng, 0, started, []
        for _ in range(rng.choices(range(6), weights=(3, 3, 3, 2, 2, 1))[0]):
            day += timedelta(days=rng.randrange(20, 120))
            progress = min(100, progress + rng.randrange(5, 35))
            status = (
                Progress.DONE
                if progress == 100
                else rng.choices(
                    (Progress.IN_PROGRESS, Progress.PAUSED, Progress.WITHDRAWN), weights=(20, 3, 1)
                )[0]
            )
            reports.append((day, status, progress))
            if status in (Progress.DONE, Progress.WITHDRAWN):
                break
        return reports

    @staticmethod
    def group_indexes(group_sizes):
        for index, size in enumerate(group_sizes):
            yield from itertools.repeat(index, size)

    def organisations(self, g, n):
        orgs = []
        places = [a + b for a in PLACES_A for b in PLACES_B]
        g.rng.shuffle(places)
        for i in range(n):
            sector = SECTOR_CYCLE[i % len(SECTOR_CYCLE)]
            kinds = SECTOR_KINDS[sector]
            # Unique by construction: each place appears once per round.
            place = places[i % len(places)]
            kind = kinds[(i // len(SECTOR_CYCLE)) % len(kinds)]
            round_ = i // len(places)
            name = f"{place} {kind}" + (f" {round_ + 1}" if round_ else "")
            orgs.append(
                Organisation(
                    name=name,
                    slug=f"{SLUG_PREFIX}{slugify(name)}",
                    short_name="".join(word[0] for word in name.split() if word[0].isalpha()),
                    sector=sector,
                    website=f"https://{slugify(place)}.example.org/",
                )
            )
        return Organisation.objects.bulk_create(orgs, batch_size=BATCH)

    def tags(self, g, n):
        names = [f"{a} {b}" for a in ADJECTIVES for b in NOUNS]
        g.rng.shuffle(names)
        names = names[:n]
        slugs = [slugify(name) for name in names]
        existing = set(Tag.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        Tag.objects.bulk_create(
            (
                Tag(name=name, slug=slug)
                for name, slug in zip(names, slugs, strict=True)
                if slug not in existing
            ),
            batch_size=BATCH,
        )
        by_slug = Tag.objects.in_bulk(slugs, field_name="slug")
        return [by_slug[slug] for slug in slugs]

    def briefings(self, g, parts, orgs, org_weights, themes, tags, tag_weights):
        rng = g.rng
        briefings = InsightBriefing.objects.bulk_create(
            (
                InsightBriefing(
                    part=part,
                    order=order,
                    title=f"{g.phrase()} in practice".capitalize(),
                    slug=f"{SLUG_PREFIX}{part.slug}-ib{order}",
                    body="\n\n".join(g.paragraph() for _ in range(rng.randint(2, 4))),
                )
                for part in parts
                for order in range(1, rng.randint(3, 4) + 1)
            ),
            batch_size=BATCH,
        )
        self.link(
            InsightBriefing.presenters.through,
            "insightbriefing",
            "organisation",
            ((b, [orgs[i] for i in g.sample(orgs, 1, 1, org_weights)]) for b in briefings),
        )
        self.link(
            InsightBriefing.partners.through,
            "insightbriefing",
            "organisation",
            ((b, [orgs[i] for i in g.sample(orgs, 0, 2, org_weights)]) for b in briefings),
        )
        self.link(
            InsightBriefing.themes.through,
            "insightbriefing",
            "theme",
            ((b, [themes[i] for i in g.sample(themes, 1, 2)]) for b in briefings),
        )
        self.tag(
            InsightBriefing,
            ((b, [tags[i] for i in g.sample(tags, 0, 2, tag_weights)]) for b in briefings),
        )

    @staticmethod
    def link(through, source, target, pairs):
        """bulk_create the rows of a many-to-many table from (object, [related]) pairs."""
        through.objects.bulk_create(
            (
                through(**{f"{source}_id": obj.pk, f"{target}_id": related.pk})
                for obj, related_objects in pairs
                for related in related_objects
            ),
            batch_size=BATCH,
        )

    @staticmethod
    def tag(model, pairs):
        content_type = ContentType.objects.get_for_model(model)
        TaggedItem.objects.bulk_create(
            (
                TaggedItem(content_type=content_type, object_id=obj.pk, tag_id=tag.pk)
                for obj, tags in pairs
                for tag in tags
            ),
            batch_size=BATCH,
        )
