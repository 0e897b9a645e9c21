"""Variant papers, written in the tests as text, as Word files and as PDFs.

`PAPER` is the structure; `as_text`, `as_docx` and `as_pdf` write it in the ways
the St George's House template varies ("Part I" or "Part 2", "Insight: Presenter -
Title" or "Insight: Presenter: Title", hyphens or dashes, bullets or numbers).
"""

import io
import logging
import re
from pathlib import Path

from workinggroups.models import Stage

# Debian's fonts-dejavu-core: a font with dashes, curly quotes and superscripts.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

PAPER = {
    "title": "Towards Resilient Places: Findings into Practice",
    "source": "Background paper",
    "subtitle": "Socitm / St George’s House Consultation",
    "dates": "Tuesday 4th March – Wednesday 5th March 2025",
    "introduction": [
        "This third consultation brought together 32 participants from councils, "
        "universities and suppliers to look at resilient places.",
        "Its findings will inform the [Socitm Institute’s](#) work on "
        "[place-based leadership](https://socitm.net/leadership).",
    ],
    "parts": [
        {
            "number": 1,
            "title": "Resilient Places: Data and Devolution",
            "introduction": "The first day looked at data, devolution and the places using them.",
            "briefings": [
                {
                    "presenters": ["Socitm Institute"],
                    "title": "Reimagining Resilient Places",
                    "body": [
                        "The Socitm Institute team described resilient places¹ and how "
                        "Leeds City Council shares data with its partners.",
                    ],
                    "footnote": "As defined by the National Cyber Security Centre (NCSC).",
                },
                {
                    "presenters": ["Department for Science, Innovation and Technology"],
                    "title": "Secure Resilient Places",
                    "body": [
                        "The department published a playbook. About 40",
                        "of the councils asked have used it so far.",
                    ],
                    "page_break_after": 0,
                },
            ],
            "groups": [
                {
                    "number": 1,
                    "title": "Data for Places – Large and Small",
                    "question": "How can data help places of every size?",
                    "outputs": {
                        Stage.WORKED_WELL: [
                            "Data sharing between councils during the floods.",
                            "Leeds City Council’s open data portal.",
                        ],
                        Stage.CHANGES_NEEDED: [
                            "Agree data standards across the region.",
                            "Recruit and train for the skills of the future.",
                        ],
                        Stage.PRACTICAL_STEPS: [
                            "Publish a shared data catalogue.",
                        ],
                        Stage.COLLABORATION: [
                            "LOTI and iNetwork should pool their guidance.",
                            "Socitm could convene a regional data network.",
                        ],
                    },
                },
                {
                    "number": 2,
                    "title": "Devolution in Practice",
                    "question": "What does devolution change for digital services?",
                    "outputs": {
                        Stage.WORKED_WELL: ["Combined authorities sharing platforms."],
                        Stage.CHANGES_NEEDED: ["Fund digital work for longer than a year."],
                        Stage.PRACTICAL_STEPS: [
                            "Map which services are best delivered locally.",
                            "Start from local needs, then agree a national baseline.",
                        ],
                        Stage.COLLABORATION: ["Work with Fernhill District Council on pilots."],
                    },
                },
            ],
        },
        {
            "number": 2,
            "title": "Resilient Places: AI and Emerging Technologies",
            "introduction": "The second day turned to AI.",
            "briefings": [
                {
                    "presenters": ["Harbourside Analytics", "PUBLIC.io"],
                    "title": "Buying AI Well",
                    "body": [
                        "Councils are buying AI more narrowly than central government:",
                        ("item", "chatbots for customer service;"),
                        ("item", "back-office automation."),
                        "Suppliers will be chosen by what they show at a pitch day.",
                    ],
                },
            ],
            "groups": [
                {
                    "number": 1,
                    "title": "Responsible AI / Emerging Technologies",
                    "question": "How can we use AI safely in local public services?",
                    "outputs": {
                        Stage.WORKED_WELL: ["Using AI to inform decisions, not to make them."],
                        Stage.CHANGES_NEEDED: [
                            "Explain AI in plain words, with practical examples.",
                        ],
                        Stage.PRACTICAL_STEPS: [
                            "Keep a human in the loop for every decision about a resident.",
                            "Publish an AI register.",
                        ],
                        Stage.COLLABORATION: ["PUBLIC could help councils with procurement."],
                    },
                },
            ],
        },
    ],
    "closing": [
        "ST GEORGE’S HOUSE",
        "St George’s House, Windsor Castle, Windsor SL4 1NJ",
    ],
}

