"""`chunkscope run PIPELINE --executor dask [--scheduler ADDRESS | --local-cluster N]`.

The CLI hands the run to this module (`python3 -m chunkscope.run_dask PIPELINE ...`, after it has
validated the pipeline and checked the output paths). The pipeline becomes dask arrays
(chunkscope.to_dask: one Dask layer per pipeline layer, named by its id), runs on Dask (the threaded
scheduler by default, a distributed scheduler at ADDRESS, or a LocalCluster of N worker processes
on 127.0.0.1), captured by chunkscope.dask.profile (the distributed scheduler plugin), and writes
what the CPU executor writes: the outputs (through temporaries renamed when the run succeeded), the
trace and the HTML. Exit codes as the CLI's: 0 ok, 1 the run failed, 2 bad input.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

_KIND = {"random": "source", "zeros": "source", "ones": "source", "full": "source", "from_npy": "source",
         "from_zarr": "source", "transpose": "transpose", "slice": "slice", "rechunk": "rechunk",
         "concatenate": "concatenate", "matmul": "matmul", "gaussian_filter": "stencil", "uniform_filter": "stencil",
         "sum": "reduce", "mean": "reduce", "min": "reduce", "max": "reduce", "std": "reduce", "var": "reduce",
         "to_npy": "sink", "to_zarr": "sink"}
_NOT_PARAMS = ("id", "op", "name", "group", "description")


def _fail(msg: str, code: int) -> int:
    print("chunkscope: " + msg, file=sys.stderr)
    return code


def _parse(argv):
    ap = argparse.ArgumentParser(prog="chunkscope run --executor dask", description=__doc__.split("\n\n")[0])
    ap.add_argument("pipeline")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786)")
    where.add_argument("--local-cluster", type=int, metavar="N", help="start a LocalCluster of N worker processes on 127.0.0.1")
    ap.add_argument("--threads", "-j", type=int, default=0, help="threads per worker (local cluster) or of the threaded scheduler")
    ap.add_argument("--memory-limit", type=int, default=0, help="bytes; a local cluster's workers share it")
    ap.add_argument("--trace", default="")
    ap.add_argument("--no-trace", action="store_true")
    ap.add_argument("--html", default="")
    ap.add_argument("--quiet", "-q", action="store_true")
    return ap.parse_args(argv)


def _format_duration(ns: float) -> str:
    s = ns / 1e9
    return f"{s * 1e3:.0f} ms" if s < 1 else f"{s:.2f} s"


def _trace_document(doc: dict, desc: dict, raw: dict, name: str) -> dict:
    """The captured document with the pipeline's facts on its layers (op, kind, group, the user's
    fields, inserted, pushed_into, shape, chunks, dtype), as the CPU executor's trace has them; the
    Dask facts (dask_name, ...) stay in params. Layers Dask made that are not pipeline layers stay."""
    meta = {l["id"]: l for l in desc["layers"]}
    user = {l["id"]: l for l in raw.get("layers", [])}
    for l in doc["layers"]:
        d = meta.get(l["id"])
        if d is None:
            continue
        params = {k: v for k, v in user.get(l["id"], {}).items() if k not in _NOT_PARAMS}
        params.update({k: v for k, v in l.get("params", {}).items() if k.startswith("dask_") or k == "chunk_type"})
        l.update(op=d["op"], kind=_KIND.get(d["op"], "elementwise"), group=d.get("group", ""), name=d.get("name", l["id"]),
                 shape=d["shape"], chunks=d["chunks"], dtype=d["dtype"], params=params, inserted=bool(d.get("inserted")),
                 inputs=list(d.get("inputs", [])))
        if d.get("pushed_into"):
            l["pushed_into"] = d["pushed_into"]
    doc["meta"]["pipeline"] = name
    return doc


class _Outputs:
    """The run's output files: temporaries next to each target, renamed into place at the end."""

    def __init__(self, desc: dict, raw: dict, base: str):
        self.moves = []  # (temporary, final, kind)
        used = set()
        self.targets = {}
        for d in desc["layers"]:
            if d["op"] not in ("to_npy", "to_zarr"):
                continue
            src, kind = d["inputs"][0], d["op"]
            for i, o in enumerate(raw.get("outputs") or []):
                if o.get("id") == src and o.get(kind) and i not in used:
                    used.add(i)
                    final = o[kind] if os.path.isabs(o[kind]) else os.path.join(base, o[kind])
                    os.makedirs(os.path.dirname(os.path.abspath(final)), exist_ok=True)
                    tmp = f"{final}.tmp-{os.getpid()}"
                    self.targets[d["id"]] = tmp
                    self.moves.append((tmp, final, kind))
                    break

    def commit(self):
        for tmp, final, kind in self.moves:
            if kind == "to_zarr" and os.path.isdir(final):
                old = f"{final}.tmp-{os.getpid()}-old"
                os.rename(final, old)
                os.rename(tmp, final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, final)

    def discard(self):
        for tmp, _final, _kind in self.moves:
            if os.path.isdir(tmp):
                shutil.rmtree(tmp, ignore_errors=True)
            elif os.path.exists(tmp):
                os.unlink(tmp)


