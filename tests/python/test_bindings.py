"""The native bindings: load, run, report, save, to_html, _repr_html_, errors."""
import json
import os

import pytest

import chunkscope

SMALL = {"name": "small <b>&", "layers": [
    {"id": "a", "op": "random", "shape": [256, 256], "chunks": 64, "seed": 1},
    {"id": "b<script>", "op": "add", "inputs": ["a", 1]},
    {"id": "s", "op": "sum", "input": "b<script>"}]}
TINY = {"name": "tiny", "layers": [
    {"id": "x", "op": "random", "shape": [1024, 1024], "chunks": [16, 16], "dtype": "float32", "seed": 5},
    {"id": "y", "op": "add", "inputs": ["x", 1]},
    {"id": "total", "op": "sum", "input": "y"}]}


def test_run_dict_and_layers():
    t = chunkscope.run(SMALL, threads=2)
    ids = [l.id for l in t.layers]
    assert ids[:2] == ["a", "b<script>"]
    a = t.layer("a")
    assert a.shape == (256, 256) and a.chunks == ((64,) * 4, (64,) * 4) and a.dtype == "float64" and a.tasks == 16
    assert t.meta["executor"] == "cpu" and t.meta["status"] == "ok"
    assert t.task_count == sum(l.tasks for l in t.layers)


def test_run_file_report_findings(tmp_path):
    p = tmp_path / "tiny.json"
    p.write_text(json.dumps(TINY))
    t = chunkscope.run(p, threads=2)
    text = t.report()
    assert "findings (" in text and "tiny" in text
    f = t.findings
    assert f and all(x.severity in ("info", "warning", "critical") for x in f)
    assert any(x.rule == "tiny-chunks" for x in f)
    tiny = next(x for x in f if x.rule == "tiny-chunks")
    assert tiny.layers and tiny.message and tiny.advice and tiny.evidence
    assert any("chunks" in e for e in tiny.edits)


def test_save_load_roundtrip(tmp_path):
    t = chunkscope.run(SMALL, threads=1)
    for name in ("r.cstrace.json", "r.cstrace.cbor"):
        p = tmp_path / name
        t.save(p)
        u = chunkscope.load(p)
        assert [l.id for l in u.layers] == [l.id for l in t.layers] and u.task_count == t.task_count
    doc = json.loads((tmp_path / "r.cstrace.json").read_text())
    assert chunkscope.Trace.from_dict(doc).task_count == t.task_count


def test_errors_are_one_line_input_errors(tmp_path):
    with pytest.raises(chunkscope.InputError, match="nope.json"):
        chunkscope.load(tmp_path / "nope.json")
    with pytest.raises(chunkscope.InputError, match="unknown|inputs|missing"):
        chunkscope.run({"name": "bad", "layers": [{"id": "x", "op": "add", "inputs": ["missing"]}]})
    doc = chunkscope.run(SMALL).to_dict()
    doc["tasks"]["dep_index"] = [10 ** 6] * len(doc["tasks"]["dep_index"])
    with pytest.raises(chunkscope.InputError, match="dep_index"):
        chunkscope.Trace.from_dict(doc, "broken.json")
    assert issubclass(chunkscope.InputError, ValueError)


def test_html_escaped_and_fallback(tmp_path):
    t = chunkscope.run(SMALL, threads=1)
    html = t._repr_html_()
    assert "b&lt;script&gt;" in html and "b<script>\"" not in html
    assert "small &lt;b&gt;&amp;" in html
    assert "cs-static" in html  # the static report is always there (scripts blocked)
    if chunkscope.web_assets_dir():
        out = tmp_path / "t.html"
        t.to_html(out)
        assert out.stat().st_size > 100000 and "b&lt;script&gt;" in out.read_text()
