#!/usr/bin/python3
"""Reference evaluator for chunkscope pipelines: every layer on whole arrays with NumPy and SciPy.

    /usr/bin/python3 tests/reference/numpy_ref.py samples/pipelines/cells.json --out /tmp/ref
    # -> /tmp/ref/area.npy, /tmp/ref/intensity.npy (one file per output layer, named by layer id)

It follows docs/pipeline-format.md: NumPy semantics with chunkscope's result-dtype rules (those of
core/src/dtype.cpp: np.result_type between arrays, NEP 50 weak Python scalars, float16 computed by
NumPy's own float16 loops, float reductions accumulated in float64 and rounded once), the
`random` source of philox.py, and scipy.ndimage for the filters. Chunks play no part (rechunk is the
identity). The outputs are the layers named in "outputs", or the last layer when there is none.

Options: --all writes every layer, not only the outputs; --meta FILE checks every layer's shape and
dtype against `chunkscope describe --json` output ("-" reads it from stdin), exit 1 on a difference.
Run with /usr/bin/python3 (Debian's numpy and scipy). Exit 0 ok, 1 meta mismatch, 2 bad pipeline.
"""
import argparse
import gzip
import json
import os
import sys
import zlib

import numpy as np
import scipy.ndimage as ndi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from philox import random_array  # noqa: E402

# ---------------------------------------------------------------- dtypes (core/src/dtype.cpp)

DTYPE_ALIASES = {
    "bool": "bool", "?": "bool", "b1": "bool",
    "int8": "int8", "i1": "int8", "uint8": "uint8", "u1": "uint8",
    "int16": "int16", "i2": "int16", "uint16": "uint16", "u2": "uint16",
    "int32": "int32", "i4": "int32", "uint32": "uint32", "u4": "uint32",
    "int64": "int64", "i8": "int64", "int": "int64",
    "uint64": "uint64", "u8": "uint64",
    "float16": "float16", "f2": "float16", "half": "float16",
    "float32": "float32", "f4": "float32", "single": "float32",
    "float64": "float64", "f8": "float64", "float": "float64", "double": "float64",
}
SUPPORTED = {np.dtype(n) for n in set(DTYPE_ALIASES.values())}


class PipelineError(Exception):
    """A pipeline this evaluator cannot evaluate (the message names the layer and field)."""


def parse_dtype(name, where):
    if not isinstance(name, str) or name not in DTYPE_ALIASES:
        raise PipelineError(f"{where}: unknown dtype {name!r}")
    return np.dtype(DTYPE_ALIASES[name])


def _bits(t):
    return t.itemsize * 8


def promote(a, b):
    """np.result_type of two arrays (dtype.cpp: promote is NumPy's table for chunkscope's dtypes)."""
    return np.result_type(np.dtype(a), np.dtype(b))


def promote_with_scalar(array, integral):
    """An array combined with a Python number: weak scalar (NEP 50)."""
    if array.kind == "b":
        return np.dtype(np.int64 if integral else np.float64)
    if array.kind in "iu":
        return array if integral else np.dtype(np.float64)
    return array


def divide_result(t):
    return t if t.kind == "f" else np.dtype(np.float64)


def float_math_result(t):
    """sqrt/exp/log/sin/cos: NumPy's own loop selection (bool/int8/uint8 -> float16, ...)."""
    return np.sqrt(np.zeros(1, t)).dtype


def sum_result(t):
    if t.kind == "f":
        return t
    return np.dtype(np.uint64 if t.kind == "u" else np.int64)


def mean_result(t):
    return t if t.kind == "f" else np.dtype(np.float64)


# ---------------------------------------------------------------- ops

