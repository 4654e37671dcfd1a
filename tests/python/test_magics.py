"""Notebook habits (issue 18, item 5): `%load_ext chunkscope`, the `%%chunkscope` cell magic and
Trace.tasks / Trace.layers_frame() as pandas DataFrames; samples/notebooks/cell_magic.ipynb executed
by nbconvert and opened offline in headless Chromium, where its display must draw the dashboard."""
import os
import shutil
import subprocess
import sys

import pytest

import chunkscope

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_MODULES = os.path.join(ROOT, "web", "node_modules")
pd = pytest.importorskip("pandas")


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """An IPython shell (no kernel) whose displays are collected in shell.shown."""
    pytest.importorskip("IPython")
    from IPython.testing.globalipapp import get_ipython
    ip = get_ipython()
    monkeypatch.chdir(tmp_path)
    shown = []
    import IPython.display
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    ip.shown = shown
    r = ip.run_cell("%load_ext chunkscope\nimport dask, dask.array as da\n"
                    "x = da.ones((64, 64), chunks=(16, 16))")
    assert r.success, r.error_in_exec
    yield ip
    ip.user_ns.pop("_chunkscope", None)


def test_cell_magic_profiles_every_compute_and_displays_each(shell):
    r = shell.run_cell("%%chunkscope --name two\na = (x + 1).sum().compute(scheduler='sync')\nb = x.mean(axis=0).compute()\nint(a)")
    assert r.success, r.error_in_exec
    assert r.result == 64 * 64 * 2  # the cell's last expression is its value
    prof = shell.user_ns["_chunkscope"]
    assert len(prof.traces) == 2
    assert [t.meta["executor"] for t in prof.traces] == ["dask-sync", "dask-threaded"]
    assert prof.trace.meta["pipeline"] == "two"
    assert shell.shown == prof.traces  # one dashboard per computation
    assert "<div" in prof.trace._repr_html_()


def test_no_display_and_save(shell, tmp_path):
    r = shell.run_cell("%%chunkscope --no-display --save out.cstrace.json\nx.sum().compute()")
    assert r.success, r.error_in_exec
    assert shell.shown == []
    assert chunkscope.load(tmp_path / "out.cstrace.json").task_count == shell.user_ns["_chunkscope"].trace.task_count
    r = shell.run_cell("%%chunkscope --no-display --save page.html\nx.sum().compute()\nx.max().compute()")
    assert r.success, r.error_in_exec
    for n in ("page-1.html", "page-2.html"):  # several runs: numbered files
        assert (tmp_path / n).read_text().startswith("<!doctype html>")
    assert not (tmp_path / "page.html").exists()


def test_a_failing_cell_shows_the_failed_run_then_raises(shell):
    r = shell.run_cell("%%chunkscope\ndef bad(b):\n    raise ValueError('bad block')\n"
                       "x.map_blocks(bad, dtype=x.dtype).sum().compute(scheduler='sync')")
    assert isinstance(r.error_in_exec, ValueError) and str(r.error_in_exec) == "bad block"
    prof = shell.user_ns["_chunkscope"]
    assert prof.trace.meta["status"] == "failed"
    assert shell.shown == [prof.trace]


def test_a_cell_without_dask_says_so(shell, capsys):
    r = shell.run_cell("%%chunkscope\n1 + 1")
    assert r.success and r.result == 2
    assert "ran no Dask computation" in capsys.readouterr().out


def test_bad_option_is_a_usage_error(shell):
    r = shell.run_cell("%%chunkscope --nope\nx.sum().compute()")
    assert not r.success


def test_tasks_and_layers_frame(shell):
    shell.run_cell("%%chunkscope --no-display\n(x * 2).sum(axis=0).compute()")
    t = shell.user_ns["_chunkscope"].trace
    tasks = t.tasks
    assert isinstance(tasks, pd.DataFrame) and len(tasks) == t.task_count
    assert list(tasks.columns) == ["layer", "layer_index", "stage", "chunk", "worker", "start_ns", "end_ns", "duration_ns",
                                   "bytes", "status", "fused", "deps"]
    assert set(tasks["layer"].unique()) <= {l.id for l in t.layers}
    assert (tasks["duration_ns"] == tasks["end_ns"] - tasks["start_ns"]).all()
    assert set(tasks["status"].unique()) == {"done"}
    layers = t.layers_frame()
    assert list(layers.index) == [l.id for l in t.layers]
    assert layers["tasks"].sum() == t.task_count
    assert (layers["busy_ns"] >= 0).all()
    src = [l for l in t.layers if l.kind == "source"][0]
    assert layers.loc[src.id, "shape"] == (64, 64) and layers.loc[src.id, "chunk_shape"] == (16, 16)


def test_pipeline_trace_frames():
    t = chunkscope.run(os.path.join(ROOT, "samples", "pipelines", "cells.json"))
    assert len(t.tasks) == t.task_count
    assert t.layers_frame()["tasks"].sum() == t.task_count


def test_notebook_with_the_cell_magic_draws_offline(tmp_path):
    pytest.importorskip("nbconvert")
    if chunkscope.web_assets_dir() is None:
        pytest.skip("dashboard files not built (the `web` target)")
    shutil.copy(os.path.join(ROOT, "samples", "notebooks", "cell_magic.ipynb"), tmp_path / "nb.ipynb")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "--execute", "nb.ipynb", "--output", "nb.html"],
                   cwd=tmp_path, env=env, check=True, capture_output=True, timeout=180)
    html = (tmp_path / "nb.html").read_text()
    assert "cs-static" in html and "peak_live_bytes" in html and "duration_ns" in html
    assert chunkscope.load(tmp_path / "anomaly.cstrace.json").meta["pipeline"] == "anomaly"
    node, chromium = shutil.which("node"), os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not node or not os.path.exists(chromium) or not os.path.isdir(os.path.join(NODE_MODULES, "playwright-core")):
        pytest.skip("node, chromium or playwright-core missing")
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    if int(node_version.lstrip("v").split(".")[0] or 0) < 20:
        pytest.skip(f"node {node_version} is older than the node 20 playwright-core needs")
    shot = os.path.join(os.environ.get("SHOTS", str(tmp_path)), "cell_magic.png")
    r = subprocess.run([node, os.path.join(ROOT, "tests", "python", "open_notebook.mjs"), str(tmp_path / "nb.html"), "1", shot],
                       env=dict(os.environ, NODE_MODULES=NODE_MODULES, CHROMIUM=chromium), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"ready":1' in r.stdout
