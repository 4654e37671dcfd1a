"""Dask's layers grouped into the operations the user wrote (a layer's `group`, docs/trace-format.md).

`assign_groups(layers)` sets the `group` of a Dask trace's (or plan's) layer dicts and returns what
the document's `meta.extra.groups` says of each group (the call and where it was made):
- Layers whose origin is known (origins.py: the user's call that made them) are grouped by call: the
  call's layers form one group named like the call, `map_overlap(gaussian)`, `mean(axis=0)`,
  `rechunk`, `groupby.mean('time')`, when the call made two layers or more, or read or wrote a path
  (`from_zarr(stack.zarr)`, `to_zarr(out.zarr)`). Every such layer gets `params.dask_call` and
  `params.created_at` ("analysis.py:12"), `created_file`, `created_line`, `created_in` (the function).
- Layers made before chunkscope.dask was imported are grouped by their names: a map_overlap's
  boundary getitem/concatenate, overlap, function, block-info and trim layers; a reduction's chunk,
  partial and aggregate layers; a rechunk's stages; a Zarr source; a store.
- A layer that is in no group and that Dask fused into a grouped layer joins that group.
Names are unique (a second `rechunk` is `rechunk#2`); a '/' in a name (the path separator of groups)
is written '∕'. Collapsed by default in every front-end (viz::ViewState starts with none expanded).
"""
from __future__ import annotations

import os
import re

from .names import split_name
from .origins import origin_of

__all__ = ["assign_groups"]

_REDUCE_TAIL = re.compile(r"(-aggregate|_aggregate|-partial|_partial|_combine|-combine|_agg|_chunk)$")
_OVERLAP_PARTS = ("getitem", "concatenate", "overlap")
_PATH_APIS = ("from_zarr", "to_zarr", "to_hdf5", "open_zarr", "open_dataset", "open_mfdataset", "to_npy_stack",
              "from_npy_stack", "to_netcdf")


def _clean(name: str) -> str:
    return name.replace("/", "\u2215").strip() or "op"


def _op(layer) -> str:
    return split_name(layer["params"].get("dask_name", layer["id"]))[0]


def _base(op: str) -> str:
    """A reduction stage's op -> the reduction: 'mean_agg-aggregate' -> 'mean', '_chunk_sum' -> 'sum'."""
    prev = None
    while prev != op:
        prev = op
        op = _REDUCE_TAIL.sub("", op)
    op = op.strip("_-")
    for head in ("chunk_", "chunk-"):
        if op.startswith(head):
            op = op[len(head):]
    return op.strip("_-") or prev


def _reduced_axes(chunk_layer, input_layer) -> list:
    """Axes a reduction's chunk stage brings to size 1 per chunk (keepdims), read from the chunks."""
    try:
        out, inp = chunk_layer["chunks"], input_layer["chunks"]
        if not out or len(out) != len(inp):
            return []
        return [a for a, (o, i) in enumerate(zip(out, inp)) if all(c == 1 for c in o) and not all(c == 1 for c in i)]
    except (KeyError, TypeError):
        return []


