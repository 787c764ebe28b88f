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

    # Exercises, each with a solution that starts folded: a {solution} block, or a gated
    # {solution-start} ... {solution-end} pair whose code cells run inside the dropdown.
    exercises = re.findall(r"````\{exercise\}\n:label: ([\w-]+)", text)
    assert 3 <= len(exercises) <= 6, exercises
    for label in exercises:
        solution = re.search(
            r"````\{solution(-start)?\} " + re.escape(label) + r"\n(:[^\n]+\n)*", text
        )
        assert solution and ":class: dropdown" in solution.group(0), f"{label}: no hidden solution"
    assert text.count("{solution-start}") == text.count("{solution-end}"), "unclosed solution"

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
        # What the source says, then what is right and why, then where the book shows it.
        said, _, rest = line.partition(" Correct: ")
        assert len(said) > 40 and len(rest) > 40, f"an erratum without its correction: {line[:80]}"
        assert " See {ref}" in rest, f"the link belongs after the correction: {line[:80]}"
    assert len(bullets) == len(set(bullets)), "an erratum is listed twice"


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


# --- what a reader sees on the page (STYLE.md 25-26, 31) ------------------------------------
# The rendered text column holds about 80 monospace characters; tests/browser checks the
# rendered pages themselves (no horizontal scroll bar, no clipped math, figure scale).
PAGES = [*CHAPTERS, BOOK / "how-to-run.ipynb"]
MAX_COLUMNS = 79
# The house style draws 6.5 in wide figures at 150 dpi (optlearn/optlearn.mplstyle); with a
# tight bounding box a few pixels more. Wider figures are shrunk to the column and their 9 pt
# ticks fall below 9 pt on the page: two panels per row at most.
MAX_FIGURE_INCHES = 6.75
SMALLEST_FONT_PT = 9
PNG_DPI = re.compile(rb"pHYs(....)(....)\x01", re.S)


def _text_outputs(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            yield out.get("text", "")
        elif "image/png" not in out.get("data", {}) and "text/html" not in out.get("data", {}):
            yield out.get("data", {}).get("text/plain", "")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_code_and_output_lines_fit_the_column(path):
    nb = nbformat.read(path, as_version=4)
    too_long = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():  # hidden cells too: readers open the notebook
            if len(line) > MAX_COLUMNS:
                too_long.append(f"cell {i} code ({len(line)}): {line[:60]}")
        for text in _text_outputs(cell):
            for line in text.splitlines():
                if len(line) > MAX_COLUMNS:
                    too_long.append(f"cell {i} output ({len(line)}): {line[:60]}")
    assert too_long == [], (
        f"{path.name}: lines wider than the page's {MAX_COLUMNS} columns (format code with "
        f"`ruff format --line-length {MAX_COLUMNS}`; print short aligned tables):\n"
        + "\n".join(too_long[:20])
    )


def _png_size_and_dpi(png):
    import base64
    import struct

    raw = base64.b64decode(png)
    width, height = struct.unpack(">II", raw[16:24])
    found = PNG_DPI.search(raw[:4096])
    dpi = struct.unpack(">I", found.group(1))[0] * 0.0254 if found else 72.0
    return width, height, dpi


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_figures_fit_the_column_with_readable_fonts(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            png = out.get("data", {}).get("image/png")
            if png is None:
                continue
            width, _, dpi = _png_size_and_dpi(png)
            assert width / dpi <= MAX_FIGURE_INCHES, (
                f"{path.name} cell {i}: a figure {width / dpi:.1f} in wide ({width} px at "
                f"{dpi:.0f} dpi); the column fits {MAX_FIGURE_INCHES} in: at most two panels "
                "per row, figsize=(6.5, h) in the house style"
            )
        # No font smaller than the style's 9 pt, in any form matplotlib accepts.
        for m in re.finditer(r"\b(fontsize|labelsize|titlesize)\s*=\s*([\d.]+)", cell.source):
            assert float(m.group(2)) >= SMALLEST_FONT_PT, f"{path.name} cell {i}: {m.group(0)}"
        assert not re.search(r"""(fontsize|labelsize)\s*=\s*["'](xx?-)?small""", cell.source), (
            f"{path.name} cell {i}: a font below {SMALLEST_FONT_PT} pt"
        )
        fonts = r"rcParams\[.(font\.size|[xy]tick\.labelsize|legend\.fontsize)"
        assert not re.search(fonts, cell.source), f"{path.name} cell {i}: fonts set by hand"


def test_the_house_style_fonts_are_at_least_nine_points():
    style = (ROOT / "optlearn" / "optlearn.mplstyle").read_text()
    sizes = dict(re.findall(r"^([\w.]+(?:font|label|title)?size):\s*([\d.]+)\s*$", style, re.M))
    sizes = {k: v for k, v in sizes.items() if "marker" not in k}
    assert {"font.size", "xtick.labelsize", "ytick.labelsize", "legend.fontsize"} <= set(sizes)
    assert min(float(v) for v in sizes.values()) >= SMALLEST_FONT_PT, sizes


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_markdown_has_no_accidental_bullets_in_math(path):
    # A line that begins with "+" (or "- \" before TeX) inside a paragraph of math is a bullet
    # to MyST: the equation breaks into a list with raw TeX on the page.
    for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            if not fenced:
                assert not re.match(r"\s*\+(\s|$)", line), f"{path.name} cell {i}: {line[:60]}"


def _chapter_number(path):
    return int(re.match(r"ch(\d\d)_", path.name).group(1))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_forward_references_name_chapters_that_exist(path):
    # "chapter 9" in the text must be a chapter of this book that exists; a chapter of a cited
    # book is written right after its citation: {cite:t}`goodfellow2016deep` (chapter 8).
    last = max(_chapter_number(p) for p in CHAPTERS)
    text = _markdown(nbformat.read(path, as_version=4))
    for m in re.finditer(r"\b[Cc]hapters? (\d+(?:(?:,| and| to|\N{EN DASH}|-) ?\d+)*)", text):
        if re.search(r"`\s*\($", text[: m.start()]):
            continue  # a chapter of the cited book
        numbers = [int(n) for n in re.findall(r"\d+", m.group(1))]
        assert max(numbers) <= last, (
            f"{path.name}: '{m.group(0)}' refers to a chapter that does not exist yet (the "
            f"book has {last}); write 'a later chapter' until it does"
        )
    for m in re.finditer(r"\{(?:doc|ref|numref)\}`[^`<]*<?/?book/ch(\d\d)", text):
        assert int(m.group(1)) <= last, m.group(0)