STYLES = {
    # part numbering, insight separator, group separator, bullet
    "roman-hyphen-dash": ("roman", " - ", " - ", "-"),
    "arabic-colon-endash": ("arabic", ": ", " – ", "•"),
    "roman-emdash-star": ("roman", " — ", " — ", "*"),
    "arabic-hyphen-numbered": ("arabic", " - ", " - ", "1."),
}


def roman(number):
    return ["", "I", "II", "III", "IV", "V"][number]


def part_heading(part, numbering):
    number = roman(part["number"]) if numbering == "roman" else part["number"]
    return f"Part {number}: {part['title']}"


def insight_heading(briefing, separator):
    return f"Insight: {' /'.join(briefing['presenters'])}{separator}{briefing['title']}"


def group_heading(group, separator):
    return f"WG {group['number']}. {group['title']}{separator}{group['question']}"


def expected_outputs(paper=PAPER):
    """[(part, group, stage, order, text)] as the paper lists them."""
    return [
        (part["number"], group["number"], stage.value, order, text)
        for part in paper["parts"]
        for group in part["groups"]
        for stage in Stage
        for order, text in enumerate(group["outputs"][stage], start=1)
    ]


def got_outputs(document):
    consultation = document["consultations"][0]
    return [
        (part["number"], group["number"], stage.value, order, output["text"])
        for part in consultation["parts"]
        for group in part["working_groups"]
        for stage in Stage
        for order, output in enumerate(group["outputs"][stage.value], start=1)
    ]


def _paragraphs(briefing):
    for item in briefing["body"]:
        yield ("item", item[1]) if isinstance(item, tuple) else ("paragraph", item)


def as_text(style, paper=PAPER):
    numbering, insight_sep, group_sep, bullet = STYLES[style]
    lines = [paper["title"], paper["source"], f"**{paper['subtitle']}\n{paper['dates']}**"]
    lines += ["Introduction", *paper["introduction"]]
    for part in paper["parts"]:
        lines += [part_heading(part, numbering), part["introduction"]]
        for briefing in part["briefings"]:
            lines.append(insight_heading(briefing, insight_sep))
            for kind, text in _paragraphs(briefing):
                lines.append(f"- {text}" if kind == "item" else text)
            if "footnote" in briefing:
                lines.append(f"¹ {briefing['footnote']}")
        lines.append("Working Groups Outputs")
        for group in part["groups"]:
            lines.append(group_heading(group, group_sep))
            for stage in Stage:
                lines.append(str(stage.label))
                lines.append(
                    "\n".join(
                        f"{n}. {text}" if bullet == "1." else f"{bullet} {text}"
                        for n, text in enumerate(group["outputs"][stage], start=1)
                    )
                )
    lines += paper["closing"]
    return "\n\n".join(lines).encode()


