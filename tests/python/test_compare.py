"""Trace.compare (issue 20 item 1): the comparison core computes, its notebook display (the compare
view: both runs and core's comparison inlined, mounted by the dashboard script; the static table
where scripts are blocked) and to_html."""
import os
import re

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
    # Fits a notebook column: the fragment sets no fixed page width.
    assert not re.search(r"width:\s*1[0-9]{3}px", html)


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
