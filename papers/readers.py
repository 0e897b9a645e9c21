"""Read a consultation paper's file into a list of text blocks.

The type is chosen from the content: `%PDF-` starts a PDF, a zip holding
`word/document.xml` is a Word file, anything else must be UTF-8 text (Markdown or
plain). A file whose name claims a type its content does not have is refused.

Every reader gives the same thing: `Block`s in reading order, their text written as
Markdown inline text (`**bold**`, `[words](address)`), footnote marks as Unicode
superscript digits and footnotes themselves as blocks of kind "footnote". What the
blocks mean (a part, a briefing, an output) is for `papers.parsing` to decide.
"""

import contextlib
import io
import itertools
import re
import statistics
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from tqdm import tqdm

SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
BULLET = re.compile(r"^\s*(?:[-•*–▪◦●]|(\d{1,3})[.)])\s+")
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
FOOTNOTE = re.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*(.*)$", re.S)
TERMINAL = tuple(".,;:!?")


class ReadError(ValueError):
    """The file cannot be read as a paper; the message says why."""


@dataclass
class Block:
    """One paragraph, heading, list item or footnote of the paper.

    `styled` is true when the file itself marks the block as a heading (a Word
    heading style, a Markdown `#`, a larger or bold font in a PDF); a heading
    guessed from a short line of plain text is not styled.
    """

    text: str
    kind: str = "paragraph"  # heading | paragraph | item | footnote
    level: int = 0
    ordered: bool = False
    styled: bool = False
    number: int = 0  # a footnote's number


@dataclass
class Source:
    kind: str  # text | docx | pdf
    blocks: list[Block] = field(default_factory=list)


def sniff(data: bytes, name: str = "") -> str:
    """The file's type from its content; raise ReadError if it contradicts `name`."""
    if not data.strip():
        raise ReadError("The file is empty.")
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if data.startswith(b"%PDF-"):
        kind = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                is_word = "word/document.xml" in archive.namelist()
        except zipfile.BadZipFile:
            is_word = False
        if not is_word:
            raise ReadError(f"{name or 'The file'} is a zip archive but not a Word (.docx) file.")
        kind = "docx"
    else:
        kind = "text"
    claimed = {"pdf": "pdf", "docx": "docx"}.get(suffix)
    if claimed and claimed != kind:
        raise ReadError(
            f"{name} is not what its name claims: its content is not a "
            f"{'PDF' if claimed == 'pdf' else 'Word (.docx) file'}."
        )
    return kind


def read(data: bytes, name: str = "", *, progress: bool = False) -> Source:
    kind = sniff(data, name)
    if kind == "pdf":
        blocks = read_pdf(data, progress=progress)
    else:
        blocks = read_docx(data) if kind == "docx" else read_text(data)
    if not any(block.text.strip() for block in blocks):
        raise ReadError(f"{name or 'The file'} holds no text.")
    return Source(kind, blocks)


