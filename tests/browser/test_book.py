"""A real browser looks at the built book: math typeset, figure loaded, solution opens.

Runs Debian's Chromium through Playwright (``playwright install`` cannot download browsers
here). Without Chromium the tests skip, except under CI, where they must run.
"""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
# Flags for a headless Chromium on a machine with no network but loopback: without the
# background-networking ones it keeps trying (and failing) to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = (
            f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium` "
            "(Debian/Ubuntu) to run the browser check of the built book"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (required under CI)")
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site():
    """Serve the built book on a loopback port (building it first if it is missing)."""
    if not (HTML / "book" / "how-to-run.html").exists():
        jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent))
        subprocess.run(
            [jb, "build", ".", "--builder", "html", "-W", "-n", "--keep-going"],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    trouble = []
    page.on("requestfailed", lambda r: trouble.append(f"failed: {r.url} ({r.failure})"))
    page.on(
        "response", lambda r: r.status >= 400 and trouble.append(f"HTTP {r.status}: {r.url}")
    )
    page.on("pageerror", lambda e: trouble.append(f"script error: {e}"))
    page.goto(url, wait_until="load")
    return page, trouble


def assert_math_typeset(page, at_least=5):
    """Wait for MathJax, then check it typeset every math element without a TeX error."""
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("() => MathJax.startup.promise")
    n_math = page.locator(".math").count()
    assert n_math >= at_least
    assert page.locator(".math mjx-container").count() == n_math, "untypeset math left"
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"


def test_chapter_page_renders_math_figure_and_exercise(browser, site):
    page, trouble = open_page(browser, f"{site}/book/how-to-run.html")

    # MathJax is served from the build itself and typesets every math element.
    assert_math_typeset(page)
    mathjax_src = page.evaluate(
        "() => [...document.scripts].map(s => s.src).filter(s => s.includes('mathjax'))"
    )
    assert mathjax_src and all(s.startswith(site) for s in mathjax_src), mathjax_src

    # The figure's image loaded and carries its caption.
    figure = page.locator("figure#fig-how-to-run-gd")
    assert figure.count() == 1
    img = figure.locator("img")
    assert img.evaluate("i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0")
    assert "Gradient descent on" in figure.locator("figcaption").inner_text()

    # The exercise is shown; its solution is hidden until the reader opens it.
    assert page.locator("#ex-how-to-run-curvature").is_visible()
    solution = page.locator("div.solution").first
    body = solution.locator("p", has_text="converge exactly when").first
    assert not body.is_visible()
    solution.locator(".toggle-button, .admonition-title").first.click()
    body.wait_for(state="visible", timeout=5000)
    assert body.is_visible()

    shots = ROOT / "_build" / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "how-to-run.png"), full_page=True)
    assert trouble == [], trouble
    page.close()


def test_index_leads_to_the_intro(browser, site):
    page, trouble = open_page(browser, f"{site}/index.html")
    page.wait_for_url("**/book/intro.html", timeout=10000)  # a meta-refresh redirect
    assert "Optimization in Deep Learning" in page.title()
    assert page.locator("nav a", has_text="How to run").count() >= 1
    assert trouble == [], trouble
    page.close()


CHAPTERS = sorted((ROOT / "book").glob("ch[0-9][0-9]_*.ipynb"))


def _hidden_lines(notebook):
    # One assert line of every hidden (remove-input) cell that no shown cell also contains:
    # none may reach the page.
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    hidden = [c for c in code if "remove-input" in c.metadata.get("tags", [])]
    shown = "\n".join(c.source for c in code if c not in hidden)
    lines = []
    for cell in hidden:
        own = [ln.strip() for ln in cell.source.splitlines()
               if ln.startswith("assert ") and ln.strip() not in shown]  # fmt: skip
        lines += own[:1]
    return lines


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_pages_render(browser, site, notebook):
    page, trouble = open_page(browser, f"{site}/book/{notebook.stem}.html")
    assert_math_typeset(page)

    # Every figure's image loaded and carries a caption with its number.
    figures = page.locator("figure[id^='fig-']")
    assert figures.count() >= 3
    for i in range(figures.count()):
        fig = figures.nth(i)
        assert fig.locator("img").evaluate("i => i.complete && i.naturalWidth > 0")
        assert fig.locator("figcaption").inner_text().strip().startswith("Fig")

    # Exercises shown, solutions folded.
    assert page.locator("div.exercise").count() >= 3
    solutions = page.locator("div.solution")
    assert solutions.count() == page.locator("div.exercise").count()
    for i in range(solutions.count()):
        body = solutions.nth(i).locator("p").last
        assert not body.is_visible(), "a solution is shown before the reader opens it"
        cells = solutions.nth(i).locator("div.cell")  # a gated solution's executed code
        for k in range(cells.count()):
            assert not cells.nth(k).is_visible(), "a solution's code is shown before it is opened"

    # Hidden cells stay hidden; citations lead to the bibliography.
    text = page.locator("main").inner_text()
    for line in _hidden_lines(notebook):
        assert line not in text, f"hidden input shown: {line}"
    cites = page.locator("a[href*='references.html#']")
    assert cites.count() >= 3
    assert trouble == [], trouble
    page.close()


def test_errata_links_reach_their_sections(browser, site):
    page, trouble = open_page(browser, f"{site}/book/errata.html")
    hrefs = page.locator("main li a.reference.internal").evaluate_all(
        "links => links.map(a => a.href)"
    )
    assert len(hrefs) >= 15
    page.close()
    by_page = {}
    for href in hrefs:
        url, _, anchor = href.partition("#")
        assert anchor, f"an erratum links to a page, not a section: {href}"
        by_page.setdefault(url, set()).add(anchor)
    for url, anchors in by_page.items():
        target, more = open_page(browser, url)
        for anchor in anchors:
            assert target.locator(f"[id='{anchor}']").count() == 1, f"{url}#{anchor} missing"
        trouble += more
        target.close()
    assert trouble == [], trouble


# --- the page as a reader sees it (STYLE.md 25-26) ------------------------------------------
PAGES = [*CHAPTERS, ROOT / "book" / "how-to-run.ipynb"]
SMALLEST_FONT_PT = 9  # the house style's tick and legend size (optlearn/optlearn.mplstyle)
CSS_PX_PER_PT = 96 / 72

# Elements wider than their box, with how many pixels they overflow by. Code blocks and
# outputs scroll (overflow: auto), display math is clipped or scrolls: either way the reader
# does not see it all.
OVERFLOW_JS = """
() => {
  const main = document.querySelector('main');
  const limit = main.getBoundingClientRect().right + 1;
  const sel = 'pre, div.highlight, div.output, div.cell_output, div.math, '
            + 'mjx-container[display="true"], table, figure, img';
  const bad = [];
  for (const el of main.querySelectorAll(sel)) {
    const over = el.scrollWidth - el.clientWidth;
    const right = el.getBoundingClientRect().right;
    if (over > 1 || right > limit) {
      const text = (el.innerText || el.getAttribute('src') || '').trim().slice(0, 70);
      bad.push(`${el.tagName.toLowerCase()}.${el.className} overflows by `
               + `${Math.max(over, right - limit).toFixed(0)} px: ${text}`);
    }
  }
  return bad;
}
"""

# Raw TeX that reached the page as text: math that MyST did not treat as math (a line starting
# with "+" turns an equation into a bullet list; a "$" lost to a code span; an unclosed "$$").
RAW_TEX_JS = r"""
() => {
  const tex = /\\[a-zA-Z]+|\$\$/;
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const bad = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest('mjx-container, pre, code, script, style, .highlight, .math'))
      continue;
    if (tex.test(n.textContent)) bad.push(n.textContent.trim().slice(0, 80));
  }
  return bad;
}
"""

# Each figure: its natural and displayed widths, and its file (for the PNG's dpi).
IMAGES_JS = """
() => [...document.querySelectorAll('main img')].map(i => ({
  src: i.getAttribute('src'), natural: i.naturalWidth, shown: i.getBoundingClientRect().width,
}))
"""

# How many monospace characters a code block shows on one line.
COLUMNS_JS = """
() => {
  const pre = document.querySelector('main div.cell_input pre, main div.highlight pre');
  const probe = document.createElement('span');
  probe.textContent = 'x'.repeat(100);
  pre.appendChild(probe);
  const width = probe.getBoundingClientRect().width / 100;
  probe.remove();
  const style = getComputedStyle(pre);
  const inner = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return inner / width;
}
"""


def _png_dpi(path):
    import re
    import struct

    raw = path.read_bytes()[:4096]
    found = re.search(rb"pHYs(....)(....)\x01", raw, re.S)
    return struct.unpack(">I", found.group(1))[0] * 0.0254 if found else 72.0


@pytest.mark.parametrize("notebook", PAGES, ids=lambda p: p.stem)
def test_nothing_on_the_page_is_cut_off_or_unreadable(browser, site, notebook):
    page, trouble = open_page(browser, f"{site}/book/{notebook.stem}.html")
    assert_math_typeset(page)
    page.wait_for_function("() => [...document.images].every(i => i.complete)")

    # The text column holds a 79-character code line without a scroll bar.
    assert page.evaluate(COLUMNS_JS) >= 79

    overflowing = page.evaluate(OVERFLOW_JS)
    assert overflowing == [], "\n".join(overflowing)
    raw = page.evaluate(RAW_TEX_JS)
    assert raw == [], f"raw TeX shown as text: {raw}"

    # Figures are never blown up (blurred), and their smallest text stays >= 9 pt on the page:
    # a 9 pt label drawn at D dpi is 9 * D / 72 image pixels, shown scaled by shown/natural.
    images = page.evaluate(IMAGES_JS)
    for img in images:
        assert img["natural"] >= img["shown"] - 1, f"{img['src']} upscaled: {img}"
        src = img["src"].split("?")[0]
        if not src.endswith(".png") or src.startswith(("http", "data:")):
            continue
        file = (HTML / "book" / src).resolve()
        scale = img["shown"] / img["natural"]
        smallest = SMALLEST_FONT_PT * _png_dpi(file) / 72 * scale / CSS_PX_PER_PT
        assert smallest >= SMALLEST_FONT_PT - 0.05, (
            f"{src}: its {SMALLEST_FONT_PT} pt text is shown at {smallest:.1f} pt "
            f"({img['natural']} px shown at {img['shown']:.0f} px): make the figure narrower"
        )

    shots = ROOT / "_build" / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{notebook.stem}.png"), full_page=True)
    assert trouble == [], trouble
    page.close()
