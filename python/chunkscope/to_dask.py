"""A chunkscope pipeline as dask.array: `to_dask(pipeline) -> {layer id: dask.array.Array}`.

    import chunkscope
    arrays = chunkscope.to_dask("samples/pipelines/cells.json")
    arrays["area"].compute()                      # the same values as `chunkscope run` writes

The layers are those of `chunkscope describe` (core's parser: chunk unification's inserted
`a>c` rechunks, push-down into sources, the `<id>:to_npy` / `<id>:to_zarr` sinks with
`sinks=True`), each ONE Dask high-level-graph layer named by the layer id: its output chunks are
the keys `(id, i, j, ...)`, the intermediate tasks Dask's algorithm needs (reduction tree, rechunk
stages, map_overlap's halo) are keys of the same layer. A capture of the computation
(chunkscope.dask.profile, local or distributed) therefore has the pipeline's layers.

Semantics follow docs/pipeline-format.md: `random` through exec's kernel (`random_block`, bit for
bit), NEP 50 promotion with exact integer literals, reductions with the layer's `split_every`
(float sums and means accumulated in float64), stencils through `map_overlap` with SciPy's
boundary modes (reflect, nearest, wrap = Dask's periodic, constant), each 1-D pass rounded to the
input dtype as SciPy does.
"""
from __future__ import annotations

import functools
import json
import os

import numpy as np

from . import _chunkscope

__all__ = ["to_dask", "describe"]

# ---------------------------------------------------------------- dtypes (docs/pipeline-format.md)

_DTYPES = {"bool": "bool", "?": "bool", "b1": "bool", "int8": "int8", "i1": "int8", "uint8": "uint8", "u1": "uint8",
           "int16": "int16", "i2": "int16", "uint16": "uint16", "u2": "uint16", "int32": "int32", "i4": "int32",
           "uint32": "uint32", "u4": "uint32", "int64": "int64", "i8": "int64", "int": "int64", "uint64": "uint64",
           "u8": "uint64", "float16": "float16", "f2": "float16", "half": "float16", "float32": "float32", "f4": "float32",
           "single": "float32", "float64": "float64", "f8": "float64", "float": "float64", "double": "float64"}
_BOOL, _I64, _U64, _F16, _F32, _F64 = (np.dtype(t) for t in ("bool", "int64", "uint64", "float16", "float32", "float64"))


def _dtype(name) -> np.dtype:
    return np.dtype(_DTYPES.get(name, name))


def _promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """Two arrays: NumPy's promotion table, which core/src/dtype.cpp implements for chunkscope's
    dtypes (tests/core/dtype_test.cpp checks every pair against it)."""
    return np.promote_types(a, b)


def _with_scalar(t: np.dtype, integral: bool) -> np.dtype:
    """An array type with a number (NEP 50 weak scalar)."""
    if t.kind == "b":
        return _I64 if integral else _F64
    if t.kind in "iu":
        return t if integral else _F64
    return t


def _sum_type(t: np.dtype) -> np.dtype:
    return t if t.kind == "f" else _U64 if t.kind == "u" else _I64


# ---------------------------------------------------------------- block kernels (run on the workers)

_BINARY = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.true_divide, "power": np.power,
           "maximum": np.maximum, "minimum": np.minimum, "greater": np.greater, "greater_equal": np.greater_equal,
           "less": np.less, "less_equal": np.less_equal, "equal": np.equal}
_COMPARISONS = {"greater", "greater_equal", "less", "less_equal", "equal"}
_FLOAT_MATH = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos}
_SOURCES = {"random", "zeros", "ones", "full", "from_npy", "from_zarr"}
_REDUCTIONS = {"sum", "mean", "min", "max", "std", "var"}


def _binary_block(op, compute, out, const, *vals):
    """One block of a binary op or `where`: operands cast to the computation type (numbers arrive
    already converted). `const`: the result of a comparison with an integer literal outside the
    type (the same for every element, as in NumPy >= 2), else None."""
    shape = next((v.shape for v in vals if isinstance(v, np.ndarray)), ())
    if const is not None:
        return np.full(shape, const, dtype=_BOOL)
    with np.errstate(all="ignore"):
        if op == "where":
            cond, x, y = vals
            cond = cond.astype(bool, copy=False) if isinstance(cond, np.ndarray) else bool(cond)
            r = np.where(cond, np.asarray(x).astype(compute, copy=False), np.asarray(y).astype(compute, copy=False))
            return np.broadcast_to(r, shape).astype(out)
        a, b = (np.asarray(v).astype(compute, copy=False) for v in vals)
        return _BINARY[op](a, b).astype(out, copy=False)


