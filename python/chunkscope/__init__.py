"""chunkscope: see how a chunked array computation really runs.

    import chunkscope
    t = chunkscope.load("cells.cstrace.json")      # or chunkscope.run("pipeline.json")
    print(t.report())                              # layer table + findings
    t.to_html("cells.html")                        # the dashboard, one offline file
    t                                              # in a notebook: the dashboard inline

    with chunkscope.dask.profile() as prof:        # a Dask run (local or distributed)
        x.mean().compute()
    prof.trace.findings

docs/python.md describes the whole API.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from typing import Any

from . import _chunkscope
from ._chunkscope import InputError

__all__ = ["Trace", "Layer", "Finding", "Evidence", "InputError", "RunError", "load", "run", "to_dask", "web_assets_dir"]

try:
    from ._build_config import BUILD_WEB_DIR as _BUILD_WEB_DIR, VERSION as __version__
except ImportError:  # an installed package carries its assets in chunkscope/web/
    _BUILD_WEB_DIR = ""
    __version__ = _chunkscope.__version__


#: When notebook displays carry the dashboard bundle (~2 MB: WebAssembly, Graphviz, script, style):
#: "first" = only the first display of this Python process (later displays on the page reuse it);
#: "always" = every display (each output then works alone, e.g. after clearing earlier outputs).
notebook_bundle = "first"
_bundle_sent = False


class RunError(RuntimeError):
    """A pipeline run failed or was cancelled; `trace` holds what was recorded (failed tasks marked)."""

    def __init__(self, message: str, trace: "Trace"):
        super().__init__(message)
        self.trace = trace


@dataclass(frozen=True)
class Layer:
    """One layer of a trace: its output array and how many tasks it ran."""

    id: str
    name: str
    op: str
    kind: str
    group: str
    inputs: tuple
    shape: tuple
    chunks: tuple
    dtype: str
    tasks: int
    params: dict = field(default_factory=dict)

    @staticmethod
    def _from_json(d: dict) -> "Layer":
        return Layer(d["id"], d.get("name", d["id"]), d.get("op", ""), d.get("kind", ""), d.get("group", ""),
                     tuple(d.get("inputs", ())), tuple(d.get("shape", ())),
                     tuple(tuple(c) for c in d.get("chunks", ())), d.get("dtype", ""), int(d.get("tasks", 0)),
                     d.get("params", {}) or {})


@dataclass(frozen=True)
class Evidence:
    """A measured number of a finding (unit: ns, B, B/s, ratio, share, count or shape)."""

    name: str
    value: float
    unit: str
    text: str = ""


@dataclass(frozen=True)
class Finding:
    """One finding of the analysis (docs/rules.md documents every rule)."""

    rule: str
    severity: str  # "info" | "warning" | "critical"
    layers: tuple
    message: str
    evidence: tuple
    advice: str
    edits: tuple = ()

    @staticmethod
    def _from_json(d: dict) -> "Finding":
        ev = tuple(Evidence(e["name"], e.get("value", 0.0), e.get("unit", ""), e.get("text", "")) for e in d.get("evidence", ()))
        return Finding(d["rule"], d["severity"], tuple(d.get("layers", ())), d.get("message", ""), ev,
                       d.get("advice", ""), tuple(d.get("edits", ())))

    def evidence_dict(self) -> dict:
        """{name: value} (the text for shapes)."""
        return {e.name: (e.text if e.unit == "shape" else e.value) for e in self.evidence}


_WEB_FILES = ("app.js", "style.css", "chunkscope_web.js", "viz-global.js")


def _locate_web_assets() -> tuple:
    """(folder, "") when the dashboard files are complete, else (None, why): which file is missing
    where. $CHUNKSCOPE_WEB_DIR, when set, is the only folder looked at (as the CLI does); otherwise
    chunkscope/web/ next to this package (installed), then the build tree's share/chunkscope/web."""
    here = os.path.dirname(os.path.abspath(__file__))
    env = os.environ.get("CHUNKSCOPE_WEB_DIR", "")
    dirs = [env] if env else [d for d in (os.path.join(here, "web"), _BUILD_WEB_DIR) if d]
    why = "no folder of dashboard files was found (build the `web` target, or set CHUNKSCOPE_WEB_DIR)"
    for i, d in enumerate(dirs):
        missing = [f for f in _WEB_FILES if not os.path.isfile(os.path.join(d, f))]
        if not missing:
            return d, ""
        if i == 0 or os.path.isdir(d):
            why = (f"the dashboard files are incomplete: {os.path.join(d, missing[0])} is missing (build the `web` target; "
                   "scripts/install-deps installs emscripten and the npm packages; or set CHUNKSCOPE_WEB_DIR)")
    return None, why


