"""Link a parsed paper to what the portal already knows.

Organisations are matched by name, short name or alias, whole words and case as
written (`insights.suggestions.name_pattern`), longest name first, so "Socitm
Institute" is the institute and not also Socitm. A presenter the portal does not
know, or a council, university or department the text names that it does not
know, is proposed as a new organisation.

Themes and tags are suggested from the portal's own vocabulary: a tag when its
name appears in the text; themes by how much the text's words resemble the words
of each theme (its name, its description and what is already filed under it).
They are suggestions for an editor to review, recorded as such with the import.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

from django.utils.text import slugify
from taggit.models import Tag

from insights.models import Organisation, Theme
from insights.suggestions import name_pattern
from papers.parsing import Warning, plain_words
from workinggroups.models import Output, Stage

MAX_THEMES = 3
# Names the text may use for an organisation the portal does not know yet.
NEW_ORGANISATION = re.compile(
    r"\b(?:London Borough of|Royal Borough of|University of|Department (?:for|of))"
    r"(?:\s+(?:and\s+|&\s+|of\s+|the\s+)?[A-Z][\w'’-]+)+"
    r"|\b(?:[A-Z][\w'’-]+\s+){1,3}(?:City|County|Borough|District|Metropolitan)?\s*Council\b"
)
STOPWORDS = {
    "a", "an", "and", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could",
    "do", "does", "for", "from", "has", "have", "how", "in", "into", "is", "it", "its", "more",
    "not", "of", "on", "or", "our", "should", "so", "such", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "through", "to", "up", "us", "use",
    "used", "using", "was", "we", "were", "what", "when", "where", "which", "while", "who",
    "will", "with", "would", "also", "other", "than", "very", "well", "need", "needs", "new",
}  # fmt: skip


@dataclass
class KnownOrganisation:
    slug: str
    pattern: re.Pattern
    names: list
    record: dict


def organisation_record(org):
    return {
        "slug": org.slug,
        "name": org.name,
        "short_name": org.short_name,
        "aliases": org.alias_list(),
        "sector": org.sector,
        "website": org.website,
        "description": org.description,
    }


def words(text):
    """Content words, lower case, a plural's s dropped: what theme matching compares."""
    found = re.findall(r"[a-z][a-z'-]{2,}", plain_words(text).lower())
    return [w[:-1] if w.endswith("s") and len(w) > 4 else w for w in found if w not in STOPWORDS]


class Vocabulary:
    """The organisations, themes and tags in the database, ready for matching."""

    def __init__(self):
        self.organisations = [
            KnownOrganisation(org.slug, name_pattern(org), org.names(), organisation_record(org))
            for org in Organisation.objects.all()
        ]
        self.themes = {theme.slug: theme for theme in Theme.objects.all()}
        self.tags = [
            (name, re.compile(rf"(?<!\w){re.escape(name)}s?(?!\w)", 0 if _cased(name) else re.I))
            for name in Tag.objects.values_list("name", flat=True)
        ]
        self.bags = self.theme_bags()
        self.new = {}  # proposed organisations, by slug

    def theme_bags(self):
        bags = {}
        for slug, theme in self.themes.items():
            bags[slug] = Counter(words(theme.name) * 3 + words(theme.description) * 2)
        filed = Output.themes.through.objects.values_list("theme__slug", "output__text")
        for slug, text in filed.iterator():
            bags[slug].update(words(text))
        documents = len(bags) or 1
        seen = Counter(word for bag in bags.values() for word in bag)
        self.idf = {word: math.log(documents / count) + 0.1 for word, count in seen.items()}
        return bags

    def named(self, text):
        """Slugs of the organisations `text` names, in order, overlapping names
        resolved to the longest."""
        text = straight(text)
        spans = []
        for org in self.organisations:
            for match in org.pattern.finditer(text):
                spans.append((match.end() - match.start(), match.start(), match.end(), org.slug))
        taken, found = [], []
        for _, start, end, slug in sorted(spans, key=lambda s: (-s[0], s[1])):
            if any(start < e and end > s for s, e in taken):
                continue
            taken.append((start, end))
            found.append((start, slug))
        ordered = []
        for _, slug in sorted(found):
            if slug not in ordered:
                ordered.append(slug)
        return ordered

    def by_name(self, name):
        wanted = straight(name).strip().lower()
        for org in self.organisations:
            if wanted in (n.lower() for n in org.names):
                return org.slug
        return None

    def propose(self, name):
        """A new organisation for `name`, made once however often it is named."""
        name = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
        slug = slugify(name)[:200]
        if slug not in self.new:
            self.new[slug] = {
                "slug": slug,
                "name": name,
                "short_name": "",
                "aliases": [],
                "sector": "academic" if "universit" in name.lower() else "public",
                "website": "",
                "description": "",
            }
        return slug

    def unknown_named(self, text):
        """Slugs of proposed organisations for names in `text` that match none known
        (nor overlap a known name: "Department for Science, Innovation and ...")."""
        plain = straight(plain_words(text))
        known = [m.span() for org in self.organisations for m in org.pattern.finditer(plain)]
        slugs = []
        for match in NEW_ORGANISATION.finditer(plain):
            start, end = match.span()
            if any(start < e and end > s for s, e in known) or self.by_name(match.group(0)):
                continue
            slugs.append(self.propose(match.group(0)))
        return slugs

    def suggest_tags(self, text):
        plain = plain_words(text)
        return sorted({name for name, pattern in self.tags if pattern.search(plain)}, key=str.lower)

    def suggest_themes(self, text):
        """Up to three theme slugs, the best first; the others within 60% of its score."""
        counted = Counter(words(text))
        scores = {}
        for slug, bag in self.bags.items():
            size = sum(bag.values()) or 1
            scores[slug] = sum(
                min(count, 2) * bag[word] / size * self.idf.get(word, 0) ** 2
                for word, count in counted.items()
                if word in bag
            )
        ranked = sorted((s for s in scores.items() if s[1] > 0), key=lambda s: -s[1])
        if not ranked:
            return []
        best = ranked[0][1]
        return [slug for slug, score in ranked[:MAX_THEMES] if score >= best * 0.6]


