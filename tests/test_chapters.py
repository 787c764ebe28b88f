"""The chapters keep the anatomy every chapter shares (STYLE.md, "Chapters").

Each chapter notebook (book/chNN_*.ipynb) opens with its label and title, asserts its claims in
hidden cells, has captioned figures that the text refers to, the misconceptions, summary,
exercises (each with a hidden solution) and references sections, and cites only entries of
book/references.bib. The errata appendix links only to sections that exist, and the glossary
has three columns on every row. The rendered result is checked in tests/browser.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("ch[0-9][0-9]_*.ipynb"))
BIB_KEYS = set(re.findall(r"^@\w+\{([^,]+),", (BOOK / "references.bib").read_text(), re.M))
LABEL = re.compile(r"^\(([\w-]+)\)=\s*$", re.M)


def _markdown(nb):
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _labels():
    # Every MyST target "(name)=" in the book's notebooks and Markdown pages.
    found = set()
    for path in BOOK.rglob("*"):
        if "_build" in path.parts:
            continue
        if path.suffix == ".ipynb":
            found |= set(LABEL.findall(_markdown(nbformat.read(path, as_version=4))))
        elif path.suffix == ".md":
            found |= set(LABEL.findall(path.read_text()))
    return found


def test_the_four_chapters_of_parts_one_and_two_exist():
    names = [p.stem for p in CHAPTERS]
    for stem in ("ch01_training_loop", "ch02_gradient_descent", "ch03_sgd", "ch04_overfitting"):
        assert stem in names


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_anatomy(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source.splitlines()
    assert re.fullmatch(r"\(ch-[\w-]+\)=", first[0]) and first[1].startswith("# "), first[:2]
    text = _markdown(nb)
    assert "earning goals" in text
    for heading in ("## Common misconceptions", "## Summary", "## Exercises", "## References"):
        assert heading in text, f"{path.name} lacks the section {heading!r}"

    # Claims asserted in hidden cells.
    hidden = [c for c in nb.cells if c.cell_type == "code"
              and "remove-input" in c.metadata.get("tags", [])]  # fmt: skip
    assert sum("assert " in c.source for c in hidden) >= 3, "fewer than 3 hidden assert cells"
    for c in hidden:
        assert not any(o.get("output_type") == "stream" for o in c.outputs), (
            "a hidden cell prints: its input is removed, so the output would stand alone"
        )

    # Captioned figures that the text refers to, each drawing one image.
    figures = [c for c in nb.cells if "figure" in c.metadata.get("mystnb", {})]
    assert len(figures) >= 3
    for c in figures:
        fig = c.metadata["mystnb"]["figure"]
        assert fig.get("caption", "").strip() and fig.get("name", "").startswith("fig-")
        assert f"{{numref}}`{fig['name']}`" in text, f"{fig['name']} is never referred to"
        images = [o for o in c.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, f"{fig['name']}: {len(images)} images"

    # Exercises, each with a solution that starts folded.
    exercises = re.findall(r"````\{exercise\}\n:label: ([\w-]+)", text)
    assert 3 <= len(exercises) <= 6, exercises
    for label in exercises:
        solution = re.search(r"````\{solution\} " + re.escape(label) + r"\n(:[^\n]+\n)*", text)
        assert solution and ":class: dropdown" in solution.group(0), f"{label}: no hidden solution"

    # Citations resolve.
    cited = {k.strip() for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text)
             for k in group.split(",")}  # fmt: skip
    assert cited, "a chapter cites its sources"
    assert cited <= BIB_KEYS, f"not in references.bib: {sorted(cited - BIB_KEYS)}"


def test_errata_link_to_sections_that_exist_and_name_their_source():
    text = (BOOK / "errata.md").read_text()
    bullets = [ln for ln in text.splitlines() if ln.startswith("- ")]
    assert len(bullets) >= 15
    labels = _labels()
    for line in bullets:
        refs = re.findall(r"\{ref\}`([\w-]+)`", line)
        assert refs, f"an erratum without a link: {line[:80]}"
        assert set(refs) <= labels, f"missing targets {set(refs) - labels}"
        assert re.match(r"- \*\*00[0-4]\*\*", line), f"an erratum without its source: {line[:40]}"


def test_glossary_rows_have_english_chinese_and_meaning():
    lines = (BOOK / "glossary.md").read_text().splitlines()
    rows = [ln for ln in lines if ln.startswith("| ") and ":---" not in ln][1:]  # no header
    assert len(rows) >= 30
    english, chinese = [], []
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert len(cells) == 3 and all(cells), row
        assert re.search(r"[\u4e00-\u9fff]", cells[1]), f"no Chinese term: {row}"
        assert cells[2][0].isupper() and cells[2].endswith("."), f"meaning not a sentence: {row}"
        english.append(cells[0].lower())
        chinese.append(cells[1])
    assert len(english) == len(set(english)), "an English term is listed twice"
    assert len(chinese) == len(set(chinese)), "a Chinese term is listed twice"
    assert english == sorted(english), "rows out of alphabetical order"
