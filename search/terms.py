"""Words as the site search understands them, the same on every database.

Text is split into words here, in Python, and both databases are handed the
words ready-made (PostgreSQL as a tsvector literal, SQLite's FTS5 as words
separated by spaces). Neither database's own parser or stemmer decides what a
word is, so a query finds exactly the same items on both.

Matching: every term must match (AND); a term matches a word it is the start
of, case-insensitively ("procure" finds "Procurement"). A quoted phrase, or a
word joined by punctuation such as "SGH24-P1-WG3" or "AI@Socitm", must match
its words in that order, next to each other, within one field.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WORD = re.compile(r"[^\W_]+")
# Longer "words" (encoded data, runaway URLs) are not indexed: PostgreSQL
# refuses lexemes over 2 KB, and nobody searches for them.
MAX_WORD = 100
MAX_QUERY = 200
MAX_TERMS = 12
# PostgreSQL keeps positions up to 16,383; the words of each field are capped
# so that phrases match the same positions on both databases.
FIELD_WORDS = {"title": 300, "summary": 2000, "body": 14000}


def words(text):
    """The lower-cased words of `text`, as indexed and as searched."""
    normal = unicodedata.normalize("NFKC", text or "").lower()
    return [word for word in WORD.findall(normal) if len(word) <= MAX_WORD]


def field_words(text, field):
    return words(text)[: FIELD_WORDS[field]]


@dataclass(frozen=True)
class Query:
    """A parsed search: `terms` is a tuple of phrases, each a tuple of words."""

    text: str
    terms: tuple
    shortened: bool = False

    def __bool__(self):
        return bool(self.terms)

    def fts5(self):
        """The SQLite FTS5 match expression: each phrase with its last word a prefix."""
        return " AND ".join('"' + " ".join(term) + '"*' for term in self.terms)

    def tsquery(self):
        """The PostgreSQL tsquery literal, taken as it is (no parser, no stemming)."""
        return " & ".join(
            " <-> ".join([*(f"'{word}'" for word in term[:-1]), f"'{term[-1]}':*"])
            for term in self.terms
        )

    def prefixes(self):
        return {word for term in self.terms for word in term}


def parse(text):
    """Read what someone typed; never fails, whatever the input."""
    text = (text or "").strip()
    shortened = len(text) > MAX_QUERY
    text = text[:MAX_QUERY].strip()
    terms = []
    for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', text):
        term = tuple(words(quoted or bare))
        if term and term not in terms:
            terms.append(term)
    return Query(text=text, terms=tuple(terms[:MAX_TERMS]), shortened=shortened)


def highlight(text, query):
    """`text`, escaped, with each word that a search term starts marked by <mark>."""
    prefixes = query.prefixes()
    if not prefixes:
        return conditional_escape(text)
    parts, end = [], 0
    for match in WORD.finditer(text):
        found = words(match.group())
        if found and any(found[0].startswith(prefix) for prefix in prefixes):
            parts.append(conditional_escape(text[end : match.start()]))
            parts.append(f"<mark>{conditional_escape(match.group())}</mark>")
            end = match.end()
    parts.append(conditional_escape(text[end:]))
    return mark_safe("".join(parts))


def excerpt(text, query, length=40):
    """About `length` words of `text` around the first word a search term starts."""
    prefixes = query.prefixes()
    chunks = text.split()
    first = next(
        (
            index
            for index, chunk in enumerate(chunks)
            if any(word.startswith(prefix) for word in words(chunk) for prefix in prefixes)
        ),
        0,
    )
    start = max(0, first - length // 4)
    shown = " ".join(chunks[start : start + length])
    if start > 0:
        shown = "… " + shown
    if start + length < len(chunks):
        shown += " …"
    return shown