def _structural(layers, by_id, readers) -> dict:
    """{layer id: (group name, the id of the layer that formed the group)} for layers without an
    origin, from Dask's layer names."""
    out: dict = {}
    for l in layers:  # map_overlap: trim <- function <- (getitem|overlap|concatenate)*, with block-info
        if _op(l) not in ("_trim", "trim", "trim_internal"):
            continue
        members = [l["id"]] + [i for i in l["inputs"] if _op(by_id[i]).startswith("block-info")]
        funcs = [i for i in l["inputs"] if not _op(by_id[i]).startswith("block-info")]
        if len(funcs) != 1:
            continue
        f = by_id[funcs[0]]
        stack, seen, saw_overlap = list(f["inputs"]), set(), False
        part = [f["id"]]
        while stack:
            i = stack.pop()
            if i in seen or i not in by_id:
                continue
            seen.add(i)
            op = _op(by_id[i])
            if op.startswith(_OVERLAP_PARTS):
                saw_overlap = saw_overlap or op.startswith("overlap")
                part.append(i)
                stack.extend(by_id[i]["inputs"])
        if saw_overlap:
            for i in members + part:
                out.setdefault(i, (f"map_overlap({_op(f)})", l["id"]))
    for l in layers:  # reductions: chunk -> partial* -> aggregate
        op = _op(l)
        if not op.endswith("aggregate") or l["id"] in out:
            continue
        members, stack = [l["id"]], list(l["inputs"])
        chunk = None
        while stack:
            i = stack.pop()
            if i not in by_id or i in members:
                continue
            iop = _op(by_id[i])
            if iop.endswith("partial") or "combine" in iop:
                members.append(i)
                stack.extend(by_id[i]["inputs"])
            elif by_id[i]["kind"] == "reduce" and chunk is None:
                chunk = i
                members.append(i)
        name = _base(op)
        if chunk is not None and by_id[chunk]["inputs"]:
            axes = _reduced_axes(by_id[chunk], by_id[by_id[chunk]["inputs"][0]])
            if axes:
                name += "(axis=" + (str(axes[0]) if len(axes) == 1 else str(tuple(axes))) + ")"
        for i in members:
            out.setdefault(i, (name, l["id"]))
    for l in reversed(layers):  # rechunks: the stages Dask inserted join their reader's group
        op = _op(l)
        if "rechunk" not in op or l["id"] in out:
            continue
        rs = readers.get(l["id"], ())
        if l.get("inserted") and rs and rs[0] in out:
            out[l["id"]] = out[rs[0]]
        else:
            out[l["id"]] = ("rechunk", l["id"])
    for l in layers:  # sources and stores with a path
        p = l["params"]
        path = p.get("path")
        if not path or l["id"] in out:
            continue
        base = os.path.basename(str(path).split(":")[0].rstrip("/"))
        if l["kind"] == "source" and str(p.get("source_type", "")).startswith("zarr."):
            out[l["id"]] = (f"from_zarr({base})", l["id"])
        elif l["kind"] == "sink":
            t = str(p.get("target_type", ""))
            name = f"to_zarr({base})" if t.startswith("zarr.") else f"to_hdf5({base})" if t.startswith("h5py.") else f"store({base})"
            out[l["id"]] = (name, l["id"])
    return out


def assign_groups(layers: list) -> dict:
    """Sets each layer dict's `group` (see the module's text); returns {group: {"call", "created_at",
    "file", "line", "function"}} for the groups whose call is known."""
    by_id = {l["id"]: l for l in layers}
    readers: dict = {}
    for l in layers:
        for i in l["inputs"]:
            readers.setdefault(i, []).append(l["id"])
    calls: dict = {}
    origin = {}
    for l in layers:
        o = origin_of(l["params"].get("dask_name", ""))
        if o is None:
            continue
        origin[l["id"]] = o
        calls.setdefault(o.call, []).append(l["id"])
        p = l["params"]
        p["dask_call"] = o.label
        p["created_at"] = o.where
        p["created_file"] = o.file
        p["created_line"] = o.line
        p["created_in"] = o.function
    group: dict = {}
    for call, ids in calls.items():
        o = origin[ids[0]]
        if len(ids) >= 2 or o.api in _PATH_APIS:
            for i in ids:
                group[i] = (o.label, call)
    rest = [l for l in layers if l["id"] not in origin]
    for i, (name, first) in _structural(rest, by_id, readers).items():
        group[i] = (name, "s:" + first)
    for l in layers:  # fused into a grouped layer, in no group of its own
        into = l["params"].get("dask_fused_into")
        if l["id"] in group or l["id"] in origin or not into:
            continue
        target = next((m["id"] for m in layers if m["params"].get("dask_name") == into), None)
        if target in group:
            group[l["id"]] = group[target]
    # Unique names: one per (name, call); structural groups are told apart by the layer that formed them.
    names: dict = {}
    used: dict = {}
    info: dict = {}
    for l in layers:
        g = group.get(l["id"])
        if g is None:
            l["group"] = ""
            continue
        key = g
        if key not in names:
            base = _clean(g[0])
            k = used.get(base, 0) + 1
            used[base] = k
            names[key] = base if k == 1 else f"{base}#{k}"
            o = origin.get(l["id"])
            if o is not None:
                info[names[key]] = {"call": o.label, "created_at": o.where, "file": o.file, "line": o.line,
                                    "function": o.function}
        l["group"] = names[key]
    return info
