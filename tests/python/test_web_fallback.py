"""Without the dashboard files (CHUNKSCOPE_WEB_DIR names a folder without the Graphviz bundle), the
notebook display and Trace.to_html give the static report with a line saying why: no exception
(issue 18, item 3)."""
import os
import shutil

import pytest

import chunkscope

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def trace():
    return chunkscope.load(os.path.join(ROOT, "tests", "data", "cuda", "cuda_transfers.cstrace.json"))


@pytest.fixture
def no_bundle(tmp_path, monkeypatch):
    """A folder with every dashboard file but viz-global.js (where the build has them), as the lookup."""
    d = tmp_path / "web"
    d.mkdir()
    full = chunkscope.web_assets_dir()
    if full:
        for f in ("app.js", "style.css", "chunkscope_web.js"):
            shutil.copy(os.path.join(full, f), d / f)
    monkeypatch.setenv("CHUNKSCOPE_WEB_DIR", str(d))
    return d


def test_lookup_names_the_missing_bundle(no_bundle):
    assert chunkscope.web_assets_dir() is None
    d, why = chunkscope._locate_web_assets()
    assert d is None
    first_missing = "viz-global.js" if (no_bundle / "app.js").exists() else "app.js"
    assert f"{no_bundle / first_missing} is missing" in why


def test_notebook_display_is_the_static_report_saying_why(no_bundle, trace):
    html = trace._repr_html_()
    assert 'class="chunkscope-static"' in html
    assert 'id="cs-fallback">The interactive dashboard is not included because the dashboard files are incomplete: ' in html
    assert str(no_bundle) in html
    assert "<h3>Layers</h3>" in html and "<h3>Findings (" in html
    assert 'data-cs="cs-wasm"' not in html
    assert "notebook_init" not in html


def test_to_html_writes_the_static_page_with_a_warning(no_bundle, trace, tmp_path):
    out = tmp_path / "page.html"
    with pytest.warns(RuntimeWarning, match="static report only"):
        trace.to_html(out)
    html = out.read_text()
    assert html.startswith("<!doctype html>")
    assert 'id="cs-fallback"' in html and str(no_bundle) in html
    assert "<h3>Layers</h3>" in html


def test_an_empty_folder_names_its_first_file(tmp_path, monkeypatch, trace):
    monkeypatch.setenv("CHUNKSCOPE_WEB_DIR", str(tmp_path))
    assert "app.js is missing" in trace._repr_html_()


def test_with_the_files_the_display_is_the_dashboard(trace):
    if chunkscope.web_assets_dir() is None:
        pytest.skip("dashboard files not built (the `web` target)")
    chunkscope.notebook_bundle = "always"
    try:
        html = trace._repr_html_()
    finally:
        chunkscope.notebook_bundle = "first"
    assert 'data-cs="cs-graphviz"' in html and "cs-fallback" not in html
    # The hint for a display without the bundle names what exists.
    assert "notebook_init" not in html and "chunkscope.notebook_bundle" in html