def web_assets_dir() -> str | None:
    """The folder of the dashboard files (app.js, style.css, chunkscope_web.js, viz-global.js):
    $CHUNKSCOPE_WEB_DIR when set, else chunkscope/web/ next to this package (installed), then the
    build tree's share/chunkscope/web. None when none has them all."""
    return _locate_web_assets()[0]


class Trace:
    """A recorded run: layers, tasks, memory and the findings of the analysis."""

    def __init__(self, native: "_chunkscope.NativeTrace", source: str = "trace"):
        self._native = native
        self._source = source
        self._layers = None
        self._meta = None
        self.task_overhead_ns = 0.0  # 0 = measured from the trace (docs/rules.md)

    # ---- construction ----
    @staticmethod
    def from_json(text: str, name: str = "trace") -> "Trace":
        """Validates a trace JSON document (docs/trace-format.md); InputError names the field."""
        return Trace(_chunkscope.NativeTrace.from_bytes(text.encode(), name), name)

    @staticmethod
    def from_dict(doc: dict, name: str = "trace") -> "Trace":
        return Trace.from_json(json.dumps(doc, separators=(",", ":")), name)

    @staticmethod
    def from_bytes(data: bytes, name: str = "trace") -> "Trace":
        """JSON, CBOR or the compact encoding (detected from the first bytes)."""
        return Trace(_chunkscope.NativeTrace.from_bytes(bytes(data), name), name)

    # ---- contents ----
    @property
    def layers(self) -> list:
        if self._layers is None:
            self._layers = [Layer._from_json(d) for d in json.loads(self._native.layers_json())]
        return self._layers

    @property
    def meta(self) -> dict:
        if self._meta is None:
            self._meta = json.loads(self._native.meta_json())
        return self._meta

    @property
    def task_count(self) -> int:
        return self._native.task_count()

    def layer(self, id: str) -> Layer:
        for l in self.layers:
            if l.id == id:
                return l
        raise KeyError(id)

    @property
    def tasks(self):
        """Every task as a pandas DataFrame, one row per task in the trace's (topological) order:
        layer (id), layer_index, stage, chunk, worker, start_ns, end_ns, duration_ns, bytes, status
        ("done", "failed", ...), fused, deps (number of inputs). For plots of one's own."""
        pd = _pandas()
        cols = json.loads(self._native.tasks_json())
        ids = [l.id for l in self.layers]
        names = list(cols.get("status_names") or [])
        names += ["not_run", "done", "failed", "cancelled"][len(names):]  # the legend lists only the codes used
        offsets = cols.get("dep_offsets") or [0] * (len(cols.get("layer", ())) + 1)
        df = pd.DataFrame({
            "layer": pd.Categorical.from_codes(cols["layer"], categories=ids) if ids else pd.Categorical([]),
            "layer_index": pd.array(cols["layer"], dtype="int32"),
            "stage": pd.array(cols["stage"], dtype="int32"),
            "chunk": pd.array(cols["chunk"], dtype="int64"),
            "worker": pd.array(cols["worker"], dtype="int32"),
            "start_ns": pd.array(cols["start_ns"], dtype="int64"),
            "end_ns": pd.array(cols["end_ns"], dtype="int64"),
            "bytes": pd.array(cols["bytes"], dtype="int64"),
            "status": pd.Categorical.from_codes(cols["status"], categories=names),
            "fused": pd.array([bool(x) for x in cols.get("fused", [0] * len(cols["layer"]))], dtype="bool"),
            "deps": pd.array([offsets[i + 1] - offsets[i] for i in range(len(cols["layer"]))], dtype="int64"),
        })
        df.insert(df.columns.get_loc("end_ns") + 1, "duration_ns", df["end_ns"] - df["start_ns"])
        df.index.name = "task"
        return df

    def layers_frame(self):
        """One row per layer as a pandas DataFrame (index: the layer id): what `Trace.layers` holds
        (name, op, kind, group, inputs, shape, chunk shape, dtype, tasks) and the numbers of
        `chunkscope report` (busy_ns, critical_ns, output_bytes, peak_live_bytes, median_task_ns, ...)."""
        pd = _pandas()
        rows = []
        for l, s in zip(self.layers, json.loads(self._native.layer_summaries_json())):
            rows.append({"layer": l.id, "name": l.name, "op": l.op, "kind": l.kind, "group": l.group,
                         "inputs": list(l.inputs), "shape": l.shape,
                         "chunk_shape": tuple(s["out_chunk_shape"]), "input_chunk_shape": tuple(s["in_chunk_shape"]),
                         "chunks": int(_prod(len(c) for c in l.chunks)) if l.chunks else 0, "dtype": l.dtype,
                         "tasks": s["tasks"], "done": s["done"], "failed": s["failed"], "cancelled": s["cancelled"],
                         "busy_ns": s["busy_ns"], "critical_ns": s["critical_ns"], "first_start_ns": s["first_start_ns"],
                         "last_end_ns": s["last_end_ns"], "median_task_ns": s["median_task_ns"], "max_task_ns": s["max_task_ns"],
                         "output_bytes": s["output_bytes"], "peak_live_bytes": s["peak_live_bytes"], "max_fan_in": s["max_fan_in"]})
        df = pd.DataFrame(rows, columns=["layer", "name", "op", "kind", "group", "inputs", "shape", "chunk_shape",
                                         "input_chunk_shape", "chunks", "dtype", "tasks", "done", "failed", "cancelled",
                                         "busy_ns", "critical_ns", "first_start_ns", "last_end_ns", "median_task_ns",
                                         "max_task_ns", "output_bytes", "peak_live_bytes", "max_fan_in"])
        return df.set_index("layer")

    @property
    def findings(self) -> list:
        return [Finding._from_json(d) for d in json.loads(self._native.findings_json(self.task_overhead_ns))]

    def analyze(self, task_overhead_us: float | None = None) -> list:
        """Findings with an explicit per-task overhead (µs); None = measured from the trace."""
        self.task_overhead_ns = 0.0 if task_overhead_us is None else float(task_overhead_us) * 1e3
        return self.findings

    def measured_task_overhead_ns(self) -> float:
        """The per-task overhead the rules use (measured, or the engine's fallback)."""
        return self._native.task_overhead_ns(self.task_overhead_ns)

    def to_dict(self) -> dict:
        return json.loads(self._native.to_json())

    def to_json(self) -> str:
        return self._native.to_json()

    def compare(self, other: "Trace"):
        """This run (before) against `other` (after), per layer: chunk shapes, tasks, time, memory,
        their changes and regressions, as `chunkscope diff` shows them (chunkscope/compare.py)."""
        from .compare import Comparison
        return Comparison(self, other)

    # ---- output ----
    def to_chrome(self, path) -> None:
        """The Chrome trace-event JSON that Perfetto opens (as `chunkscope export --format chrome`);
        gzip-compressed when `path` ends in .gz; written through a temporary renamed into place."""
        path = os.fspath(path)
        data = _chunkscope.chrome_json(self._native).encode("utf-8")
        if path.endswith(".gz"):
            import gzip
            data = gzip.compress(data, compresslevel=6)
        _write_via_rename(path, data)

    def report(self) -> str:
        """The layer table and the findings, as `chunkscope report` prints them."""
        return self._native.report(self.task_overhead_ns)

    def save(self, path: str) -> None:
        """Writes the trace: CBOR for a path ending in .cbor, JSON otherwise (atomically)."""
        self._native.save(os.fspath(path))

    def to_html(self, path: str) -> None:
        """The dashboard as one self-contained, offline HTML file, written to a temporary of its own
        and renamed into place; InputError (naming the file) when it cannot be written."""
        d, why = _locate_web_assets()
        self._native.findings_json(self.task_overhead_ns)
        if d is None:  # still a page: the static report, saying why (as `chunkscope html` does)
            import warnings
            warnings.warn(f"chunkscope: {why}: {os.fspath(path)} has the static report only", RuntimeWarning, stacklevel=2)
            html = self._native.static_page(self._source, _chunkscope.fallback_note(why))
        else:
            html = self._native.html(d, self._source)
        _write_via_rename(os.fspath(path), html.encode("utf-8"))

    def _repr_html_(self) -> str:
        """The notebook display: the dashboard inline (its scripts loaded once per page) over a
        static layer table + findings that is what remains where scripts are blocked."""
        global _bundle_sent
        d, why = _locate_web_assets()
        self._native.findings_json(self.task_overhead_ns)  # the displays use this overhead
        if d is not None:
            include = notebook_bundle == "always" or not _bundle_sent
            try:
                frag = self._native.notebook_fragment(d, self._source, include)
            except RuntimeError as e:  # a dashboard file unreadable: the static report says so
                frag, why = "", str(e)
            if frag:
                _bundle_sent = _bundle_sent or include
                return frag
            why = why or "this build's web/ has no notebook display"
        return '<div class="chunkscope-static">' + self._native.static_report(self._source, _chunkscope.fallback_note(why)) + "</div>"

    def __repr__(self) -> str:
        m = self.meta
        return (f"<chunkscope.Trace {m.get('pipeline', '')!r}: {len(self.layers)} layers, {self.task_count} tasks, "
                f"executor {m.get('executor', '')}, status {m.get('status', '')}>")


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("chunkscope: Trace.tasks and Trace.layers_frame() need pandas (Debian: python3-pandas)") from None
    return pandas


