#!/usr/bin/python3
"""int8, int16, uint32 and float16 through the .npy and Zarr readers and writers (issue 19, item 8).

    dtypes_io.py CHUNKSCOPE

Writes one array of each dtype with NumPy (.npy) and as a Zarr v2 array (zlib and uncompressed,
written by hand in the layout of zarr-python), runs a pipeline that reads every one (from_npy,
from_zarr, a rechunk pushed into the Zarr read), adds 1 in each dtype (wrapping, float16 rounded)
and writes the results to .npy and Zarr; checks every result against NumPy, and that a complex64
.npy and Zarr array are refused with one line. Exit 0 when all match, 1 otherwise.
"""
import json
import os
import subprocess
import sys
import tempfile
import zlib

import numpy as np

DTYPES = ["int8", "int16", "uint32", "float16"]


def write_zarr(path, a, chunks, compress):
    os.makedirs(path)
    meta = {"zarr_format": 2, "shape": list(a.shape), "chunks": list(chunks), "dtype": a.dtype.str,
            "compressor": {"id": "zlib", "level": 1} if compress else None, "fill_value": 0,
            "order": "C", "filters": None}
    json.dump(meta, open(os.path.join(path, ".zarray"), "w"))
    grid = [-(-s // c) for s, c in zip(a.shape, chunks)]
    for idx in np.ndindex(*grid):
        block = np.zeros(chunks, a.dtype)
        region = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, chunks, a.shape))
        part = a[region]
        block[tuple(slice(0, n) for n in part.shape)] = part
        data = block.tobytes()
        open(os.path.join(path, ".".join(map(str, idx))), "wb").write(zlib.compress(data) if compress else data)


def read_zarr(path):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
    from numpy_ref import read_zarr as r  # noqa: E402
    return r(path)


def main():
    cs = sys.argv[1]
    rng = np.random.default_rng(19)
    bad = 0
    with tempfile.TemporaryDirectory(prefix="cs-dtypes-io-") as tmp:
        arrays = {
            "int8": rng.integers(-128, 128, (37, 23)).astype(np.int8),
            "int16": rng.integers(-32768, 32768, (37, 23)).astype(np.int16),
            "uint32": rng.integers(0, 2**32, (37, 23), dtype=np.uint64).astype(np.uint32),
            "float16": (rng.standard_normal((37, 23)) * 1000).astype(np.float16),
        }
        arrays["int8"][0, :3] = [-1, 127, -128]
        arrays["uint32"][0, :2] = [0, 2**32 - 1]
        arrays["float16"][0, :3] = [65504, -0.0, 6e-8]
        layers, outputs, expect = [], [], {}
        for name, a in arrays.items():
            np.save(os.path.join(tmp, name + ".npy"), a)
            write_zarr(os.path.join(tmp, name + ".zarr"), a, (10, 8), compress=name != "int16")
            one = a.dtype.type(1)
            plus = (a + one) if a.dtype.kind != "f" else (a.astype(np.float32) + 1).astype(np.float16)
            layers += [
                {"id": f"{name}_n", "op": "from_npy", "path": f"{name}.npy", "chunks": [16, 16]},
                {"id": f"{name}_z", "op": "from_zarr", "path": f"{name}.zarr"},
                {"id": f"{name}_zr", "op": "from_zarr", "path": f"{name}.zarr"},
                {"id": f"{name}_r", "op": "rechunk", "input": f"{name}_zr", "chunks": [5, 23]},
                {"id": f"{name}_p", "op": "add", "inputs": [f"{name}_n", 1]},
                {"id": f"{name}_eq", "op": "equal", "inputs": [f"{name}_z", f"{name}_r"]},
            ]
            outputs += [
                {"id": f"{name}_p", "to_npy": f"out/{name}_p.npy"},
                {"id": f"{name}_p", "to_zarr": f"out/{name}_p.zarr"},
                {"id": f"{name}_z", "to_zarr": f"out/{name}_z.zarr"},
                {"id": f"{name}_eq", "to_npy": f"out/{name}_eq.npy"},
            ]
            expect[f"{name}_p"] = plus
            expect[f"{name}_z"] = a
        doc = {"name": "dtypes_io", "layers": layers, "outputs": outputs}
        path = os.path.join(tmp, "dtypes_io.json")
        json.dump(doc, open(path, "w"))
        r = subprocess.run([cs, "run", path, "-q", "--threads", "2"], capture_output=True, text=True)
        if r.returncode != 0:
            print("chunkscope run failed (exit %d): %s" % (r.returncode, r.stderr.strip()))
            return 1
        out = os.path.join(tmp, "out")
        for name in DTYPES:
            checks = [
                (f"{name}_p.npy", np.load(os.path.join(out, f"{name}_p.npy")), expect[f"{name}_p"]),
                (f"{name}_p.zarr", read_zarr(os.path.join(out, f"{name}_p.zarr")), expect[f"{name}_p"]),
                (f"{name}_z.zarr", read_zarr(os.path.join(out, f"{name}_z.zarr")), expect[f"{name}_z"]),
            ]
            for what, got, want in checks:
                ok = got.dtype == want.dtype and got.shape == want.shape and \
                    np.array_equal(got.view(f"u{got.dtype.itemsize}"), want.view(f"u{want.dtype.itemsize}"))
                print("%-16s %-8s %s" % (what, got.dtype, "ok" if ok else "MISMATCH"))
                bad += not ok
            zarray = json.load(open(os.path.join(out, f"{name}_p.zarr", ".zarray")))
            if zarray["dtype"] != np.dtype(name).str:
                print(f"{name}_p.zarr: dtype {zarray['dtype']}, expected {np.dtype(name).str}")
                bad += 1
            eq = np.load(os.path.join(out, f"{name}_eq.npy"))
            if not eq.all():
                print(f"{name}: the pushed-down rechunk read differs from the plain read")
                bad += 1
        # complex data is refused with one line naming the file
        np.save(os.path.join(tmp, "c.npy"), np.zeros((3, 3), np.complex64))
        write_zarr(os.path.join(tmp, "c.zarr"), np.zeros((3, 3), np.complex64), (3, 3), compress=False)
        for op, p in (("from_npy", "c.npy"), ("from_zarr", "c.zarr")):
            doc = {"name": "c", "layers": [{"id": "c", "op": op, "path": p}]}
            path = os.path.join(tmp, "c.json")
            json.dump(doc, open(path, "w"))
            r = subprocess.run([cs, "validate", path], capture_output=True, text=True)
            msg = r.stderr.strip()
            if r.returncode != 2 or "complex dtypes are not supported" not in msg or "\n" in msg or p not in msg:
                print(f"{op} of complex64: expected exit 2 and one line, got {r.returncode}: {msg}")
                bad += 1
            else:
                print(f"{op} complex64 refused: {msg[:90]}...")
    print("%d mismatches" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
