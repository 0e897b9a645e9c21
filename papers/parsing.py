"""Turn a paper's blocks into a content document (`docs/content-format.md`).

The St George's House background papers follow one template:

    Title / "Background paper" / organisers and dates      front matter
    Introduction                                           the consultation's introduction
    Part I: Title                                          a part, then its introduction
    Insight: Presenter - Title                             a briefing, then its body
    Working Groups Outputs                                 (optional) the groups begin
    WG 1. Title - Question?                                a working group
    Initial steps that have worked well                    a stage, then one output per item
    Annex - ... consultation on ...                        an earlier consultation, reported
    ST GEORGE'S HOUSE ... address                          the closing block, left out

`parse()` reads the blocks with a small state machine. Each heading it recognises
moves it to a state; every other block is text for the state it is in:

    state           text becomes
    front           title, subtitle, dates, source title
    introduction    the consultation's introduction
    part            the part's introduction
    briefing        the briefing's body
    outputs         (warned) the part's introduction
    group           the group's question if it has none, else (warned) its summary
    stage           one output per list item or paragraph
    annex           the annexed consultation's introduction
    annex_themes    one key theme per "**Title** text" item
    annex_groups    one working group per "**Title** text" item, as its summary
    annex_end       the annexed consultation's conclusion

Before that, `mend()` repairs what a page layout does to text: footnotes are
taken out of the flow, and a sentence split across a page break (or a list item
that goes on in the next paragraph) is joined again. Text is then cleaned by
`Field`: placeholder links `[words](#)` keep their words, other links become
`words (<address>)`, editing notes are left out, footnote marks become Markdown
footnotes numbered within each text.

The document's organisations, themes and tags are left empty here: presenters
are given by name and `papers.linking` matches them against the portal's data.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.text import slugify

from papers.readers import Block
from workinggroups.models import Stage

FORMAT = "connected-places-portal/1"
DASH = r"\s+[-–—]\s+"
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
TERMINAL = re.compile(r"[.!?:;]['’\"”)\]]*$")

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
DATE_RANGE = re.compile(rf"{WEEKDAY}{ORDINAL}\s*[-–—]\s*{ORDINAL}\s+{MONTH}\s+(\d{{4}})", re.I)
DATE = re.compile(rf"{WEEKDAY}(?:{ORDINAL}\s+)?{MONTH}(?:\s+(\d{{4}}))?\b", re.I)

STAGE_WORDS = [
    (Stage.WORKED_WELL, r"worked\s+well"),
    (Stage.CHANGES_NEEDED, r"changes?\s+(?:are\s+)?needed"),
    (Stage.PRACTICAL_STEPS, r"practical\s+steps"),
    (Stage.COLLABORATION, r"collaborat\w*"),
]
QUESTION_WORDS = (
    "how", "what", "why", "where", "when", "which", "who", "can", "could", "should",
    "is", "are", "do", "does", "will", "would", "in what", "to what",
)  # fmt: skip
NOTE_WORDS = r"(?:insert|add|tbc|tbd|todo|placeholder|link to)\b"


@dataclass(frozen=True)
class Warning:
    """Something an editor should look at: `code` groups them in the preview."""

    code: str  # outside-stage | unrecognised-heading | empty-stage | left-out | mended | ...
    message: str


class NoStructure(ValueError):
    """The blocks hold no consultation structure this parser recognises."""


LOOKED_FOR = (
    "Looked for part headings (“Part 1: Title”, “Part I”), briefings (“Insight: Presenter - "
    "Title”), working groups (“WG 1. Title - Question?”) and the four stage headings (“"
    + "”, “".join(str(label) for label in Stage.labels)
    + "”), and found none of the working groups."
)


# Recognising headings ------------------------------------------------------------


def roman(numeral):
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    for char, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = values[char]
        total += -value if following and values[following] > value else value
    return total


def part_heading(text):
    """ "Part I: Title", "Part 2 - Title" → (number, title)."""
    match = re.match(r"^part\s+(\d+|[ivxlc]+)\b\s*[:.–—-]?\s*(.*)$", text, re.I)
    if not match:
        return None
    number = match.group(1)
    return (int(number) if number.isdigit() else roman(number.lower()), match.group(2).strip())


def split_at_first(text, separators):
    """(before, after) at the earliest of `separators` (regexes), or None."""
    found = [m for sep in separators if (m := re.search(sep, text))]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    return text[: first.start()].strip(), text[first.end() :].strip()


def insight_heading(text):
    """ "Insight: Presenter - Title" or "Insight: Presenter: Title" → (presenters, title)."""
    match = re.match(r"^insights?\s*(?:briefing)?\s*[:–—-]\s*(.+)$", text, re.I)
    if not match:
        return None
    split = split_at_first(match.group(1), [DASH, r":\s+"])
    if not split:
        return [], match.group(1).strip()
    presenters, title = split
    return [p.strip() for p in presenters.split("/") if p.strip()], title


def group_heading(text):
    """ "WG 1. Title - Question?" → (number, title, question); the question may be ""."""
    match = re.match(r"^(?:wg|working\s+group)\s*(\d+)\s*[.:)–—-]?\s*(.+)$", text, re.I)
    if not match:
        return None
    number, rest = int(match.group(1)), match.group(2).strip()
    separators = list(re.finditer(DASH, rest))
    if rest.endswith("?"):
        for sep in separators:
            after = rest[sep.end() :].lower()
            if after.startswith(QUESTION_WORDS):
                return number, rest[: sep.start()].strip(), rest[sep.end() :].strip()
        if separators:
            sep = separators[-1]
            return number, rest[: sep.start()].strip(), rest[sep.end() :].strip()
    return number, rest, ""


def stage_heading(text):
    """The stage a heading names: its label as the paper words it, or its key words."""
    words = re.sub(r"^[\d.)\s]+", "", text).strip(" :.").lower()
    for stage in Stage:
        if words == stage.label.lower():
            return stage
    if len(words.split()) > 10:
        return None
    for stage, pattern in STAGE_WORDS:
        if re.search(pattern, words):
            return stage
    return None


def outputs_heading(text):
    return re.fullmatch(r"working\s+groups?['’]?\s*(?:outputs?|findings)", text.strip(" :"), re.I)


def annex_heading(text):
    match = re.match(r"^(?:annex|appendix)\b\s*(?:[A-Z0-9]{1,3}\b)?\s*[:.–—-]?\s*(.*)$", text, re.I)
    return match.group(1).strip() if match else None


def introduction_heading(text):
    return re.fullmatch(r"(?:\d+\.?\s*)?introduction", text.strip(" :"), re.I)


# Dates, names, slugs ---------------------------------------------------------------


def find_dates(text):
    """(start, end or None, precision, match span) of the first date or range, or None."""
    if match := DATE_RANGE.search(text):
        first, last, month, year = match.groups()
        month, year = MONTHS[month.lower()], int(year)
        return date(year, month, int(first)), date(year, month, int(last)), "day", match.span()
    found = list(DATE.finditer(text))
    if not found:
        return None
    # A range is at most two dates side by side; the year may be on the last only.
    found = found[:2] if len(found) > 1 and found[1].start() - found[0].end() < 5 else found[:1]
    year = next((int(m.group(3)) for m in reversed(found) if m.group(3)), None)
    if year is None:
        return None
    dates = [(int(m.group(1)) if m.group(1) else None, MONTHS[m.group(2).lower()]) for m in found]
    precision = "day" if all(day for day, _ in dates) else "month"
    start = date(year, dates[0][1], dates[0][0] or 1)
    end = date(year, dates[-1][1], dates[-1][0]) if len(dates) > 1 and precision == "day" else None
    return start, end, precision, (found[0].start(), found[-1].end())


def slug_words(title):
    """The words of a title worth a slug: before any colon, without a leading article."""
    title = title.split(":")[0].replace("@", " at ").replace("&", " and ")
    return slugify(re.sub(r"^(?:the|a|an)\s+", "", title.strip(), flags=re.I))


def short_title(title):
    """A group's title up to the first dash or slash: "Place-based Devolution – Big and
    Small" → "Place-based Devolution"."""
    return re.split(r"\s+[-–—/]\s+", title)[0]