def _unary_block(op, out, x):
    with np.errstate(all="ignore"):
        if op == "astype":
            return x.astype(out)
        if op in _FLOAT_MATH:
            return _FLOAT_MATH[op](x.astype(out, copy=False))
        return (np.negative if op == "negative" else np.abs)(x)


def _read_source(spec, region):
    """The block of source `spec` at `region` (per axis: first index, step, count) in the source's
    own element indices: the pushed rechunks and slices read their chunks straight from the source."""
    kind, dtype, shape = spec["op"], np.dtype(spec["dtype"]), spec["shape"]
    counts = [n for (_s, _st, n) in region]
    if kind == "random":
        strides = [1] * len(shape)
        for a in range(len(shape) - 2, -1, -1):
            strides[a] = strides[a + 1] * shape[a + 1]
        base = sum(s * k for (s, _st, _n), k in zip(region, strides))
        return _chunkscope.random_block(spec["seed"], dtype.name, base, counts, [st * k for (_s, st, _n), k in zip(region, strides)])
    if kind in ("zeros", "ones", "full"):
        v = 0 if kind == "zeros" else 1 if kind == "ones" else spec["value"]
        return np.full(counts, np.array(float(v)).astype(dtype), dtype=dtype)
    # Files: read the covering range with a positive step, then flip the reversed axes.
    index, flip = [], []
    for a, (s, st, n) in enumerate(region):
        lo = s if st > 0 else s + st * (n - 1)
        index.append(slice(lo, lo + abs(st) * (n - 1) + 1, abs(st)))
        if st < 0:
            flip.append(a)
    if kind == "from_npy":
        arr = np.load(spec["path"], mmap_mode="r")
    else:
        import zarr
        arr = zarr.open_array(spec["path"], mode="r")
    block = np.asarray(arr[tuple(index)])
    if flip:
        block = np.flip(block, axis=flip)
    return np.ascontiguousarray(block).astype(block.dtype.newbyteorder("="), copy=False)


def _filter_block(op, params, dtype, edges, x):
    """A stencil on one block extended by its halo (map_overlap): SciPy's separable 1-D passes, each
    computed in float64 and stored in the input dtype, as scipy.ndimage does. `edges[a]` = (array
    starts at this block's low end, array ends at its high end, halo): with mode "constant" the
    halo outside the array is set to cval (as a double, as SciPy does) before the pass along a."""
    import scipy.ndimage as ndi
    cur = x
    step = _F32 if dtype == _F16 else dtype  # float16: passes in float32 (SciPy refuses float16), one rounding at the end
    mode, cval = params["mode"], params["cval"]
    for a, w in enumerate(params["width"]):
        if w == 0:
            continue
        buf = cur.astype(np.float64)
        lo, hi, d = edges[a]
        if mode == "constant" and d:
            idx = [slice(None)] * x.ndim
            if lo:
                idx[a] = slice(0, d)
                buf[tuple(idx)] = cval
            if hi:
                idx[a] = slice(x.shape[a] - d, None)
                buf[tuple(idx)] = cval
        if op == "gaussian_filter":
            res = ndi.gaussian_filter1d(buf, params["sigma"][a], axis=a, mode="constant", cval=cval, truncate=params["truncate"])
        else:
            res = ndi.uniform_filter1d(buf, params["size"][a], axis=a, mode="constant", cval=cval)
        cur = res.astype(step) if step.kind == "f" else _to_int(res, step)
    return cur.astype(dtype) if cur is not x else x.copy()


def _to_int(v, dtype):
    """A double line stored in an integer output as SciPy stores it (truncation toward zero)."""
    return np.trunc(v).astype(dtype)


def _stencil_block(op, params, dtype, halo, x, block_info=None):
    """`halo[a]`: the width of the boundary map_overlap added at the array's ends along a (0 where
    there is none)."""
    info = (block_info or {}).get(0) or {}
    loc = info.get("chunk-location") or [0] * x.ndim
    num = info.get("num-chunks") or [1] * x.ndim
    edges = [(loc[a] == 0, loc[a] == num[a] - 1, halo[a]) for a in range(x.ndim)]
    return _filter_block(op, params, dtype, edges, x)


