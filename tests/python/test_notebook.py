"""samples/notebooks: executed with nbconvert, then the HTML export opened offline in headless Chromium,
where every chunkscope display must draw its graph (data-ready="1" on the dashboard root)."""
import os
import shutil
import subprocess
import sys

import pytest

import chunkscope

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_MODULES = os.path.join(ROOT, "web", "node_modules")


def test_notebook_executes_and_draws(tmp_path):
    pytest.importorskip("nbconvert")
    if chunkscope.web_assets_dir() is None:
        pytest.skip("dashboard files not built (the `web` target)")
    src = os.path.join(ROOT, "samples", "notebooks", "dask_profile.ipynb")
    shutil.copy(src, tmp_path / "nb.ipynb")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "--execute", "nb.ipynb", "--output", "nb.html"],
                   cwd=tmp_path, env=env, check=True, capture_output=True, timeout=180)
    html = (tmp_path / "nb.html").read_text()
    assert "cs-static" in html and "advised chunks" in html
    node, chromium = shutil.which("node"), os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not node or not os.path.exists(chromium) or not os.path.isdir(os.path.join(NODE_MODULES, "playwright-core")):
        pytest.skip("node, chromium or playwright-core missing")
    r = subprocess.run([node, os.path.join(ROOT, "tests", "python", "open_notebook.mjs"), str(tmp_path / "nb.html"), "2",
                        str(tmp_path / "nb.png")], env=dict(os.environ, NODE_MODULES=NODE_MODULES, CHROMIUM=chromium),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"ready":2' in r.stdout