def classify(text: str, *, styled_heading: bool = False, level: int = 0) -> Block:
    """A block for one paragraph's text: a footnote, a list item or a paragraph; a
    short line without closing punctuation is taken for an (unstyled) heading."""
    text = text.strip()
    if styled_heading:
        return Block(text, "heading", level=level, styled=True)
    if note := FOOTNOTE.match(text):
        number = int(note.group(1).translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")))
        return Block(note.group(2).strip(), "footnote", number=number)
    if bullet := BULLET.match(text):
        return Block(text[bullet.end() :].strip(), "item", ordered=bool(bullet.group(1)))
    words = text.split()
    if 0 < len(words) <= 12 and not text.endswith(TERMINAL) and text[0].isupper():
        return Block(text, "heading")
    return Block(text)


def read_text(data: bytes) -> list[Block]:
    """Markdown or plain text: blank lines part paragraphs, and a line opened by a
    bullet (`-`, `•`, `*`) or a number (`1.`) starts a list item."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError("The file is not UTF-8 text, a Word (.docx) file or a PDF.") from None
    if "\x00" in text:
        raise ReadError("The file is not UTF-8 text, a Word (.docx) file or a PDF.")
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines: list[str] = []
        for line in chunk.splitlines():
            if BULLET.match(line) or not lines:
                lines.append(line.strip())
            else:
                lines[-1] += " " + line.strip()  # a hard-wrapped line goes on
        for line in lines:
            if heading := MARKDOWN_HEADING.match(line):
                blocks.append(
                    classify(heading.group(2), styled_heading=True, level=len(heading.group(1)))
                )
            elif line:
                blocks.append(classify(line))
    return blocks


# Word --------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _bold(text, bold):
    if not bold or not text.strip():
        return text
    inner = text.strip()
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return f"{lead}**{inner}**{trail}"


def _merge_bold(text):
    return text.replace("****", "").replace("** **", " ")


def _run_text(run, footnote_numbers):
    parts = []
    for child in run._r:
        if child.tag == f"{W}footnoteReference":
            key = child.get(f"{W}id")
            number = footnote_numbers.setdefault(key, len(footnote_numbers) + 1)
            parts.append(str(number).translate(SUPERSCRIPTS))
    text = run.text
    if run.font.superscript and text.strip().isdigit():
        text = text.strip().translate(SUPERSCRIPTS)
    return _bold(text, run.bold) + "".join(parts)


def _paragraph_text(paragraph, footnote_numbers):
    from docx.text.hyperlink import Hyperlink

    pieces = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink):
            words = "".join(_run_text(run, footnote_numbers) for run in item.runs)
            address = item.address or (f"#{item.fragment}" if item.fragment else "#")
            pieces.append(f"[{words}]({address})")
        else:
            pieces.append(_run_text(item, footnote_numbers))
    return _merge_bold("".join(pieces))


def _list_kind(paragraph, numbering):
    """(is a list item, is numbered) from the paragraph's style or numbering."""
    style = paragraph.style.name if paragraph.style is not None else ""
    num_pr = paragraph._p.find(f"{W}pPr/{W}numPr")
    if num_pr is None and not style.startswith("List"):
        return False, False
    ordered = "Number" in style
    if num_pr is not None and numbering is not None:
        num_id = num_pr.find(f"{W}numId")
        level = num_pr.find(f"{W}ilvl")
        ordered = _numbered(
            numbering,
            num_id.get(f"{W}val") if num_id is not None else None,
            level.get(f"{W}val") if level is not None else "0",
        )
    return True, ordered


def _numbered(numbering, num_id, level):
    for num in numbering.findall(f"{W}num"):
        if num.get(f"{W}numId") != num_id:
            continue
        abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
        for abstract in numbering.findall(f"{W}abstractNum"):
            if abstract.get(f"{W}abstractNumId") != abstract_id:
                continue
            for lvl in abstract.findall(f"{W}lvl"):
                if lvl.get(f"{W}ilvl") == level:
                    fmt = lvl.find(f"{W}numFmt")
                    return fmt is not None and fmt.get(f"{W}val") not in {"bullet", "none"}
    return False


def _footnotes(document):
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    try:
        part = document.part.part_related_by(RT.FOOTNOTES)
    except KeyError:
        return {}
    root = etree.fromstring(part.blob)
    notes = {}
    for note in root.findall(f"{W}footnote"):
        if note.get(f"{W}type") in {"separator", "continuationSeparator", "continuationNotice"}:
            continue
        texts = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in note.iter(f"{W}p")]
        notes[note.get(f"{W}id")] = " ".join(t.strip() for t in texts if t.strip())
    return notes