def _npy_write(path, block, region):
    arr = np.load(path, mmap_mode="r+")
    arr[region] = block
    arr.flush()
    del arr
    return np.zeros((1,) * block.ndim, dtype=np.int8)


def _zarr_write(path, block, region):
    import zarr
    arr = zarr.open_array(path, mode="r+")
    arr[region] = block
    return np.zeros((1,) * block.ndim, dtype=np.int8)


def _identity(x):
    return x


# ---------------------------------------------------------------- graph building

def describe(pipeline) -> dict:
    """`chunkscope describe --json` of a pipeline (a path or a dict in the pipeline format)."""
    path, text, source, base = _pipeline_args(pipeline)
    return json.loads(_chunkscope.describe_pipeline(path, text, source, base))


def _pipeline_args(pipeline):
    if isinstance(pipeline, dict):
        return "", json.dumps(pipeline), str(pipeline.get("name", "pipeline")) + ".json", os.getcwd()
    return os.fspath(pipeline), "", "", ""


def _raw(pipeline) -> tuple[dict, str]:
    if isinstance(pipeline, dict):
        return pipeline, os.getcwd()
    path = os.fspath(pipeline)
    with open(path, encoding="utf-8") as f:
        return json.load(f), os.path.dirname(os.path.abspath(path))


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axis = axis if isinstance(axis, list) else [axis]
    return tuple(sorted(int(a) + ndim if int(a) < 0 else int(a) for a in axis))


def _as_layer(lid: str, arr, inputs: list, meta_dtype=None):
    """`arr` (built from `inputs` by Dask's own functions) as ONE high-level-graph layer named `lid`:
    every task it adds to its inputs' graphs, its output chunks renamed to (lid, i, j, ...)."""
    import dask.array as da
    from dask.core import flatten
    from dask.highlevelgraph import HighLevelGraph
    known = set()
    for a in inputs:
        known.update(a.dask.layers)
    new = [n for n in arr.dask.layers if n not in known]
    out = {}
    final = arr.name
    if new:
        for n in new:
            for k, v in dict(arr.dask.layers[n]).items():
                out[(lid,) + k[1:] if isinstance(k, tuple) and k[0] == final else k] = v
    if not any(isinstance(k, tuple) and k[0] == lid for k in out):  # no task made (a no-op): one copy per chunk
        out = {(lid,) + k[1:]: (_identity, k) for k in flatten(arr.__dask_keys__())}
    hlg = HighLevelGraph.from_collections(lid, out, dependencies=inputs)
    return da.Array(hlg, lid, arr.chunks, meta=np.empty((0,) * arr.ndim, dtype=meta_dtype or arr.dtype))


def _offsets(chunks):
    out = []
    for axis in chunks:
        o, s = [], 0
        for c in axis:
            o.append(s)
            s += c
        out.append(o)
    return out


