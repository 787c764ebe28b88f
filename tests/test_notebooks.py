"""The executed-notebook pipeline: what is stored, what is listed, and that nbval can fail."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import execute_notebooks  # noqa: E402

NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb") if "_build" not in p.parts)
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def test_every_page_is_in_the_toc_and_every_toc_entry_exists():
    listed = execute_notebooks.toc_files()  # raises if an entry has no file
    pages = {
        p
        for p in (ROOT / "book").rglob("*")
        if p.suffix in {".ipynb", ".md"}
        and "_build" not in p.parts
        and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
    }
    assert pages - set(listed) == set(), "pages not in _toc.yml (they would not be built)"
    assert len(listed) == len(set(listed)), "a page is listed twice in _toc.yml"


def test_toc_files_are_in_reading_order():
    names = [p.relative_to(ROOT).as_posix() for p in execute_notebooks.toc_files()]
    assert names[0] == "book/intro.md"
    assert names.index("book/how-to-run.ipynb") < names.index("book/glossary.md")
    chapters = [n for n in names if re.fullmatch(r"book/ch\d\d_\w+\.ipynb", n)]
    assert chapters == sorted(chapters), "chapters out of their numbered order"
    assert names.index(chapters[-1]) < names.index("book/errata.md") < names.index(
        "book/glossary.md"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_executed_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    assert None not in counts, f"{path.name}: unexecuted cells; run `make execute`"
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: not run top to bottom once"
    assert execute_notebooks.problems(nb) == []
    for cell in code:
        assert "execution" not in cell.metadata, "timing metadata: use `make execute`"
        for out in cell.outputs:
            text = out.get("text", "") + json.dumps(out.get("data", {}).get("text/plain", ""))
            assert not ADDRESS.search(text), (
                f"{path.name}: an output shows a memory address ({ADDRESS.search(text)[0]!r}); "
                "end plotting cells with plt.show() so reprs are not displayed"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_relies_on_a_trailing_semicolon(path):
    # nbval runs cells with store_history=False, and IPython decides whether ';' silences the
    # last expression by looking at the last *stored* input: under nbval the ';' is ignored,
    # the repr (e.g. "<matplotlib.legend.Legend at 0x...>") appears, and the notebook fails.
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        lines = [ln for ln in cell.source.rstrip().splitlines() if not ln.lstrip().startswith("#")]
        if cell.cell_type == "code" and lines and lines[-1].rstrip().endswith(";"):
            pytest.fail(
                f"{path.name}, cell {i} ends with ';', which nbval ignores; end it with a "
                "statement instead (plt.show() for a figure, or assign the value)"
            )


def test_problems_flags_stderr_and_errors():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "1",
                outputs=[nbformat.v4.new_output("stream", name="stderr", text="NumbaWarning")],
            ),
            nbformat.v4.new_code_cell(
                "2", outputs=[nbformat.v4.new_output("error", ename="E", evalue="v", traceback=[])]
            ),
            nbformat.v4.new_code_cell(
                "3", outputs=[nbformat.v4.new_output("stream", name="stdout", text="fine")]
            ),
        ]
    )
    found = execute_notebooks.problems(nb)
    assert len(found) == 2
    assert "cell 0 wrote to stderr" in found[0] and "NumbaWarning" in found[0]
    assert found[1] == "cell 1 raised E: v"


def _nbval(notebook: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
            "--nbval-sanitize-with", str(ROOT / "book" / "nbval_sanitize.cfg"),
            "-c", str(ROOT / "pyproject.toml"), "-p", "no:cacheprovider", "-q", str(notebook),
        ],
        capture_output=True, text=True, cwd=notebook.parent, timeout=300,
    )  # fmt: skip


@pytest.mark.slow
def test_nbval_fails_when_one_stored_digit_changes(tmp_path):
    source = ROOT / "book" / "how-to-run.ipynb"
    intact = tmp_path / "intact" / source.name
    changed = tmp_path / "changed" / source.name
    for dest in (intact, changed):
        dest.parent.mkdir()
        shutil.copy(source, dest)

    # Change one digit of one stored numeric output (the first printed iterate).
    nb = nbformat.read(changed, as_version=4)
    for cell in nb.cells:
        outs = [o for o in cell.get("outputs", []) if o.get("name") == "stdout"]
        if outs and "x_20 =" in outs[0]["text"]:
            old = outs[0]["text"]
            match = re.search(r"x_20 = [ -]?(\d)", old)
            digit = match.group(1)
            new_digit = "7" if digit != "7" else "3"
            outs[0]["text"] = old[: match.start(1)] + new_digit + old[match.end(1) :]
            break
    else:
        pytest.fail("how-to-run.ipynb no longer prints 'x_20 ='; update this test")
    nbformat.write(nb, changed)

    passed = _nbval(intact)
    assert passed.returncode == 0, passed.stdout[-3000:]
    assert " passed" in passed.stdout and "failed" not in passed.stdout

    failed = _nbval(changed)
    assert failed.returncode == 1, failed.stdout[-3000:]
    assert "1 failed" in failed.stdout
    assert "x_20" in failed.stdout  # nbval reports the mismatching output