def main(argv=None) -> int:
    a = _parse(sys.argv[1:] if argv is None else argv)
    try:
        import dask
        import numpy as np
    except ImportError as e:
        return _fail(f"--executor dask: Python has no {e.name} ({sys.executable}; Debian: python3-dask python3-distributed)", 1)
    if a.scheduler or a.local_cluster:
        try:
            import distributed  # noqa: F401
        except ImportError:
            return _fail(f"--executor dask: Python has no distributed ({sys.executable}; Debian: python3-distributed)", 1)
    import importlib

    import chunkscope
    _td = importlib.import_module("chunkscope.to_dask")
    if a.local_cluster is not None and a.local_cluster < 1:
        return _fail("--local-cluster: needs at least 1 worker", 2)
    if a.memory_limit and not a.local_cluster:
        where = ("the workers of a running cluster have their own limit (dask worker --memory-limit)" if a.scheduler
                 else "Dask's threaded scheduler has no memory limit; use --local-cluster N")
        return _fail(f"--memory-limit with --executor dask: {where}", 2)
    try:
        builder = _td._Builder(a.pipeline)
    except (ValueError, OSError) as e:
        return _fail(str(e), 2)
    name, desc, raw = builder.name, builder.desc, builder.raw
    trace_path = "" if a.no_trace else (a.trace or name + ".cstrace.json")
    outputs = _Outputs(desc, raw, builder.base)
    cluster = client = None
    status, error, wall_ns, prof = "ok", "", 0, None
    try:
        arrays = builder.build(True, outputs.targets)
        sinks = [d["id"] for d in desc["layers"] if d["op"] in ("to_npy", "to_zarr")]
        out_ids = []
        for o in (raw["outputs"] if raw.get("outputs") is not None else [{"id": desc["layers"][-1]["id"]}]):
            if not o.get("to_npy") and not o.get("to_zarr") and o["id"] not in out_ids:
                out_ids.append(o["id"])
        collections = [arrays[s] for s in sinks] + [arrays[i] for i in out_ids]
        kw = {}
        if a.local_cluster:
            from distributed import Client, LocalCluster
            per_worker = a.memory_limit // a.local_cluster if a.memory_limit else "auto"
            cluster = LocalCluster(n_workers=a.local_cluster, threads_per_worker=a.threads or 1, processes=True,
                                   host="127.0.0.1", dashboard_address=None, memory_limit=per_worker)
            client = Client(cluster)
        elif a.scheduler:
            from distributed import Client
            client = Client(a.scheduler)
        else:
            kw = {"scheduler": "threads"}
            if a.threads:
                kw["num_workers"] = a.threads
        t0 = time.perf_counter_ns()
        from chunkscope.dask import profile
        results = None
        # Without low-level fusion: one task per chunk of every layer that Dask's blockwise
        # optimisation keeps, under the layer's own key name (fused keys of 0-d chunks would not be).
        with profile(client, local=client is None, name=name) as prof, dask.config.set({"optimization.fuse.active": False}):
            try:
                results = dask.compute(*collections, **kw)
            except Exception as e:  # the trace is still written, the failure marked
                status, error = "failed", f"{type(e).__name__}: {e}"
        wall_ns = time.perf_counter_ns() - t0
        if status == "ok":
            outputs.commit()
        else:
            outputs.discard()
    except KeyboardInterrupt:
        outputs.discard()
        return _fail("run cancelled", 130)
    except Exception as e:
        outputs.discard()
        return _fail(f"--executor dask: {type(e).__name__}: {e}", 1)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    rc = 0 if status == "ok" else 1
    if status != "ok":
        print(f"chunkscope: run failed: {error}", file=sys.stderr)
    trace = None
    if prof is not None and prof.document is not None and not a.no_trace:
        doc = _trace_document(prof.document, desc, raw, name)
        trace = chunkscope.Trace.from_dict(doc, os.path.basename(trace_path))
        try:
            trace.save(trace_path)
            if a.html:
                trace.to_html(a.html)
        except ValueError as e:
            print(f"chunkscope: {e}", file=sys.stderr)
            rc = 1
    if a.quiet:
        return rc
    ntasks = trace.task_count if trace is not None else 0
    where = ("a local cluster of %d workers" % a.local_cluster if a.local_cluster else
             "the scheduler at " + a.scheduler if a.scheduler else "Dask's threaded scheduler")
    print(f"ran {name} on {where}: {status} in {_format_duration(wall_ns)}" + (f", {ntasks} tasks" if trace is not None else ""))
    results = results or ()
    res = dict(zip([None] * len(sinks) + out_ids, results)) if results else {}
    for o in (raw["outputs"] if raw.get("outputs") is not None else [{"id": desc["layers"][-1]["id"]}]):
        d = next((l for l in desc["layers"] if l["id"] == o["id"]), None)
        if d is None:
            continue
        line = f"output {o['id']} {'×'.join(map(str, d['shape'])) or 'scalar'} {d['dtype']}"
        if o.get("to_npy") or o.get("to_zarr"):
            line += " -> " + (o.get("to_npy") or o.get("to_zarr"))
        elif o["id"] in res:
            v = np.asarray(res[o["id"]])
            line += f": sum {v.sum()}, min {v.min()}, max {v.max()}"
        print(line)
    if trace is not None:
        print("trace: " + trace_path)
        if a.html:
            print("html: " + a.html)
    return rc


if __name__ == "__main__":
    sys.exit(main())