class _Builder:
    def __init__(self, pipeline):
        self.raw, self.base = _raw(pipeline)
        self.desc = describe(pipeline)
        self.name = self.desc.get("name") or self.raw.get("name") or "pipeline"
        self.user = {l["id"]: l for l in self.raw["layers"]}
        self.meta = {l["id"]: l for l in self.desc["layers"]}
        self.arrays: dict = {}
        self.views: dict = {}  # layer id -> (source spec, [(offset, step) per axis]) for sources and pushed layers

    def path(self, p):
        return p if os.path.isabs(p) else os.path.join(self.base, p)

    def chunks(self, lid):
        return tuple(tuple(int(c) for c in axis) for axis in self.meta[lid]["chunks"])

    def build(self, sinks: bool, targets: dict | None):
        for d in self.desc["layers"]:
            op = d["op"]
            if op in ("to_npy", "to_zarr"):
                if sinks:
                    self.arrays[d["id"]] = self.sink(d, targets or {})
                continue
            self.arrays[d["id"]] = self.layer(d)
        return self.arrays

    # -- one layer
    def layer(self, d):
        lid, op = d["id"], d["op"]
        u = self.user.get(lid, {})
        ins = [self.arrays[i] for i in d.get("inputs", [])]
        if op in _SOURCES:
            return self.source(d, u)
        if op in ("rechunk", "slice") and d["inputs"][0] in self.views and self.meta[d["inputs"][0]].get("pushed_into") == lid:
            return self.pushed(d, u)
        if op in _BINARY or op == "where":
            return self.binary(d, u)
        if op in _FLOAT_MATH or op in ("negative", "abs", "astype"):
            return self.unary(d, ins[0])
        x = ins[0] if ins else None
        if op == "rechunk":
            return _as_layer(lid, x.rechunk(self.chunks(lid)), ins)
        if op == "transpose":
            axes = u.get("axes")
            axes = None if axes is None else [int(a) for a in axes]
            return _as_layer(lid, x.transpose(axes) if axes is not None else x.T, ins)
        if op == "slice":
            return _as_layer(lid, self.fit(lid, x[self.index(u, x.shape)]), ins)
        if op == "concatenate":
            import dask.array as da
            t = _dtype(d["dtype"])
            return _as_layer(lid, self.fit(lid, da.concatenate([a.astype(t) for a in ins], axis=int(u.get("axis") or 0))), ins)
        if op == "matmul":
            t = _dtype(d["dtype"])
            a, b = ins
            # Floats: float64 products, rounded once; integers wrap in t (Dask sums the blocks' products in int64).
            r = (a.astype(_F64) @ b.astype(_F64)).astype(t) if t.kind == "f" else (a.astype(t) @ b.astype(t)).astype(t)
            return _as_layer(lid, self.fit(lid, r), ins)
        if op in _REDUCTIONS:
            return _as_layer(lid, self.fit(lid, self.reduce(op, u, x)), ins)
        if op in ("gaussian_filter", "uniform_filter"):
            return _as_layer(lid, self.fit(lid, self.stencil(op, u, x)), ins)
        raise ValueError(f'chunkscope.to_dask: layer "{lid}": op "{op}" is not supported')

    def fit(self, lid, arr):
        """arr with the chunks chunkscope gives the layer (the same chunk grid, so the same keys)."""
        want = self.chunks(lid)
        return arr if arr.chunks == want else arr.rechunk(want)

    @staticmethod
    def index(u, shape):
        entries = u.get("slices") or []
        out = []
        for a in range(len(shape)):
            e = entries[a] if a < len(entries) else None
            if e is None:
                out.append(slice(None))
            else:
                parts = [None if v is None else int(v) for v in e] + [None] * (3 - len(e))
                out.append(slice(*parts))
        return tuple(out)

    # -- sources and what is pushed into them
    def source(self, d, u):
        op = d["op"]
        spec = {"op": op, "dtype": _dtype(d["dtype"]).name, "shape": [int(s) for s in d["shape"]]}
        if op == "random":
            spec["seed"] = int(u.get("seed") or 0)
        elif op == "full":
            spec["value"] = u["value"]
        elif op in ("from_npy", "from_zarr"):
            spec["path"] = os.path.abspath(self.path(u["path"]))
        self.views[d["id"]] = (spec, [(0, 1)] * len(spec["shape"]))
        return self.reader(d["id"])

    def pushed(self, d, u):
        spec, view = self.views[d["inputs"][0]]
        if d["op"] == "slice":
            shape = [int(s) for s in self.meta[d["inputs"][0]]["shape"]]
            new = []
            for (off, step), sl, n in zip(view, self.index(u, shape), shape):
                start, _stop, st = sl.indices(n)
                new.append((off + step * start, step * st))
            view = new
        self.views[d["id"]] = (spec, view)
        return self.reader(d["id"], depends_on=[self.arrays[d["inputs"][0]]])

    def reader(self, lid, depends_on=()):
        """A layer whose chunks are read straight from its source (a source, or a layer pushed into one)."""
        import dask.array as da
        from dask.highlevelgraph import HighLevelGraph
        spec, view = self.views[lid]
        chunks = self.chunks(lid)
        offs = _offsets(chunks)
        dsk = {}
        for idx in np.ndindex(*[len(c) for c in chunks]):
            region = tuple((view[a][0] + view[a][1] * offs[a][i], view[a][1], chunks[a][i]) for a, i in enumerate(idx))
            dsk[(lid,) + tuple(int(i) for i in idx)] = (_read_source, spec, region)
        hlg = HighLevelGraph.from_collections(lid, dsk, dependencies=list(depends_on))
        return da.Array(hlg, lid, chunks, meta=np.empty((0,) * len(chunks), dtype=np.dtype(spec["dtype"])))

    # -- outputs
    def sink(self, d, targets):
        """`<id>:to_npy` / `<id>:to_zarr`: the file is made here (at targets[sink id] or the pipeline's
        path); each task writes one chunk of the layer into it."""
        from dask.highlevelgraph import HighLevelGraph
        import dask.array as da
        sid, kind, src = d["id"], d["op"], d["inputs"][0]
        path = targets.get(sid)
        if path is None:
            entry = next(o for o in self.raw.get("outputs") or [] if o.get("id") == src and o.get(kind))
            path = self.path(entry[kind])
        x = self.arrays[src]
        dtype, shape = x.dtype, x.shape
        if kind == "to_npy":
            np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape).flush()
            write = _npy_write
        else:
            import zarr
            zarr.open_array(path, mode="w", shape=shape, chunks=tuple(c[0] for c in x.chunks) or None, dtype=dtype,
                            compressor=None, fill_value=0)
            write = _zarr_write
        offs = _offsets(x.chunks)
        dsk = {}
        for idx in np.ndindex(*[len(c) for c in x.chunks]):
            region = tuple(slice(offs[a][i], offs[a][i] + x.chunks[a][i]) for a, i in enumerate(idx))
            dsk[(sid,) + idx] = (write, path, (src,) + idx, region)
        hlg = HighLevelGraph.from_collections(sid, dsk, dependencies=[x])
        return da.Array(hlg, sid, tuple((1,) * len(c) for c in x.chunks), meta=np.empty((0,) * x.ndim, dtype=np.int8))

    # -- element-wise
    def binary(self, d, u):
        import dask.array as da
        lid, op = d["id"], d["op"]
        # Array operands by the ids the parser gave them (`a>c` where chunk unification inserted a rechunk).
        raw = [f"{v}>{lid}" if isinstance(v, str) and f"{v}>{lid}" in d["inputs"] else v for v in u["inputs"]]
        values = raw[1:] if op == "where" else raw
        arrays = [self.arrays[v] for v in values if isinstance(v, str)]
        scalars = [v for v in values if not isinstance(v, str)]
        integral = all(isinstance(s, int) and not isinstance(s, bool) for s in scalars)
        if arrays:
            t = arrays[0].dtype
            for a in arrays[1:]:
                t = _promote(t, a.dtype)
            if scalars:
                t = _with_scalar(t, integral)
        else:
            t = _I64 if integral else _F64
        compute = (t if t.kind == "f" else _F64) if op == "divide" else np.dtype("int8") if op == "power" and t == _BOOL else t
        const = None
        if compute.kind in "iu" and op in _COMPARISONS:
            info = np.iinfo(compute)
            for s in scalars:
                if isinstance(s, int) and not info.min <= s <= info.max:  # the same answer for every element
                    lhs_is_array = isinstance(raw[0], str)
                    a, b = (info.max, s) if lhs_is_array else (s, info.max)
                    const = bool({"greater": a > b, "greater_equal": a >= b, "less": a < b, "less_equal": a <= b,
                                  "equal": a == b}[op])
        ops = []
        for v in raw:
            if isinstance(v, str):
                ops.append(self.arrays[v])
                ops.append(tuple(range(len(d["shape"]))))
            else:
                if const is not None:
                    c = None
                elif op == "where" and v is raw[0] and not isinstance(raw[0], str):
                    c = v
                elif compute.kind == "f":
                    c = np.array(float(v)).astype(compute)[()]
                else:
                    c = np.array(v).astype(compute)[()]
                ops.append(c)
                ops.append(None)
        out = _dtype(d["dtype"])  # core's result type
        ind = tuple(range(len(d["shape"])))
        # The op's settings go in a partial: a string argument equal to a layer's name would be taken
        # for that layer by Dask's blockwise optimisation.
        fn = functools.partial(_binary_block, op, compute, out, const)
        return da.blockwise(fn, ind, *ops, name=lid, dtype=out,
                            meta=np.empty((0,) * len(ind), dtype=out))

    def unary(self, d, x):
        import dask.array as da
        op = d["op"]
        out = _dtype(d["dtype"])
        ind = tuple(range(x.ndim))
        return da.blockwise(functools.partial(_unary_block, op, out), ind, x, ind, name=d["id"], dtype=out,
                            meta=np.empty((0,) * x.ndim, dtype=out))

    # -- reductions
    def reduce(self, op, u, x):
        import dask.array as da
        axes = _axes(u.get("axis"), x.ndim)
        kw = {"axis": axes, "keepdims": bool(u.get("keepdims") or False), "split_every": int(u.get("split_every") or 4)}
        t = x.dtype
        if op == "sum":
            s = _sum_type(t)
            return da.sum(x, dtype=_F64, **kw).astype(s) if s.kind == "f" else da.sum(x, dtype=s, **kw)
        if op in ("min", "max"):
            return (da.min if op == "min" else da.max)(x, **kw)
        r = t if t.kind == "f" else _F64
        if op == "mean":
            if t.kind in "biu":  # an exact integer sum, one division
                n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
                return (da.sum(x, dtype=_sum_type(t), **kw).astype(_F64) / n).astype(r)
            return da.mean(x, dtype=_F64, **kw).astype(r)
        f = da.var if op == "var" else da.std
        return f(x.astype(_F64), ddof=int(u.get("ddof") or 0), **kw).astype(r)

    # -- stencils
    def stencil(self, op, u, x):
        import dask.array as da
        nd = x.ndim
        mode = u.get("mode") or "reflect"
        cval = float(u.get("cval") or 0.0)
        params = {"mode": mode, "cval": cval}
        if op == "gaussian_filter":
            sigma = u["sigma"]
            sigma = [float(s) for s in sigma] if isinstance(sigma, list) else [float(sigma)] * nd
            truncate = float(u.get("truncate") or 4.0)
            depth = [int(truncate * s + 0.5) if s > 0 else 0 for s in sigma]
            params.update(sigma=sigma, truncate=truncate, width=depth)
        else:
            size = u.get("size")
            size = [int(s) for s in size] if isinstance(size, list) else [int(3 if size is None else size)] * nd
            depth = [s // 2 for s in size]
            params.update(size=size, width=[0 if s == 1 else s for s in size])
        boundary = {}
        padded = x
        for a in range(nd):
            n, d = x.shape[a], depth[a]
            if d == 0:
                boundary[a] = "none"
            elif d <= n:
                boundary[a] = {"reflect": "reflect", "nearest": "nearest", "wrap": "periodic", "constant": cval}[mode]
            else:  # a halo longer than the axis: the boundary made here (SciPy's rule repeats), then no boundary
                boundary[a] = "none"
                padded = _pad(padded, a, d, mode, cval)
        dt = x.dtype
        halo = [depth[a] if boundary[a] != "none" else 0 for a in range(nd)]
        res = padded.map_overlap(_StencilFn(op, params, dt, halo), depth={a: depth[a] for a in range(nd)},
                                 boundary=boundary, dtype=dt, meta=np.empty((0,) * nd, dtype=dt))
        if padded is not x:
            res = res[tuple(slice(depth[a], depth[a] + x.shape[a]) if padded.shape[a] != x.shape[a] else slice(None)
                            for a in range(nd))]
        return res


class _StencilFn:
    """map_overlap's function for one stencil layer (a class, so Dask names its tasks after it)."""

    def __init__(self, op, params, dtype, halo):
        self.op, self.params, self.dtype, self.halo = op, params, dtype, halo

    def __call__(self, x, block_info=None):
        return _stencil_block(self.op, self.params, self.dtype, self.halo, x, block_info)


def _pad(x, axis, d, mode, cval):
    """x extended by d elements on both ends of `axis` with SciPy's boundary rule (any d)."""
    import dask.array as da
    n = x.shape[axis]
    i = np.arange(-d, n + d)
    if mode == "constant":
        shape = list(x.shape)
        shape[axis] = d
        pad = da.full(shape, cval, dtype=x.dtype, chunks=tuple(c if a != axis else (d,) for a, c in enumerate(x.chunks)))
        return da.concatenate([pad, x, pad], axis=axis)
    if mode == "nearest":
        j = np.clip(i, 0, n - 1)
    elif mode == "wrap":
        j = np.mod(i, n)
    else:  # reflect: d c b a | a b c d | d c b a, period 2n
        m = np.mod(i, 2 * n)
        j = np.where(m < n, m, 2 * n - 1 - m)
    left = da.take(x, j[:d], axis=axis)
    right = da.take(x, j[n + d:], axis=axis)
    return da.concatenate([left, x, right], axis=axis)


def to_dask(pipeline, *, sinks: bool = False, targets: dict | None = None) -> dict:
    """The layers of a pipeline (a path or a dict in the pipeline format) as dask arrays, by layer id:
    one Dask high-level-graph layer per pipeline layer, named by its id. `sinks=True` adds the output
    layers `<id>:to_npy` / `<id>:to_zarr`: building them creates each output file (at
    `targets[sink id]` when given, else at the pipeline's path) and computing one writes its chunks
    there. InputError (a ValueError) for a pipeline chunkscope refuses, with chunkscope's message."""
    return _Builder(pipeline).build(sinks, targets)