def read_docx(data: bytes) -> list[Block]:
    """A Word file: heading styles make headings (Title is level 0), list styles or
    numbering make list items, and footnotes follow the text as footnote blocks."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ReadError(f"The Word file cannot be read: {error}") from error
    numbering = None
    with contextlib.suppress(KeyError, NotImplementedError):
        numbering = document.part.numbering_part.element
    footnote_numbers: dict = {}
    blocks = []
    for paragraph in document.paragraphs:
        text = _paragraph_text(paragraph, footnote_numbers).strip()
        if not text:
            continue
        style = paragraph.style.name if paragraph.style is not None else ""
        if style == "Title" or style.startswith("Heading"):
            level = int(style.split()[-1]) if style.split()[-1].isdigit() else 0
            blocks.append(classify(text.strip("*").strip(), styled_heading=True, level=level))
            continue
        is_item, ordered = _list_kind(paragraph, numbering)
        if is_item:
            blocks.append(Block(text, "item", ordered=ordered))
        else:
            block = classify(text)
            blocks.append(Block(block.text, "paragraph") if block.kind == "heading" else block)
    notes = _footnotes(document)
    for key, number in footnote_numbers.items():
        if key in notes:
            blocks.append(Block(notes[key], "footnote", number=number))
    return blocks


# PDF ---------------------------------------------------------------------------


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    size: float
    bold: bool
    text: str


def _is_bold(fontname):
    return bool(re.search(r"bold|black|heavy|semibold", fontname or "", re.I))


def _in_link(word, links):
    x = (word["x0"] + word["x1"]) / 2
    y = (word["top"] + word["bottom"]) / 2
    for link in links:
        if link["x0"] <= x <= link["x1"] and link["top"] <= y <= link["bottom"]:
            return link.get("uri") or "#"
    return None


def _line_text(words, body_size, links):
    """Words of one line as Markdown: bold runs in `**`, linked words as
    `[words](address)`, small raised digits as superscript footnote marks."""
    out = []
    previous = None
    for word in words:
        text = word["text"]
        small = word["size"] < body_size * 0.8
        if small and text.isdigit() and previous is not None and word["x0"] - previous["x1"] < 2:
            out[-1] = (out[-1][0] + text.translate(SUPERSCRIPTS), out[-1][1], out[-1][2])
            previous = word
            continue
        out.append((text, _is_bold(word["fontname"]), _in_link(word, links)))
        previous = word
    pieces = []
    for (bold, link), group in _runs(out):
        text = " ".join(group)
        if link:
            # Words carry their punctuation; a link's closing stop is not part of it.
            words = text.rstrip(".,;:!?")
            text = f"[{words}]({link}){text[len(words) :]}"
        pieces.append(_bold(text, bold))
    return " ".join(pieces)


def _runs(items):
    current, group = None, []
    for text, bold, link in items:
        if (bold, link) != current and group:
            yield current, group
            group = []
        current = (bold, link)
        group.append(text)
    if group:
        yield current, group


def _page_lines(page, number):
    words = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
    links = [
        {**link, "top": link["top"] - 1, "bottom": link["bottom"] + 1} for link in page.hyperlinks
    ]
    rows = []
    for word in sorted(words, key=lambda w: (round(w["bottom"]), w["x0"])):
        # A superscript sits higher than its line; group by the line's baseline.
        if rows and abs(rows[-1][-1]["bottom"] - word["bottom"]) <= 4:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [(number, sorted(row, key=lambda w: w["x0"]), links) for row in rows]


def read_pdf(data: bytes, *, progress: bool = False) -> list[Block]:
    """A PDF, from its text layout: a larger or bold font makes a heading, a wider
    gap a new paragraph, a bullet or number a list item, small text opened by a
    superscript number at the foot of a page a footnote. Page numbers are dropped."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = list(pdf.pages)
    except (PDFSyntaxError, ValueError, TypeError, KeyError) as error:
        raise ReadError(f"The PDF cannot be read: {error}") from error
    with pdf:
        rows = []
        for number, page in enumerate(tqdm(pages, desc="Reading pages", disable=not progress)):
            rows.extend(_page_lines(page, number))
    sizes = Counter(round(w["size"], 1) for _, row, _ in rows for w in row for _ in w["text"])
    if not sizes:
        return []
    body = sizes.most_common(1)[0][0]
    lines = []
    for number, row, links in rows:
        text = _line_text(row, body, links).strip()
        if not text or re.fullmatch(r"(page\s+)?\d+(\s+of\s+\d+)?", text, re.I):
            continue
        main = statistics.median(w["size"] for w in row)
        lines.append(
            _Line(
                page=number,
                top=min(w["top"] for w in row),
                bottom=max(w["bottom"] for w in row),
                x0=row[0]["x0"],
                size=main,
                bold=all(_is_bold(w["fontname"]) for w in row),
                text=text,
            )
        )
    return _pdf_blocks(lines, body)


def _pdf_blocks(lines, body):
    heading_sizes = sorted({round(li.size) for li in lines if li.size > body * 1.15}, reverse=True)
    gaps = [
        b.top - a.bottom
        for a, b in itertools.pairwise(lines)
        if a.page == b.page and abs(a.size - body) < 0.5 and abs(b.size - body) < 0.5
    ]
    usual_gap = statistics.median(gaps) if gaps else body * 0.3
    blocks = []
    last = None  # the previous line, whether it was a heading, where its block began
    for line in lines:
        is_heading = line.size > body * 1.15 or (line.bold and line.text.startswith("**"))
        is_note = line.size < body * 0.9 and bool(FOOTNOTE.match(line.text))
        text = line.text.strip("*").strip() if is_heading else line.text
        current = blocks[-1] if blocks else None
        new_block = (
            last is None
            # a new page, unless an item's indented lines go on over it
            or (
                line.page != last[0].page and not (current.kind == "item" and line.x0 > last[2] + 2)
            )
            or line.top - last[0].bottom > usual_gap + body * 0.5
            or is_heading != last[1]
            or (is_heading and abs(line.size - last[0].size) > 0.3)
            or (BULLET.match(text) and not is_heading)
            or is_note
            or (current.kind == "footnote" and line.size >= body * 0.9)
            # an item goes on only in lines indented past its bullet
            or (current.kind == "item" and line.x0 <= last[2] + 2)
        )
        if not new_block:
            current.text = _merge_bold(f"{current.text} {text}")
            last = (line, is_heading, last[2])
            continue
        if is_heading:
            level = heading_sizes.index(round(line.size)) + 1 if line.size > body * 1.15 else 9
            blocks.append(Block(text, "heading", level=level, styled=True))
        else:
            block = classify(text)
            if block.kind == "heading":  # the layout says it is not one
                block = Block(block.text)
            blocks.append(block)
        last = (line, is_heading, line.x0)
    return blocks