BINARY = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.true_divide,
    "power": np.power, "maximum": np.maximum, "minimum": np.minimum,
    "greater": np.greater, "greater_equal": np.greater_equal, "less": np.less,
    "less_equal": np.less_equal, "equal": np.equal,
}
COMPARISONS = {"greater", "greater_equal", "less", "less_equal", "equal"}
FLOAT_MATH = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos}
UNARY = {"negative", "abs", "astype", *FLOAT_MATH}
SOURCES = {"random", "zeros", "ones", "full", "from_npy", "from_zarr"}
REDUCTIONS = {"sum", "mean", "min", "max", "std", "var"}
OTHERS = {"where", "transpose", "slice", "rechunk", "concatenate", "gaussian_filter", "uniform_filter", "matmul"}
ALL_OPS = SOURCES | set(BINARY) | UNARY | REDUCTIONS | OTHERS


class Evaluator:
    """Evaluates the layers of one pipeline document in order, keeping arrays while they are needed."""

    def __init__(self, doc, base_dir, keep_all=False):
        self.doc = doc
        self.base_dir = base_dir
        self.keep_all = keep_all
        self.arrays = {}

    # -- helpers
    def fail(self, layer, field, what):
        raise PipelineError(f'layer "{layer.get("id", "?")}": field "{field}": {what}')

    def field(self, layer, name, default=KeyError):
        v = layer.get(name)
        if v is None:
            if default is KeyError:
                self.fail(layer, name, "is missing")
            return default
        return v

    def array(self, layer, field, ref):
        if isinstance(ref, bool) or not isinstance(ref, str):
            self.fail(layer, field, f"must name a layer id, got {ref!r}")
        if ref not in self.arrays:
            self.fail(layer, field, f'refers to "{ref}", which is not a layer defined before this one')
        return self.arrays[ref]

    def path(self, p):
        return p if os.path.isabs(p) else os.path.join(self.base_dir, p)

    @staticmethod
    def normalize_axes(axes, ndim):
        return [a + ndim if a < 0 else a for a in axes]

    # -- sources
    def source(self, layer, op):
        if op in ("from_npy", "from_zarr"):
            p = self.path(self.field(layer, "path"))
            a = np.load(p) if op == "from_npy" else read_zarr(p)
            a = a.astype(a.dtype.newbyteorder("="), copy=False)
            if a.dtype not in SUPPORTED:
                self.fail(layer, "path", f"unsupported dtype {a.dtype}")
            return np.ascontiguousarray(a)
        shape = tuple(int(s) for s in self.field(layer, "shape"))
        dtype = parse_dtype(layer.get("dtype") or "float64", f'layer "{layer["id"]}"')
        if op == "random":
            return random_array(shape, int(layer.get("seed") or 0), dtype)
        if op == "zeros":
            return np.zeros(shape, dtype)
        if op == "ones":
            return np.ones(shape, dtype)
        value = np.array(float(self.field(layer, "value"))).astype(dtype)  # a double converted to dtype
        return np.full(shape, value, dtype)

    # -- element-wise
    def elementwise(self, layer, op):
        if op in UNARY:
            x = self.array(layer, "input", self.field(layer, "input"))
            if op == "astype":
                return x.astype(parse_dtype(self.field(layer, "dtype"), f'layer "{layer["id"]}"'))
            if op in FLOAT_MATH:  # NumPy's loops (float16's compute in float32, round to float16)
                return FLOAT_MATH[op](x.astype(float_math_result(x.dtype), copy=False))
            if op == "negative" and x.dtype.kind == "b":
                self.fail(layer, "input", "negative of a bool array")
            return (np.negative if op == "negative" else np.abs)(x)
        raw = self.field(layer, "inputs")
        arity = 3 if op == "where" else 2
        if not isinstance(raw, list) or len(raw) != arity:
            self.fail(layer, "inputs", f"must be a list of {arity} array ids or numbers")
        operands = []
        for r in raw:
            if isinstance(r, (int, float)) and not isinstance(r, bool):
                operands.append(r)
            else:
                operands.append(self.array(layer, "inputs", r))
        values = operands[1:] if op == "where" else operands
        arrays = [v for v in values if isinstance(v, np.ndarray)]
        scalars = [v for v in values if not isinstance(v, np.ndarray)]
        integral = all(isinstance(s, int) for s in scalars)
        if arrays:
            t = arrays[0].dtype
            for a in arrays[1:]:
                t = promote(t, a.dtype)
            if scalars:
                t = promote_with_scalar(t, integral)
        else:
            t = np.dtype(np.int64 if integral else np.float64)
        if op == "subtract" and t.kind == "b":
            self.fail(layer, "inputs", "subtract of bool arrays")
        compute = divide_result(t) if op == "divide" else t
        if op == "power" and t.kind == "b":  # np.power(bool, bool) is int8
            compute = np.dtype(np.int8)
        # NEP 50: a Python integer that does not fit an integer computation dtype raises OverflowError,
        # except in comparisons, which are exact as in NumPy >= 2 (computed here on Python ints:
        # NumPy 1.x would compare in float64).
        if compute.kind in "iu":
            info = np.iinfo(compute)
            for s in scalars:
                if isinstance(s, int) and not info.min <= s <= info.max:
                    if op in COMPARISONS:
                        compute = np.dtype(object)
                        break
                    self.fail(layer, "inputs", f"Python integer {s} out of bounds for {t}")
        # Every value operand in the computation dtype; a scalar is converted to it (weak scalar).
        cast = [v.astype(compute, copy=False) if isinstance(v, np.ndarray) else np.array(v).astype(compute) for v in values]
        if op == "where":
            cond = operands[0]
            cond = cond.astype(bool, copy=False) if isinstance(cond, np.ndarray) else bool(cond)
            shape = next(o.shape for o in operands if isinstance(o, np.ndarray))
            return np.broadcast_to(np.where(cond, cast[0], cast[1]), shape).astype(compute)
        result = BINARY[op](cast[0], cast[1])
        return result.astype(np.bool_ if op in COMPARISONS else compute, copy=False)

    # -- structure
    def transpose(self, layer, x):
        axes = layer.get("axes")
        axes = list(range(x.ndim))[::-1] if axes is None else self.normalize_axes([int(a) for a in axes], x.ndim)
        return np.transpose(x, axes)

    def slice(self, layer, x):
        entries = self.field(layer, "slices")
        index = []
        for a in range(x.ndim):
            e = entries[a] if a < len(entries) else None
            if e is None:
                index.append(slice(None))
                continue
            parts = [None if v is None else int(v) for v in e] + [None] * (3 - len(e))
            index.append(slice(*parts))
        out = x[tuple(index)]
        if out.size == 0:
            self.fail(layer, "slices", "selects no elements")
        return out

    def concatenate(self, layer):
        ins = [self.array(layer, "inputs", r) for r in self.field(layer, "inputs")]
        t = ins[0].dtype
        for a in ins[1:]:
            t = promote(t, a.dtype)
        axis = int(layer.get("axis") or 0)
        return np.concatenate([a.astype(t, copy=False) for a in ins], axis=axis)

    # -- reductions
    def reduce(self, layer, op, x):
        axis = layer.get("axis")
        if axis is None:
            axes = tuple(range(x.ndim))
        else:
            axes = tuple(sorted(self.normalize_axes([int(a) for a in (axis if isinstance(axis, list) else [axis])], x.ndim)))
        keepdims = bool(layer.get("keepdims") or False)
        if op == "sum":
            t = sum_result(x.dtype)
            if t.kind == "f":  # accumulate floats in float64, round once
                return np.sum(x, axis=axes, dtype=np.float64, keepdims=keepdims).astype(t)
            return np.sum(x, axis=axes, dtype=t, keepdims=keepdims)
        if op in ("min", "max"):
            return (np.min if op == "min" else np.max)(x, axis=axes, keepdims=keepdims)
        t = mean_result(x.dtype)
        if op == "mean":
            if x.dtype.kind in "biu":  # exact integer sum, one division
                n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
                s = np.sum(x, axis=axes, dtype=sum_result(x.dtype), keepdims=keepdims)
                return (s.astype(np.float64) / n).astype(t)
            return np.mean(x, axis=axes, dtype=np.float64, keepdims=keepdims).astype(t)
        ddof = int(layer.get("ddof") or 0)
        f = np.var if op == "var" else np.std
        with np.errstate(all="ignore"):
            return f(x.astype(np.float64), axis=axes, ddof=ddof, keepdims=keepdims).astype(t)

    # -- stencils (scipy.ndimage, output dtype = input dtype as scipy does)
    def stencil(self, layer, op, x):
        if x.dtype.kind == "b":
            self.fail(layer, "input", "filters need a numeric array")
        mode = layer.get("mode") or "reflect"
        cval = float(layer.get("cval") or 0.0)
        # scipy.ndimage does not filter float16: chunkscope filters it as float32, rounds once.
        half = x.dtype == np.float16
        if half:
            x = x.astype(np.float32)
        if op == "gaussian_filter":
            sigma = self.field(layer, "sigma")
            sigma = [float(s) for s in sigma] if isinstance(sigma, list) else float(sigma)
            truncate = float(layer.get("truncate") or 4.0)
            y = ndi.gaussian_filter(x, sigma=sigma, mode=mode, cval=cval, truncate=truncate)
        else:
            size = layer.get("size")
            size = 3 if size is None else ([int(s) for s in size] if isinstance(size, list) else int(size))
            y = ndi.uniform_filter(x, size=size, mode=mode, cval=cval)
        return y.astype(np.float16) if half else y

    def matmul(self, layer):
        refs = self.field(layer, "inputs")
        a, b = (self.array(layer, "inputs", r) for r in refs)
        t = promote(a.dtype, b.dtype)
        if t == np.float16:
            self.fail(layer, "inputs", "matmul of float16 is not supported")
        if t.kind == "f":  # float64 products (BLAS), rounded once
            return np.matmul(a.astype(np.float64), b.astype(np.float64)).astype(t)
        return np.matmul(a.astype(t, copy=False), b.astype(t, copy=False))

    # -- driver
    def eval_layer(self, layer):
        op = self.field(layer, "op")
        if op not in ALL_OPS:
            self.fail(layer, "op", f'unknown op "{op}"')
        if op in SOURCES:
            return self.source(layer, op)
        if op in BINARY or op in UNARY or op == "where":
            return self.elementwise(layer, op)
        if op == "concatenate":
            return self.concatenate(layer)
        if op == "matmul":
            return self.matmul(layer)
        x = self.array(layer, "input", self.field(layer, "input"))
        if op == "transpose":
            return self.transpose(layer, x)
        if op == "slice":
            return self.slice(layer, x)
        if op == "rechunk":
            return x
        if op in REDUCTIONS:
            return self.reduce(layer, op, x)
        return self.stencil(layer, op, x)

    def output_ids(self):
        layers = self.doc["layers"]
        if "outputs" in self.doc and self.doc["outputs"] is not None:
            ids = []
            for o in self.doc["outputs"]:
                if o["id"] not in ids:
                    ids.append(o["id"])
            return ids
        return [layers[-1]["id"]]

    def run(self, on_layer=None):
        """Evaluates all layers; calls on_layer(id, array) for each; returns {output id: array}."""
        layers = self.doc.get("layers")
        if not isinstance(layers, list) or not layers:
            raise PipelineError('field "layers": must be a non-empty list of layers')
        outputs = set(self.output_ids())
        refs = {}  # layer id -> index of its last consumer
        for i, layer in enumerate(layers):
            for key in ("input", "inputs"):
                v = layer.get(key)
                for r in (v if isinstance(v, list) else [v]):
                    if isinstance(r, str):
                        refs[r] = i
        with np.errstate(all="ignore"):
            for i, layer in enumerate(layers):
                lid = layer.get("id")
                if not isinstance(lid, str) or not lid:
                    raise PipelineError(f'layer "#{i}": field "id": is missing')
                if lid in self.arrays:
                    self.fail(layer, "id", "is used by two layers")
                self.arrays[lid] = np.asarray(self.eval_layer(layer))
                if on_layer:
                    on_layer(lid, self.arrays[lid])
                if not self.keep_all:  # free what no later layer or output needs
                    for dead in [k for k in self.arrays if k not in outputs and refs.get(k, -1) <= i]:
                        del self.arrays[dead]
        return {k: self.arrays[k] for k in self.output_ids()}


