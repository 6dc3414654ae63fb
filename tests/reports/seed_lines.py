"""The ministry's report text and ours, each read into the same rows of cells, so they compare line by line.

A row is a tuple of cell texts: a title line is one cell, a goal or indicator line three (text, status,
development), a key figure three (text, the area's value, Hele landet's value; "" where the cell is blank).

The seed text (tests/fixtures/seed/) is the ministry's own export and has artefacts, undone here by rules that
each change only layout, never a word or a figure:

1. blank lines carry nothing;
2. cells are separated by tabs; a leading tab is a blank first cell;
3. a goal flattened into one line of `<p>` paragraphs (goals 6-9 in the seed) is the goal row followed by its
   indicator rows: the text cell's paragraphs are the goal and its indicators, the development cell's are
   "Siden YYYY" and then per indicator either "Opgøres ikke" or its status and development;
4. the table head repeated at a page break ("\tAktuel status\t...") counts once;
5. a key-figure block lists its titles, then the column heads ("Aalborg", "Hele landet"), then one line of
   values per title: it is the head row and one row per key figure, title beside its values;
6. Markdown around the text is dropped: "[Nøgletal 1](#)" is "Nøgletal 1", "<https://…>" is the address.

Our report is read from its HTML: the title, the goal table (goal rows without the movement badge and its
wording, which the seed's text lost), the key-figure blocks and the notes. The publisher line, the movement
legend and conditional notes (suppressed figures) are ours and are listed in ``REPORT_ADDITIONS``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

Row = tuple[str, ...]

# What our report prints that the seed does not (checked to be present, then left out of the comparison).
REPORT_ADDITIONS = ("publisher", "legend")


def _clean(text: str) -> str:
    text = re.sub(r"\[(Nøgletal \d+)\]\(#\)", r"\1", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    return " ".join(text.replace("\xa0", " ").split())


def _paragraphs(cell: str) -> list[str]:
    return [_clean(p) for p in re.findall(r"<p>(.*?)</p>", cell)]


def _flattened_goal(line: str) -> list[Row]:
    """Rule 3: one `<p>` line → the goal row and its indicator rows."""
    text, year, dev = line.split("\t")
    goal, *indicators = _paragraphs(text)
    since, *values = _paragraphs(dev)
    rows: list[Row] = [(goal, _clean(year), since)]
    for indicator in indicators:
        if values[0] == "Opgøres ikke":
            rows.append((indicator, "", values.pop(0)))
        else:
            rows.append((indicator, values.pop(0), values.pop(0)))
    assert not values, f"figures left over in {line[:60]!r}"
    return rows


def seed_rows(text: str) -> list[Row]:
    """The seed report's text as rows (rules 1-6 above)."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]  # rule 1
    rows: list[Row] = []
    heads: set[Row] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<p>" in line:
            rows.extend(_flattened_goal(line))
        elif line.startswith("[Nøgletal"):  # rule 5: titles, two column heads, then the values
            titles = []
            while lines[i].startswith("[Nøgletal"):
                titles.append(_clean(lines[i]))
                i += 1
            local, national = lines[i], lines[i + 1]
            values = [tuple(_clean(c) for c in v.split("\t")) for v in lines[i + 2: i + 2 + len(titles)]]
            rows.append(("", local, national))
            rows.extend((title, *value) for title, value in zip(titles, values, strict=True))
            i += 2 + len(titles)
            continue
        else:
            row = tuple(_clean(c) for c in line.split("\t"))  # rule 2
            if row[0] == "" and row in heads:  # rule 4
                i += 1
                continue
            if row[0] == "":
                heads.add(row)
            rows.append(row)
        i += 1
    return rows


class _ReportReader(HTMLParser):
    """Collects the report's rows from its HTML by structure (see the template), skipping ours-only parts."""

    SKIP_CLASSES = frozenset({"movement", "basis", "legend", "publisher", "synthetic-banner", "sig"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[Row] = []
        self.found: set[str] = set()
        self._cells: list[str] | None = None
        self._text: list[str] | None = None
        self._skip = 0
        self._stack: list[tuple[str, bool]] = []  # (tag, skipping) to close skips at the right end tag
        self._in_head = 0
        self._block: str | None = None  # h1, h2 or p collected as one-cell rows

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "col", "meta", "link"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        skipping = bool(classes & self.SKIP_CLASSES)
        for name in classes & {"legend", "publisher"}:
            self.found.add(name)
        self._stack.append((tag, skipping))
        if skipping:
            self._skip += 1
        if tag in ("head", "style", "title"):
            self._in_head += 1
        if self._skip or self._in_head:
            return
        if tag == "tr":
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._text = []
        elif tag in ("h1", "h2") or (tag == "p" and self._cells is None):
            self._block, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, skipping = self._stack.pop()
            if skipping:
                self._skip -= 1
            if open_tag in ("head", "style", "title"):
                self._in_head -= 1
            if open_tag == tag:
                break
        if self._skip or self._in_head:
            return
        if tag in ("td", "th") and self._cells is not None and self._text is not None:
            self._cells.append(_clean("".join(self._text)))
            self._text = None
        elif tag == "tr" and self._cells is not None:
            self.rows.append(tuple(self._cells))
            self._cells = None
        elif tag == self._block and self._text is not None:
            self.rows.append((_clean("".join(self._text)),))
            self._block, self._text = None, None

    def handle_data(self, data: str) -> None:
        if self._text is not None and not self._skip and not self._in_head:
            self._text.append(data)


def report_rows(html: str) -> tuple[list[Row], set[str]]:
    """Our report's rows from its HTML, and which of ``REPORT_ADDITIONS`` it carries."""
    reader = _ReportReader()
    reader.feed(html)
    rows = [r for r in reader.rows if any(r)]
    return rows, reader.found
