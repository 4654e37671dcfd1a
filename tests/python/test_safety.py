"""Data safety of the Python API (issue 14, item 9): to_html writes through a temporary of its own
and fails with InputError leaving nothing behind; a negative memory_limit is refused; report() text
shows control characters in layer ids escaped."""
import errno
import os

import pytest

import chunkscope

SMALL = {"name": "safe", "layers": [
    {"id": "a\x1b[31m", "op": "random", "shape": [64, 64], "chunks": 32, "seed": 1},
    {"id": "s\u009b1m", "op": "sum", "input": "a\x1b[31m"}]}

needs_web = pytest.mark.skipif(chunkscope.web_assets_dir() is None, reason="the dashboard files are not built")


@pytest.fixture(scope="module")
def trace():
    return chunkscope.run(SMALL, threads=1)


def leftovers(folder, keep):
    return sorted(set(os.listdir(folder)) - set(keep))


@needs_web
def test_to_html_leaves_a_file_named_like_its_temporary_alone(tmp_path, trace):
    out = tmp_path / "t.html"
    (tmp_path / "t.html.tmp").write_text("the user's own file")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    os.symlink(victim, tmp_path / "u.html.tmp")  # a fixed temporary name would write through the link
    trace.to_html(out)
    trace.to_html(tmp_path / "u.html")
    assert out.read_text().rstrip().endswith("</html>")
    assert (tmp_path / "t.html.tmp").read_text() == "the user's own file"
    assert victim.read_text() == "keep me"
    assert leftovers(tmp_path, ["t.html", "t.html.tmp", "u.html", "u.html.tmp", "victim.txt"]) == []
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~current_umask())


def current_umask():
    m = os.umask(0)
    os.umask(m)
    return m


@needs_web
def test_to_html_into_a_missing_folder_is_an_input_error(tmp_path, trace):
    out = tmp_path / "no_such_folder" / "t.html"
    with pytest.raises(chunkscope.InputError, match="no_such_folder/t.html: cannot write"):
        trace.to_html(out)
    assert leftovers(tmp_path, []) == []


@needs_web
def test_to_html_onto_a_directory_is_an_input_error_and_removes_its_temporary(tmp_path, trace):
    (tmp_path / "d.html").mkdir()
    with pytest.raises(chunkscope.InputError, match="d.html: cannot write"):
        trace.to_html(tmp_path / "d.html")
    assert leftovers(tmp_path, ["d.html"]) == []


@needs_web
def test_to_html_failing_while_writing_keeps_the_old_page(tmp_path, trace, monkeypatch):
    out = tmp_path / "t.html"
    out.write_text("<html>old</html>")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(chunkscope.InputError, match="t.html: cannot write: No space left on device"):
        trace.to_html(out)
    assert out.read_text() == "<html>old</html>"
    assert leftovers(tmp_path, ["t.html"]) == []


def test_negative_memory_limit_is_refused():
    for bad in (-1, -(1 << 40), True):
        with pytest.raises(chunkscope.InputError, match="memory_limit"):
            chunkscope.run(SMALL, threads=1, memory_limit=bad)
    assert chunkscope.run(SMALL, threads=1, memory_limit=1 << 30).meta["status"] == "ok"
    assert chunkscope.run(SMALL, threads=1, memory_limit=0).meta["status"] == "ok"


def test_report_escapes_control_characters(trace):
    text = trace.report()
    assert "a\\x1b[31m" in text and "s\\u009b1m" in text
    assert "\x1b" not in text and "\u009b" not in text
    assert [l.id for l in trace.layers] == ["a\x1b[31m", "s\u009b1m"]  # the data itself is unchanged
