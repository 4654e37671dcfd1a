"""Trace.compare (issue 20 item 1): the comparison core computes, its notebook display (the compare
view: both runs and core's comparison inlined, mounted by the dashboard script; the static table
where scripts are blocked) and to_html."""
import json
import os
import shutil
import subprocess

import pytest

import chunkscope


def tiny(chunk: int) -> dict:
    """The tiny-chunks sample at 512×512: chunk×chunk chunks, +1, squared, summed."""
    return {"name": "tiny_chunks", "layers": [
        {"id": "x", "op": "random", "shape": [512, 512], "chunks": [chunk, chunk], "dtype": "float32", "seed": 5},
        {"id": "shifted", "op": "add", "inputs": ["x", 1]},
        {"id": "squared", "op": "multiply", "inputs": ["shifted", "shifted"]},
        {"id": "total", "op": "sum", "input": "squared"}],
        "outputs": [{"id": "total"}]}


@pytest.fixture(scope="module")
def comparison():
    before, after = chunkscope.run(tiny(16), threads=2), chunkscope.run(tiny(256), threads=2)
    return before.compare(after)


def test_the_numbers_are_cores(comparison):
    x = comparison.layers[0]
    assert x["chunk_shape_before"] == "16×16" and x["chunk_shape_after"] == "256×256"
    assert x["layer_before"] == 0 and x["layer_after"] == 0
    assert x["tasks"]["before"] == 1024 and x["tasks"]["after"] == 4
    assert x["tasks"]["change_text"] == "-1020 (-100%)"
    for k in ("regression", "improvement"):
        assert isinstance(x["busy_ns"][k], bool)
    assert "16×16 → 256×256" in str(comparison)


def test_repr_html_is_the_compare_view(comparison, monkeypatch):
    if chunkscope.web_assets_dir() is None:
        pytest.skip("dashboard files not built (the `web` target)")
    monkeypatch.setattr(chunkscope, "_bundle_sent", False)
    html = comparison._repr_html_()
    # Both runs and core's comparison travel with the display; the script mounts the compare view.
    for key in ("cs-trace-before", "cs-trace-after", "cs-compare-data"):
        assert f'data-cs="{key}"' in html
    assert "mountCompare" in html and "data-cs-compare-root" in html
    # The static table (what a reader sees where scripts are blocked) has the shapes and the changes.
    assert "16×16 → 256×256" in html and "<table" in html
    assert "cs-noscript" in html
    # The first display carries the scripts; the next one reuses them.
    assert 'id="cs-wasm"' in html
    again = comparison._repr_html_()
    assert 'id="cs-wasm"' not in again and "mountCompare" in again



ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_MODULES = os.path.join(ROOT, "web", "node_modules")

# Fails the page (a page error) when the column scrolls sideways once a view is drawn.
OVERFLOW_CHECK = """<script>
new MutationObserver(() => {
  const col = document.getElementById('col');
  if (document.querySelector('[data-ready="1"]') && col.scrollWidth > col.clientWidth + 1)
    throw new Error('the compare view is wider than the column: ' + col.scrollWidth + ' px');
}).observe(document.body, {attributes: true, subtree: true, attributeFilter: ['data-ready']});
</script>"""


def test_repr_html_draws_in_a_900px_column(comparison, monkeypatch, tmp_path):
    """The display in a notebook-like page: drawn offline (timelines, graph, table) in a 900 px column
    without a horizontal scroll bar (tests/python/open_notebook.mjs, headless Chromium)."""
    if chunkscope.web_assets_dir() is None:
        pytest.skip("dashboard files not built (the `web` target)")
    node, chromium = shutil.which("node"), os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not node or not os.path.exists(chromium) or not os.path.isdir(os.path.join(NODE_MODULES, "playwright-core")):
        pytest.skip("node, chromium or playwright-core missing")
    monkeypatch.setattr(chunkscope, "_bundle_sent", False)
    page = tmp_path / "nb.html"
    page.write_text("<!doctype html><html><head><meta charset='utf-8'></head><body>" + OVERFLOW_CHECK +
                    "<div id='col' style='width: 900px; overflow: auto'>" + comparison._repr_html_() + "</div></body></html>")
    shot = os.path.join(os.environ.get("SHOTS", str(tmp_path)), "compare_notebook.png")
    r = subprocess.run([node, os.path.join(ROOT, "tests", "python", "open_notebook.mjs"), str(page), "1", shot],
                       env=dict(os.environ, NODE_MODULES=NODE_MODULES, CHROMIUM=chromium),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["ready"] == 1 and out["shapes"][0] > 10, out


def test_to_html_writes_one_page(comparison, tmp_path):
    out = tmp_path / "compare.html"
    comparison.to_html(out)
    page = out.read_text()
    assert page.startswith("<!doctype html>")
    assert "16×16 → 256×256" in page
    if chunkscope.web_assets_dir() is not None:
        assert 'id="cs-compare-root"' in page and 'id="cs-wasm"' in page
    assert not [p for p in os.listdir(tmp_path) if p != "compare.html"]  # no temporary left behind


def test_without_dashboard_files_the_static_table_says_why(comparison, tmp_path, monkeypatch):
    monkeypatch.setenv("CHUNKSCOPE_WEB_DIR", str(tmp_path / "nowhere"))
    html = comparison._repr_html_()
    assert "mountCompare" not in html
    assert "16×16 → 256×256" in html and "nowhere" in html