def straight(text):
    """Curly apostrophes as straight ones, as organisations' names are written."""
    return text.replace("’", "'")


def _cased(name):
    """A tag written with capitals beyond its first letter (GDP, AI literacy) is
    matched case as written, so "AI" does not match "said"."""
    return any(char.isupper() for char in name[1:])


def link(document, vocabulary=None):
    """Fill in the document's organisations, partners, presenters, organisers, themes
    and tags; return (warnings, suggestions). `suggestions` lists, for each item
    given themes or tags, what was suggested, for the editor's review."""
    vocabulary = vocabulary or Vocabulary()
    warnings, suggestions = [], []
    used = set()
    consultations = document["consultations"]
    main = consultations[0]

    def mentions(text, exclude=()):
        found = vocabulary.named(text) + vocabulary.unknown_named(text)
        return [s for s in dict.fromkeys(found) if s not in exclude]

    def suggest(kind, label, item, text):
        item["themes"] = vocabulary.suggest_themes(text)
        item["tags"] = vocabulary.suggest_tags(text)
        if item["themes"] or item["tags"]:
            suggestions.append(
                {"kind": kind, "item": label, "themes": item["themes"], "tags": item["tags"]}
            )
        return item["themes"]

    for consultation in consultations:
        organisers = vocabulary.named(consultation["subtitle"])
        if (
            not organisers
            and consultation is not main
            and main["builds_on"] == [consultation["slug"]]
        ):
            organisers = list(main["organisers"])  # an earlier paper of the same series
        consultation["organisers"] = organisers
        theme_counts = Counter()
        for part in consultation["parts"]:
            for briefing in part["briefings"]:
                presenters = []
                for name in briefing["presenters"]:
                    slug = vocabulary.by_name(name) or next(iter(vocabulary.named(name)), None)
                    if slug is None:
                        slug = vocabulary.propose(name)
                    presenters.append(slug)
                briefing["presenters"] = presenters
                briefing["partners"] = mentions(briefing["body"], exclude=presenters)
                theme_counts.update(
                    suggest("briefing", briefing["title"], briefing, briefing["body"])
                )
            for group in part["working_groups"]:
                label = f"Part {part['number']}, WG {group['number']}"
                group_themes = Counter()
                for stage in Stage:
                    for order, output in enumerate(group["outputs"].get(stage.value, []), 1):
                        output["partners"] = mentions(output["text"])
                        group_themes.update(
                            suggest("output", f"{label}, {stage.label} {order}", output,
                                    output["text"])
                        )  # fmt: skip
                        used.update(output["partners"])
                text = f"{group['title']} {group['question']} {group['summary']}"
                group["tags"] = vocabulary.suggest_tags(f"{group['title']} {group['question']}")
                group["themes"] = [s for s, _ in group_themes.most_common(MAX_THEMES)]
                if not group["themes"]:
                    group["themes"] = vocabulary.suggest_themes(text)
                # Every output needs a theme to be found by theme: its group's leads.
                for value, outputs in group["outputs"].items():
                    for order, output in enumerate(outputs, 1):
                        if not output["themes"] and group["themes"]:
                            output["themes"] = group["themes"][:1]
                            where = f"{label}, {Stage(value).label} {order} (its group's theme)"
                            suggestions.append(
                                {"kind": "output", "item": where,
                                 "themes": output["themes"], "tags": output["tags"]}
                            )  # fmt: skip
                suggestions.append(
                    {"kind": "working group", "item": label,
                     "themes": group["themes"], "tags": group["tags"]}
                )  # fmt: skip
                theme_counts.update(group["themes"])
        if not theme_counts:
            theme_counts.update(
                vocabulary.suggest_themes(f"{consultation['title']} {consultation['introduction']}")
            )
        consultation["themes"] = [s for s, _ in theme_counts.most_common(MAX_THEMES)]
        suggestions.append(
            {"kind": "consultation", "item": consultation["title"],
             "themes": consultation["themes"], "tags": []}
        )  # fmt: skip
    for slug, org in vocabulary.new.items():
        warnings.append(
            Warning(
                "new-organisation",
                f"A new organisation, to be created with the draft: {org['name']} ({slug})",
            )
        )
    document["organisations"] = _organisations_used(document, vocabulary)
    document["themes"] = _themes_used(document, vocabulary)
    return warnings, suggestions


def _walk(document):
    for consultation in document["consultations"]:
        yield consultation
        for part in consultation["parts"]:
            yield from part["briefings"]
            for group in part["working_groups"]:
                yield group
                for outputs in group["outputs"].values():
                    yield from outputs


def _organisations_used(document, vocabulary):
    slugs = set()
    for item in _walk(document):
        for key in ("organisers", "presenters", "partners"):
            slugs.update(item.get(key, []))
    known = {org.slug: org.record for org in vocabulary.organisations}
    records = [known[s] for s in sorted(slugs) if s in known]
    return records + [org for slug, org in vocabulary.new.items() if slug in slugs]


def _themes_used(document, vocabulary):
    slugs = {slug for item in _walk(document) for slug in item.get("themes", [])}
    return [
        {"slug": t.slug, "name": t.name, "description": t.description, "order": t.order}
        for slug, t in vocabulary.themes.items()
        if slug in slugs
    ]