def as_docx(style, paper=PAPER):
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    numbering, insight_sep, group_sep, bullet = STYLES[style]
    list_style = "List Number" if bullet == "1." else "List Bullet"
    document = docx.Document()
    document.add_heading(paper["title"], level=0)
    document.add_paragraph(paper["source"], style="Subtitle")
    front = document.add_paragraph()
    front.add_run(f"{paper['subtitle']} {paper['dates']}").bold = True
    document.add_heading("Introduction", level=1)
    for text in paper["introduction"]:
        add_markdown_paragraph(document, text, RT, OxmlElement, qn)
    footnotes = []
    for part in paper["parts"]:
        document.add_heading(part_heading(part, numbering), level=1)
        document.add_paragraph(part["introduction"])
        for briefing in part["briefings"]:
            document.add_heading(insight_heading(briefing, insight_sep), level=2)
            for kind, text in _paragraphs(briefing):
                if kind == "item":
                    document.add_paragraph(text, style="List Bullet")
                elif "¹" in text:
                    before, after = text.split("¹")
                    paragraph = document.add_paragraph(before)
                    footnotes.append(briefing["footnote"])
                    add_footnote_reference(paragraph, len(footnotes), OxmlElement, qn)
                    paragraph.add_run(after)
                else:
                    document.add_paragraph(text)
        document.add_heading("Working Groups Outputs", level=2)
        for group in part["groups"]:
            document.add_heading(group_heading(group, group_sep), level=3)
            for stage in Stage:
                document.add_heading(str(stage.label), level=4)
                for text in group["outputs"][stage]:
                    document.add_paragraph(text, style=list_style)
    for text in paper["closing"]:
        document.add_paragraph(text)
    if footnotes:
        add_footnotes_part(document, footnotes, RT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def add_markdown_paragraph(document, text, RT, OxmlElement, qn):
    """A paragraph whose `[words](address)` become Word hyperlinks."""
    paragraph = document.add_paragraph()
    position = 0
    for match in re.finditer(r"\[([^\]]+)\]\(([^)]+)\)", text):
        paragraph.add_run(text[position : match.start()])
        words, address = match.groups()
        link = OxmlElement("w:hyperlink")
        if address.startswith("#"):
            link.set(qn("w:anchor"), address[1:] or "top")
        else:
            link.set(qn("r:id"), paragraph.part.relate_to(address, RT.HYPERLINK, is_external=True))
        run = OxmlElement("w:r")
        node = OxmlElement("w:t")
        node.text = words
        run.append(node)
        link.append(run)
        paragraph._p.append(link)
        position = match.end()
    paragraph.add_run(text[position:])


def add_footnote_reference(paragraph, number, OxmlElement, qn):
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    properties.append(align)
    run.append(properties)
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), str(number))
    run.append(reference)
    paragraph._p.append(run)


def add_footnotes_part(document, notes, RT):
    from xml.sax.saxutils import escape

    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:footnote>'
        for n, text in enumerate(notes, start=1)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:footnotes xmlns:w="{namespace}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p/></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p/></w:footnote>'
        f"{body}</w:footnotes>"
    )
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    part = Part(PackURI("/word/footnotes.xml"), content_type, xml.encode(), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def as_pdf(style, paper=PAPER):
    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it narrates font subsetting

    numbering, insight_sep, group_sep, bullet = STYLES[style]

    class Paper(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("DejaVu", size=9)
            self.cell(0, 5, str(self.page_no()), align="C")  # a page number, to be dropped

    pdf = Paper()
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=20)

    def new_page():
        pdf.add_page()

    def heading(text, size):
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    def paragraph(text, markdown=False):
        pdf.set_font("DejaVu", size=11)
        pdf.multi_cell(0, 6, text, markdown=markdown, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    def item(text, marker):
        pdf.set_font("DejaVu", size=11)
        x = pdf.l_margin
        pdf.cell(8, 6, marker)
        pdf.set_x(x + 8)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    new_page()
    heading(paper["title"], 20)
    paragraph(paper["source"])
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, f"{paper['subtitle']}\n{paper['dates']}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    heading("Introduction", 16)
    for text in paper["introduction"]:
        # A PDF link to nowhere is not a link at all: those are plain words here.
        paragraph(re.sub(r"\[([^\]]+)\]\(#\)", r"\1", text), markdown=True)
    for part in paper["parts"]:
        heading(part_heading(part, numbering), 16)
        paragraph(part["introduction"])
        for briefing in part["briefings"]:
            heading(insight_heading(briefing, insight_sep), 13)
            for index, (kind, text) in enumerate(_paragraphs(briefing)):
                if kind == "item":
                    item(text, "•")
                else:
                    paragraph(text)
                if briefing.get("page_break_after") == index:
                    new_page()  # the sentence goes on over the page
            if "footnote" in briefing:
                pdf.set_font("DejaVu", size=8)
                pdf.multi_cell(0, 4, f"¹ {briefing['footnote']}", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(4)
        heading("Working Groups Outputs", 13)
        for group in part["groups"]:
            heading(group_heading(group, group_sep), 12)
            for stage in Stage:
                heading(str(stage.label), 11.5)
                for n, text in enumerate(group["outputs"][stage], start=1):
                    item(text, f"{n}." if bullet == "1." else bullet)
    new_page()
    for text in paper["closing"]:
        paragraph(text)
    return bytes(pdf.output())