def initials(name):
    return "".join(word[0] for word in re.findall(r"[A-Za-z][\w'’]*", name) if word[0].isupper())


def plain_words(text):
    """Markdown inline text as the words a reader sees."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\*\*|\\(?=[()\[\]])", "", text).strip()


# Cleaning text ----------------------------------------------------------------------

LINK = re.compile(r"\[((?:\\.|[^\[\]\\])*)\]\(([^)\s]*)\)")


def unescape(text):
    return re.sub(r"\\([()\[\]])", r"\1", text)


class Field:
    """One Markdown text of the document (an introduction, a body, an output).

    Footnote marks are numbered from 1 within it, and the notes they point to are
    added at its end, as the shipped content writes them.
    """

    def __init__(self, notes, warnings):
        self.notes = notes
        self.warnings = warnings
        self.used = []
        self.chunks = []  # (kind, text): paragraphs and list items

    def add(self, block):
        self.chunks.append((block.kind if block.kind == "item" else "paragraph", block))

    def __bool__(self):
        return bool(self.chunks)

    def clean(self, text):
        # Two links to one address side by side are one link split by a line or page break.
        same = re.compile(r"\[((?:\\.|[^\[\]\\])*)\]\(([^)\s]*)\)\s+\[((?:\\.|[^\[\]\\])*)\]\(\2\)")
        while same.search(text):
            text = same.sub(r"[\1 \3](\2)", text)
        text = self.leave_out(text)
        text = LINK.sub(self.link, text)
        text = re.sub(rf"(?<=\S)([{SUPERSCRIPT_DIGITS}]+)", self.mark, text)
        return unescape(text).strip()

    def leave_out(self, text):
        """Editing notes and the labels of links whose targets were lost."""
        patterns = [
            r"\s*\[\[[^\[\]]+\]\(#?\)\]",  # [[See article](#)]
            rf"\s*\[{NOTE_WORDS}[^\[\]]*\](?!\()",  # [insert infographic link when available]
            r"(?<=[.!?])\s*\[[^\[\]]{1,40}\](?!\()\s*$",  # a label after the last sentence
        ]
        for pattern in patterns:
            for match in re.finditer(pattern, text, re.I):
                self.warnings.append(
                    Warning("left-out", f"Left out an editing note: {match.group(0).strip()}")
                )
            text = re.sub(pattern, "", text, flags=re.I)
        return text

    @staticmethod
    def link(match):
        words, address = unescape(match.group(1)), match.group(2)
        if not address or address.startswith("#"):
            return words
        return f"{words} (<{address}>)"

    def mark(self, match):
        number = int(match.group(1).translate(str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")))
        if number not in self.notes:
            return match.group(0)
        if number not in self.used:
            self.used.append(number)
        return f"[^{self.used.index(number) + 1}]"

    def markdown(self):
        out, previous = [], None
        for kind, block in self.chunks:
            text = self.clean(block.text)
            if kind == "item":
                marker = "1." if block.ordered else "-"
                text = f"{marker} {text}"
                out.append(("\n" if previous == "item" else "\n\n") + text)
            else:
                out.append("\n\n" + text)
            previous = kind
        body = "".join(out).strip()
        for index, number in enumerate(self.used, start=1):
            body += f"\n\n[^{index}]: {self.notes[number]}"
        return body


def mend(blocks, warnings):
    """Take footnotes out of the flow and join what a page break split.

    Returns (blocks, {footnote number: its text}). A paragraph that starts in lower
    case after a text that does not end a sentence goes on from it, whatever stood
    between them at the page's foot (a footnote, say).
    """
    notes = {b.number: b.text for b in blocks if b.kind == "footnote"}
    kept = []
    for block in blocks:
        if block.kind == "footnote":
            continue
        previous = kept[-1] if kept else None
        starts_low = re.match(r"^\[?[a-z]", block.text)
        joinable = previous is not None and previous.kind != "footnote" and not previous.styled
        if (
            joinable
            and block.kind in {"paragraph", "heading"}
            and not block.styled
            and starts_low
            and not TERMINAL.search(previous.text)
        ):
            warnings.append(
                Warning(
                    "mended",
                    f"Joined a sentence split by a page break: "
                    f"“…{plain_words(previous.text)[-30:]} / {plain_words(block.text)[:30]}…”",
                )
            )
            previous.text = f"{previous.text} {block.text}"
            if previous.kind == "heading":
                previous.kind = "paragraph"
            continue
        kept.append(Block(**block.__dict__))
    return kept, notes


def closing_block(blocks):
    """Where the closing address block starts (len(blocks) if there is none), and the
    address line: a run of short blocks at the end with a postcode, telephone or web
    address in it."""
    address = re.compile(
        r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\bT\s*\+?\d|www\.|@\w+\.\w|for more information",
        re.I,
    )
    start = len(blocks)
    while start > 0:
        block = blocks[start - 1]
        if block.kind == "item" or len(block.text.split()) > 25:
            break
        start -= 1
    run = blocks[start:]
    if not any(address.search(b.text) for b in run):
        return len(blocks), ""
    postcode = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
    line = next((b.text for b in run if postcode.search(b.text)), "")
    return start, line


def venue_from_address(line):
    """ "St George's House, Windsor Castle, Windsor SL4 1NJ" → "St George's House,
    Windsor Castle": the address without its town and postcode."""
    parts = [p.strip() for p in line.split(",") if p.strip()]
    if len(parts) > 1:
        parts = parts[:-1]
    return ", ".join(parts)