# ---------------------------------------------------------------- Zarr v2 (raw, zlib, gzip, blosc)

def read_zarr(path):
    """A Zarr v2 array directory as one NumPy array (missing chunks hold the fill value)."""
    with open(os.path.join(path, ".zarray")) as f:
        meta = json.load(f)
    if meta.get("zarr_format") != 2:
        raise PipelineError(f"{path}: only Zarr v2 arrays are supported")
    if meta.get("order", "C") != "C" or meta.get("filters"):
        raise PipelineError(f"{path}: only C order without filters is supported")
    shape, chunks = tuple(meta["shape"]), tuple(meta["chunks"])
    dtype = np.dtype(meta["dtype"])
    sep = meta.get("dimension_separator") or "."
    comp = (meta.get("compressor") or {}).get("id")
    fill = meta.get("fill_value")
    out = np.full(shape, 0 if fill is None else fill, dtype=dtype)
    grid = [-(-s // c) for s, c in zip(shape, chunks)]
    for idx in np.ndindex(*grid):
        p = os.path.join(path, sep.join(str(i) for i in idx))
        if not os.path.exists(p):
            continue
        with open(p, "rb") as f:
            data = f.read()
        if comp == "zlib":
            data = zlib.decompress(data)
        elif comp == "gzip":
            data = gzip.decompress(data)
        elif comp == "blosc":
            import blosc  # Debian's python3-blosc
            data = blosc.decompress(data)
        elif comp is not None:
            raise PipelineError(f"{path}: unsupported compressor {comp!r}")
        block = np.frombuffer(data, dtype=dtype).reshape(chunks)
        region = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, chunks, shape))
        out[region] = block[tuple(slice(0, r.stop - r.start) for r in region)]
    return out


