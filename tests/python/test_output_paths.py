"""What chunkscope.run() may write (issue 14, item 1): the same checks as the CLI, before anything
runs — a folder of the user's is never replaced by a to_zarr output, no output replaces the
pipeline or a source, and a refused run leaves no folder behind."""
import json
import os

import numpy as np
import pytest

import chunkscope


def pipeline(outputs, src=None):
    x = {"id": "x", "op": "random", "shape": [32, 32], "chunks": 16, "seed": 3}
    if src:
        x = {"id": "x", "op": "from_npy", "path": src, "chunks": 16}
    return {"name": "paths", "layers": [x, {"id": "y", "op": "sqrt", "input": "x"}], "outputs": outputs}


def test_to_zarr_onto_a_users_folder_is_refused_and_nothing_is_touched(tmp_path):
    docs = tmp_path / "mydocs"
    docs.mkdir()
    (docs / "thesis.txt").write_text("years of work")
    p = tmp_path / "p.json"
    p.write_text(json.dumps(pipeline([{"id": "y", "to_zarr": "mydocs"}])))
    with pytest.raises(chunkscope.InputError, match="not a Zarr array"):
        chunkscope.run(str(p), threads=1)
    assert (docs / "thesis.txt").read_text() == "years of work"


def test_an_output_onto_the_pipeline_or_its_source_is_refused(tmp_path):
    np.save(tmp_path / "in.npy", np.arange(32 * 32, dtype=np.float64).reshape(32, 32))
    before = (tmp_path / "in.npy").read_bytes()
    p = tmp_path / "p.json"
    p.write_text(json.dumps(pipeline([{"id": "y", "to_npy": "./in.npy"}], src="in.npy")))
    with pytest.raises(chunkscope.InputError, match="would replace"):
        chunkscope.run(str(p), threads=1)
    assert (tmp_path / "in.npy").read_bytes() == before
    text = json.dumps(pipeline([{"id": "y", "to_npy": "p.json"}]))
    p.write_text(text)
    with pytest.raises(chunkscope.InputError, match="the pipeline"):
        chunkscope.run(str(p), threads=1)
    assert p.read_text() == text


def test_a_refused_run_removes_the_folders_it_made(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(json.dumps(pipeline([{"id": "y", "to_npy": "new/deep/y.npy"}])))
    with pytest.raises(chunkscope.InputError):
        chunkscope.run(str(p), threads=1, memory_limit=64)  # a 16x16 float64 chunk needs 2 KiB
    assert not (tmp_path / "new").exists()
    chunkscope.run(str(p), threads=1)
    assert np.load(tmp_path / "new/deep/y.npy").shape == (32, 32)