# The state machine ------------------------------------------------------------------


@dataclass
class ParsedPaper:
    document: dict
    warnings: list[Warning] = field(default_factory=list)


class Parser:
    def __init__(self, blocks):
        self.warnings = []
        blocks, self.notes = mend(blocks, self.warnings)
        end, address = closing_block(blocks)
        if end < len(blocks):
            self.warnings.append(
                Warning(
                    "left-out", f"Left out the closing address block ({len(blocks) - end} lines)."
                )
            )
        self.blocks = blocks[:end]
        self.venue = venue_from_address(address) if address else ""
        self.state = "front"
        self.front = []
        self.intro = self.field()
        self.parts = []
        self.annex = None
        self.target = None  # the Field that text goes to, in states that have one

    def field(self):
        return Field(self.notes, self.warnings)

    def warn(self, code, message):
        self.warnings.append(Warning(code, message))

    # Where we are
    @property
    def part(self):
        if not self.parts:
            self.warn(
                "unrecognised-heading", "Found briefings or groups before any part: made Part 1."
            )
            self.parts.append(
                {"number": 1, "title": "", "intro": self.field(), "briefings": [], "groups": []}
            )
        return self.parts[-1]

    @property
    def group(self):
        return self.part["groups"][-1]

    def where(self):
        if self.state in {"group", "stage"}:
            return f"Part {self.part['number']}, WG {self.group['number']}"
        return f"Part {self.part['number']}" if self.parts else "the introduction"

    # Headings
    def heading(self, block):
        """Move to the state a recognised heading opens; False if it is not one."""
        text = plain_words(block.text)
        if block.kind == "item":
            return False
        if (found := part_heading(text)) is not None:
            number, title = found
            self.parts.append(
                {"number": number, "title": strip_dangling(title), "intro": self.field(),
                 "briefings": [], "groups": []}
            )  # fmt: skip
            self.target, self.state = self.parts[-1]["intro"], "part"
        elif (found := insight_heading(text)) is not None:
            presenters, title = found
            briefing = {
                "presenters": presenters,
                "title": strip_dangling(title),
                "body": self.field(),
            }
            self.part["briefings"].append(briefing)
            self.target, self.state = briefing["body"], "briefing"
        elif (found := group_heading(text)) is not None:
            self.close_group()
            number, title, question = found
            self.part["groups"].append(
                {"number": number, "title": strip_dangling(title), "question": question,
                 "summary": self.field(), "stages": {}}
            )  # fmt: skip
            self.target, self.state = self.group["summary"], "group"
        elif (stage := stage_heading(text)) and self.state in {"group", "stage"} and len(text) < 90:
            self.group["stages"].setdefault(stage, [])
            self.stage, self.state = stage, "stage"
        elif outputs_heading(text):
            self.close_group()
            self.target, self.state = self.part["intro"], "outputs"
        elif self.state != "front" and (title := annex_heading(text)) is not None and title:
            self.close_group()
            self.annex = {"heading": title, "intro": self.field(), "themes": [], "groups": [],
                          "groups_intro": self.field(), "end": self.field()}  # fmt: skip
            self.target, self.state = self.annex["intro"], "annex"
        elif introduction_heading(text) and self.state == "front":
            self.target, self.state = self.intro, "introduction"
        else:
            return False
        return True

    def feed(self, block):
        if self.heading(block):
            return
        if block.kind == "heading" and self.state != "front":
            if block.styled or self.state not in {"stage", "annex_themes", "annex_groups"}:
                self.warn(
                    "unrecognised-heading",
                    f"A heading it did not recognise, kept as text in {self.where()}: "
                    f"“{plain_words(block.text)}”",
                )
            if block.styled and self.state == "stage":
                self.state = "group"  # what follows is outside any stage
                self.target = self.group["summary"]
                return
        getattr(self, f"in_{self.state}")(block)

    def in_front(self, block):
        if len(block.text.split()) > 25 and self.front:
            self.target, self.state = self.intro, "introduction"
            self.intro.add(block)
        else:
            self.front.append(block)

    def in_text(self, block):
        self.target.add(block)

    in_introduction = in_part = in_briefing = in_text

    def in_outputs(self, block):
        self.warn(
            "outside-stage",
            f"Text outside any working group in {self.where()}: kept in the part's introduction.",
        )
        self.target.add(block)

    def in_group(self, block):
        group = self.group
        text = plain_words(block.text)
        if (
            not group["question"]
            and not group["stages"]
            and text.endswith("?")
            and not group["summary"]
        ):
            group["question"] = text
            return
        self.warn(
            "outside-stage",
            f"Text outside any stage in {self.where()}, kept as the group's summary: “{text[:60]}”",
        )
        group["summary"].add(block)

    def in_stage(self, block):
        outputs = self.group["stages"][self.stage]
        if block.kind != "item":
            self.warn(
                "outside-stage",
                f"A paragraph, not a list item, under “{self.stage.label}” in {self.where()}: "
                f"taken as an output: “{plain_words(block.text)[:60]}”",
            )
        output = self.field()
        output.add(Block(block.text))
        outputs.append(output)

    def in_annex(self, block):
        if block.kind == "item":
            self.state = "annex_themes"
            return self.in_annex_themes(block)
        self.annex["intro"].add(block)

    def in_annex_themes(self, block):
        if block.kind == "item":
            title, text = bold_lead(block.text)
            if not title:
                self.warn(
                    "unrecognised-heading", f"A key theme without a bold title: “{text[:60]}”"
                )
            self.annex["themes"].append((title, text))
        elif re.search(r"working\s+groups?", block.text, re.I):
            self.annex["groups_intro"].add(block)
            self.state = "annex_groups"
        else:
            self.state = "annex_end"
            self.in_annex_end(block)

    def in_annex_groups(self, block):
        if block.kind == "item":
            title, _ = bold_lead(block.text)
            summary = self.field()
            summary.add(Block(block.text))
            self.annex["groups"].append((title or plain_words(block.text)[:60], summary))
        else:
            self.state = "annex_end"
            self.in_annex_end(block)

    def in_annex_end(self, block):
        self.annex["end"].add(block)

    def close_group(self):
        if self.state not in {"group", "stage"}:
            return
        for stage in Stage:
            if not self.group["stages"].get(stage):
                self.warn("empty-stage", f"No outputs under “{stage.label}” in {self.where()}.")

    # The document
    def run(self):
        for block in self.blocks:
            self.feed(block)
        self.close_group()
        if not any(part["groups"] for part in self.parts):
            raise NoStructure(LOOKED_FOR)
        return ParsedPaper(self.document(), self.warnings)

    def document(self):
        main = self.consultation()
        consultations = [main]
        year = main["start_date"][:4]
        prefix = main["reference_prefix"]
        if record := self.builds_on(main["introduction"], prefix):
            main["builds_on"] = [record["slug"]]
            consultations.append(record)
        if self.annex:
            annex = self.annexed(prefix)
            main["summarises"] = [annex["slug"]]
            consultations.insert(1, annex)
        for part in self.parts:
            main["parts"].append(self.part_item(part, year))
        return {"format": FORMAT, "themes": [], "organisations": [], "consultations": consultations}

    def consultation(self):
        title, subtitle, source_title, dates = "", "", "", None
        for block in self.front:
            text = plain_words(block.text)
            if not title:
                title = text
            elif dates is None and (found := find_dates(text)):
                dates = found
                before = text[: found[3][0]].strip(" ,;–—-")
                subtitle = subtitle or before
            elif (
                re.search(r"\b(paper|report|briefing|summary)\b", text, re.I)
                and len(text.split()) <= 6
            ):
                source_title = source_title or text
            elif not subtitle:
                subtitle = text
        introduction = self.intro.markdown()
        if dates is None:
            dates = find_dates(plain_words(introduction))
        if dates is None:
            self.warn("no-date", "Found no date for the consultation: set to today; correct it.")
            dates = (date.today(), None, "day", (0, 0))
        start, end, precision, _ = dates
        participants = re.search(
            r"\b(?:involved|brought together|attended by|with)\s+(\d+)\b|"
            r"\b(\d+)\s+(?:[\w-]+\s+){0,3}?(?:participants|delegates|attendees|people|influencers)\b",
            plain_words(introduction),
        )
        venue_name = self.venue.split(",")[0] if self.venue else title
        return {
            "slug": f"{slug_words(title)}-{start.year}",
            "reference_prefix": f"{initials(venue_name)[:5] or 'C'}{start.year % 100:02d}",
            "title": title,
            "subtitle": subtitle,
            "status": "draft",
            "start_date": start.isoformat(),
            "end_date": end.isoformat() if end else None,
            "date_precision": precision,
            "venue": self.venue,
            "organisers": [],
            "participants": int(next(g for g in participants.groups() if g))
            if participants
            else None,
            "introduction": introduction,
            "conclusion": "",
            "source_title": source_title,
            "source_url": "",
            "builds_on": [],
            "summarises": [],
            "themes": [],
            "key_themes": [],
            "parts": [],
        }

    def builds_on(self, introduction, prefix):
        """An earlier consultation the introduction says this one builds on, as a
        short record: "builds on ... consultation Title held in November 2021"."""
        match = re.search(
            r"builds on\b[^.]*?\bconsultation,?\s+(.+?)\s+held in\s+([A-Za-z]+\s+\d{4})",
            plain_words(introduction),
        )
        if not match or not (found := find_dates(match.group(2))):
            return None
        title, start = match.group(1).strip(" ,“”\"'"), found[0]
        return self.short_record(title, "", start, found[2], prefix)

    def short_record(self, title, subtitle, start, precision, prefix):
        return {
            "slug": f"{slug_words(title)}-{start.year}",
            "reference_prefix": f"{prefix.rstrip('0123456789')}{start.year % 100:02d}",
            "title": title,
            "subtitle": subtitle,
            "status": "draft",
            "start_date": start.isoformat(),
            "end_date": None,
            "date_precision": precision,
            "venue": "",
            "organisers": [],
            "participants": None,
            "introduction": "",
            "conclusion": "",
            "source_title": "",
            "source_url": "",
            "builds_on": [],
            "summarises": [],
            "themes": [],
            "key_themes": [],
            "parts": [],
        }

    def annexed(self, prefix):
        """The earlier consultation an annex reports, with its key themes and its
        working groups' proposals (each group's words as its summary)."""
        annex = self.annex
        heading = plain_words(annex["heading"])
        match = re.match(r"^(.*?\bconsultation)\s+on\s+(.+)$", heading, re.I)
        if match:
            subtitle = match.group(1)[: -len("consultation")] + "Consultation"
            title = match.group(2)[0].upper() + match.group(2)[1:]
        else:
            subtitle, title = "", heading
        intro = annex["intro"].markdown()
        found = find_dates(plain_words(intro)) or find_dates(heading)
        if found is None:
            self.warn(
                "no-date", f"Found no date for the annexed consultation “{title}”: set to today."
            )
            found = (date.today(), None, "month", (0, 0))
        record = self.short_record(title, subtitle, found[0], found[2], prefix)
        if subtitle and self.venue and self.venue.split(",")[0].lower() in subtitle.lower():
            record["venue"] = self.venue
        record["introduction"] = intro
        record["conclusion"] = annex["end"].markdown()
        record["source_title"] = self.consultation_source_title()
        record["key_themes"] = [
            {"title": t, "text": self.clean_text(text)} for t, text in annex["themes"]
        ]
        if annex["groups"]:
            year = found[0].year
            intro_text = annex["groups_intro"].markdown()
            record["parts"] = [
                {
                    "number": 1,
                    "title": "Working groups' proposals"
                    if re.search(r"propos", intro_text, re.I)
                    else "Working groups' findings",
                    "introduction": intro_text,
                    "briefings": [],
                    "working_groups": [
                        {
                            "number": n,
                            "slug": f"{year}-p1-wg{n}-{slug_words(short_title(title))}",
                            "title": title,
                            "question": "",
                            "summary": summary.markdown(),
                            "themes": [],
                            "tags": [],
                            "outputs": {stage.value: [] for stage in Stage},
                        }
                        for n, (title, summary) in enumerate(annex["groups"], start=1)
                    ],
                }
            ]
        return record

    def consultation_source_title(self):
        for block in self.front[1:]:
            text = plain_words(block.text)
            if re.search(r"\b(paper|report)\b", text, re.I) and len(text.split()) <= 6:
                return text
        return ""

    def clean_text(self, text):
        field_ = self.field()
        field_.add(Block(text))
        return field_.markdown()

    def part_item(self, part, year):
        briefings = []
        for briefing in part["briefings"]:
            briefings.append(
                {
                    "slug": slug_words(briefing["title"]),
                    "title": briefing["title"],
                    "presenters": briefing["presenters"],
                    "partners": [],
                    "body": briefing["body"].markdown(),
                    "themes": [],
                    "tags": [],
                }
            )
        groups = []
        for group in part["groups"]:
            groups.append(
                {
                    "number": group["number"],
                    "slug": f"{year}-p{part['number']}-wg{group['number']}-"
                    f"{slug_words(short_title(group['title']))}",
                    "title": group["title"],
                    "question": group["question"],
                    "summary": group["summary"].markdown(),
                    "themes": [],
                    "tags": [],
                    "outputs": {
                        stage.value: [
                            {"text": output.markdown(), "themes": [], "tags": [], "partners": []}
                            for output in group["stages"].get(stage, [])
                        ]
                        for stage in Stage
                    },
                }
            )
        return {
            "number": part["number"],
            "title": part["title"],
            "introduction": part["intro"].markdown(),
            "briefings": briefings,
            "working_groups": groups,
        }


def strip_dangling(title):
    """A heading's text without the bracket a lost link left at its end."""
    return re.sub(r"\s*[\[(]\s*$", "", title).strip()


def bold_lead(text):
    """ "**Title**, the rest" → ("Title", "the rest"); ("", text) without a bold lead."""
    match = re.match(r"^\*\*(.+?)\*\*\s*[,;:–—-]?\s*(.*)$", text.strip(), re.S)
    if not match:
        return "", text
    return unescape(match.group(1)).strip(), match.group(2).strip()


def parse(blocks: list[Block]) -> ParsedPaper:
    """The content document a paper's blocks hold, and the warnings for its editor.

    Raises NoStructure if no working group is found. The document's consultation is
    a draft; its organisations, themes and tags are for `papers.linking` to fill.
    """
    return Parser(blocks).run()
