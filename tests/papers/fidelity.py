"""Compare an imported consultation with the shipped fixture, item by item."""

from dataclasses import dataclass, field

from workinggroups.models import Stage


@dataclass
class Tally:
    same: int = 0
    total: int = 0
    differences: list = field(default_factory=list)

    def add(self, equal, label, got=None, expected=None):
        self.total += 1
        if equal:
            self.same += 1
        else:
            self.differences.append((label, got, expected))

    def __str__(self):
        return f"{self.same}/{self.total}"


@dataclass
class Overlap:
    """Links or labels compared as sets: how many expected were found, how many extra."""

    found: int = 0
    expected: int = 0
    suggested: int = 0

    def add(self, got, expected):
        self.found += len(set(got) & set(expected))
        self.expected += len(set(expected))
        self.suggested += len(set(got))

    def __str__(self):
        precision = self.found / self.suggested if self.suggested else 0
        recall = self.found / self.expected if self.expected else 0
        return (
            f"{self.found} of {self.expected} expected found, {self.suggested} suggested "
            f"(precision {precision:.0%}, recall {recall:.0%})"
        )


@dataclass
class Figures:
    outputs: Tally = field(default_factory=Tally)
    output_partners: Tally = field(default_factory=Tally)
    briefings: Tally = field(default_factory=Tally)
    presenters: Tally = field(default_factory=Tally)
    briefing_partners: Tally = field(default_factory=Tally)
    groups: Tally = field(default_factory=Tally)
    texts: Tally = field(default_factory=Tally)  # introductions, conclusions, key themes
    slugs: Tally = field(default_factory=Tally)
    partner_links: Overlap = field(default_factory=Overlap)
    themes: Overlap = field(default_factory=Overlap)
    tags: Overlap = field(default_factory=Overlap)

    def report(self):
        lines = [
            f"outputs identical (text, stage, order): {self.outputs}",
            f"outputs with the fixture's partner links: {self.output_partners}",
            f"briefings identical (title, body): {self.briefings}",
            f"briefings with the fixture's presenters: {self.presenters}",
            f"briefings with the fixture's partner links: {self.briefing_partners}",
            f"working groups identical (number, title, question, summary): {self.groups}",
            f"introductions, conclusions, key themes identical: {self.texts}",
            f"slugs identical: {self.slugs}",
            f"partner links: {self.partner_links}",
            f"output themes against the fixture's: {self.themes}",
            f"output tags against the fixture's: {self.tags}",
        ]
        for name in ("outputs", "output_partners", "briefings", "presenters", "groups", "texts",
                     "slugs"):  # fmt: skip
            for label, got, expected in getattr(self, name).differences:
                lines.append(f"  {name} differs at {label}: {got!r} (fixture: {expected!r})")
        return "\n".join(lines)


def _outputs(group):
    return [
        (stage.value, order, output)
        for stage in Stage
        for order, output in enumerate(group["outputs"].get(stage.value, []), start=1)
    ]


def compare(got_document, fixture_document):
    """Figures for every consultation of the fixture, matched by position."""
    figures = Figures()
    for got, expected in zip(
        got_document["consultations"], fixture_document["consultations"], strict=True
    ):
        figures.slugs.add(got["slug"] == expected["slug"], "consultation", got["slug"],
                          expected["slug"])  # fmt: skip
        for key in ("title", "subtitle", "introduction", "conclusion", "start_date", "end_date",
                    "venue", "participants", "key_themes", "builds_on", "summarises"):  # fmt: skip
            figures.texts.add(got[key] == expected[key], f"{expected['slug']} {key}", got[key],
                              expected[key])  # fmt: skip
        figures.texts.add(set(got["organisers"]) == set(expected["organisers"]),
                          f"{expected['slug']} organisers", got["organisers"],
                          expected["organisers"])  # fmt: skip
        for got_part, part in zip(got["parts"], expected["parts"], strict=True):
            where = f"{expected['reference_prefix']} part {part['number']}"
            figures.texts.add(
                [got_part["title"], got_part["introduction"]]
                == [part["title"], part["introduction"]],
                where, got_part["introduction"], part["introduction"],
            )  # fmt: skip
            for got_b, b in zip(got_part["briefings"], part["briefings"], strict=True):
                label = f"{where} briefing {b['slug']}"
                figures.briefings.add((got_b["title"], got_b["body"]) == (b["title"], b["body"]),
                                      label, got_b["body"], b["body"])  # fmt: skip
                figures.presenters.add(set(got_b["presenters"]) == set(b["presenters"]), label,
                                       got_b["presenters"], b["presenters"])  # fmt: skip
                figures.briefing_partners.add(set(got_b["partners"]) == set(b["partners"]), label,
                                              got_b["partners"], b["partners"])  # fmt: skip
                figures.partner_links.add(got_b["partners"], b["partners"])
                figures.slugs.add(got_b["slug"] == b["slug"], label, got_b["slug"], b["slug"])
            for got_g, g in zip(got_part["working_groups"], part["working_groups"], strict=True):
                label = f"{where} WG {g['number']}"
                keys = ("number", "title", "question", "summary")
                figures.groups.add([got_g[k] for k in keys] == [g[k] for k in keys], label,
                                   [got_g[k] for k in keys], [g[k] for k in keys])  # fmt: skip
                figures.slugs.add(got_g["slug"] == g["slug"], label, got_g["slug"], g["slug"])
                got_outputs, outputs = _outputs(got_g), _outputs(g)
                for position, (stage, order, output) in enumerate(outputs):
                    mine = got_outputs[position] if position < len(got_outputs) else None
                    at = f"{label} {stage} {order}"
                    same = mine is not None and (mine[0], mine[1], mine[2]["text"]) == (
                        stage, order, output["text"])  # fmt: skip
                    figures.outputs.add(same, at, mine and mine[2]["text"], output["text"])
                    if mine is None:
                        continue
                    figures.output_partners.add(
                        set(mine[2]["partners"]) == set(output["partners"]), at,
                        mine[2]["partners"], output["partners"],
                    )  # fmt: skip
                    figures.partner_links.add(mine[2]["partners"], output["partners"])
                    figures.themes.add(mine[2]["themes"], output["themes"])
                    figures.tags.add(mine[2]["tags"], output["tags"])
                for extra in got_outputs[len(outputs) :]:
                    figures.outputs.add(False, f"{label} extra", extra[2]["text"], None)
    return figures