# ---------------------------------------------------------------- command line

def check_meta(arrays_meta, describe):
    """Differences between evaluated (id -> (shape, dtype)) and `chunkscope describe --json` layers."""
    problems = []
    for l in describe["layers"]:
        if l.get("inserted") or l["op"] in ("to_npy", "to_zarr"):
            continue
        got = arrays_meta.get(l["id"])
        if got is None:
            problems.append(f'layer "{l["id"]}": not evaluated')
            continue
        if list(got[0]) != list(l["shape"]) or got[1] != l["dtype"]:
            problems.append(f'layer "{l["id"]}": chunkscope says {l["shape"]} {l["dtype"]}, reference has {list(got[0])} {got[1]}')
    return problems


def safe_name(layer_id):
    return layer_id.replace(os.sep, "_")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Evaluate a chunkscope pipeline with NumPy/SciPy on whole arrays.")
    ap.add_argument("pipeline", help="pipeline JSON file")
    ap.add_argument("--out", required=True, help="folder for <layer id>.npy of each output layer")
    ap.add_argument("--all", action="store_true", help="write every layer, not only the outputs")
    ap.add_argument("--meta", help="`chunkscope describe --json` output to check shapes and dtypes against ('-' = stdin)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    try:
        with open(args.pipeline) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"numpy_ref: {args.pipeline}: {e}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    ev = Evaluator(doc, os.path.dirname(os.path.abspath(args.pipeline)), keep_all=False)
    seen = {}

    def on_layer(lid, a):
        seen[lid] = (a.shape, str(a.dtype))
        if args.all:
            np.save(os.path.join(args.out, safe_name(lid) + ".npy"), a)

    try:
        outputs = ev.run(on_layer)
    except PipelineError as e:
        print(f"numpy_ref: {args.pipeline}: {e}", file=sys.stderr)
        return 2
    for lid, a in outputs.items():
        path = os.path.join(args.out, safe_name(lid) + ".npy")
        np.save(path, a)
        if not args.quiet:
            print(f"{lid}: {a.dtype} {list(a.shape)} -> {path}")
    if args.meta:
        text = sys.stdin.read() if args.meta == "-" else open(args.meta).read()
        problems = check_meta(seen, json.loads(text))
        for p in problems:
            print(f"numpy_ref: {args.pipeline}: {p}", file=sys.stderr)
        if problems:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