def _prod(xs) -> int:
    n = 1
    for x in xs:
        n *= x
    return n


def _write_via_rename(path: str, data: bytes) -> None:
    """Writes DATA to PATH through a new temporary `PATH.tmp-<pid>.<random>` (the names chunkscope's
    own writers use, so a later run removes one left by a killed process) renamed into place. On any
    failure the temporary is removed and PATH is left as it was; an OSError becomes InputError."""
    tmp = None
    try:
        for _ in range(100):
            name = f"{path}.tmp-{os.getpid()}.{secrets.randbelow(10**9)}"
            try:
                fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            except FileExistsError:
                continue
            tmp = name
            break
        else:
            raise FileExistsError(f"no free temporary name next to {path}")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise InputError(f"chunkscope: {path}: cannot write: {e.strerror or e}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def load(path) -> Trace:
    """Reads a trace file (.cstrace.json, .cstrace.cbor or compact); InputError names the file and field."""
    path = os.fspath(path)
    return Trace(_chunkscope.NativeTrace.load(path), os.path.basename(path))


def run(pipeline, threads: int = 0, memory_limit: int = 0) -> Trace:
    """Runs a pipeline (a dict in the pipeline format, or a path to a pipeline file) on chunkscope's CPU
    executor and returns its trace. threads = 0: one per core; memory_limit in bytes (0 = none).
    Bad pipelines and a negative memory_limit raise InputError; a failed run raises RunError (with .trace)."""
    if isinstance(memory_limit, bool) or int(memory_limit) < 0:
        raise InputError(f"chunkscope: memory_limit={memory_limit!r} is not a size in bytes (0 = no limit)")
    if isinstance(pipeline, dict):
        name = str(pipeline.get("name", "pipeline"))
        native, status, error = _chunkscope.run("", json.dumps(pipeline), name + ".json", os.getcwd(), int(threads), int(memory_limit))
    else:
        path = os.fspath(pipeline)
        name = os.path.basename(path)
        native, status, error = _chunkscope.run(path, "", "", "", int(threads), int(memory_limit))
    trace = Trace(native, name)
    if status != "ok":
        raise RunError(f"chunkscope: run {status}: {error}", trace)
    return trace


try:  # chunkscope.to_dask is the function (chunkscope/to_dask.py; docs/distributed.md), not the module
    from .to_dask import to_dask
except ImportError as _e:  # no NumPy: the rest of the package works without it
    _why = str(_e)

    def to_dask(pipeline, *, sinks: bool = False, targets: dict | None = None) -> dict:
        """The pipeline's layers as dask arrays; needs NumPy and Dask."""
        raise ImportError("chunkscope.to_dask needs numpy and dask: " + _why)


def load_ipython_extension(ipython):
    """`%load_ext chunkscope`: the `%%chunkscope` cell magic (chunkscope/magics.py)."""
    from .magics import load_ipython_extension as load
    load(ipython)


def __getattr__(name):  # `chunkscope.dask` without importing Dask up front
    if name == "dask":
        import importlib
        return importlib.import_module(".dask", __name__)
    raise AttributeError(name)
