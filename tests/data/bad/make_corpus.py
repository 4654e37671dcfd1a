#!/usr/bin/env python3
"""Regenerates the bad-input corpus of tests/data/bad/ (see README.md there).

    tests/data/bad/make_corpus.py build/bin/chunkscope

Runs a small pipeline to get a good trace in JSON, CBOR and the compact encoding, then writes every
broken variant and its sidecar `<file>.expect` (the parts the one-line error must contain). The
files are checked in; run this only to add cases (the times in the traces change on every run).
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

PIPELINE = {
    "name": "small",
    "layers": [
        {"id": "x", "op": "random", "shape": [128, 128], "chunks": [32, 32], "seed": 1},
        {"id": "y", "op": "add", "inputs": ["x", 1]},
        {"id": "s", "op": "sum", "input": "y", "axis": 0},
    ],
    "outputs": [{"id": "s"}],
}


# ---- a small CBOR encoder (RFC 8949), enough for trace documents and deliberately bad ones
def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError(n)


class Raw(bytes):
    """Bytes inserted into the CBOR output as they are (for text strings that are not UTF-8)."""


def cbor(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, Raw):
        return _head(3, len(v)) + v
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        return _head(3, len(b)) + b
    if isinstance(v, (bytes, bytearray)):
        return _head(2, len(v)) + bytes(v)
    if isinstance(v, list):
        return _head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
    raise TypeError(type(v))


def uncbor(b, i=0):
    """Decodes one CBOR item at b[i:]; returns (value, next index). Definite lengths only."""
    ib = b[i]
    major, info = ib >> 5, ib & 31
    i += 1
    if major == 7:
        if info == 20:
            return False, i
        if info == 21:
            return True, i
        if info == 22:
            return None, i
        if info == 27:
            return struct.unpack(">d", b[i:i + 8])[0], i + 8
        if info == 26:
            return struct.unpack(">f", b[i:i + 4])[0], i + 4
        raise ValueError(info)
    if info < 24:
        n = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        n = int.from_bytes(b[i:i + size], "big")
        i += size
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major in (2, 3):
        s = b[i:i + n]
        return (s if major == 2 else s.decode()), i + n
    if major == 4:
        out = []
        for _ in range(n):
            x, i = uncbor(b, i)
            out.append(x)
        return out, i
    if major == 5:
        out = {}
        for _ in range(n):
            k, i = uncbor(b, i)
            out[k], i = uncbor(b, i)
        return out, i
    raise ValueError(major)


def main():
    cs = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp()
    try:
        with open(os.path.join(tmp, "small.json"), "w") as f:
            json.dump(PIPELINE, f)
        for ext in ("json", "cbor"):
            subprocess.run([cs, "run", "small.json", "--threads", "2", "-q", "--trace", "small.cstrace." + ext], cwd=tmp, check=True)
        subprocess.run([cs, "export", "small.cstrace.json", "--format", "compact", "-o", "small.cstrace.bin"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(tmp, "small.cstrace.json"), "rb") as f:
            good_json = f.read()
        with open(os.path.join(tmp, "small.cstrace.cbor"), "rb") as f:
            good_cbor = f.read()
        with open(os.path.join(tmp, "small.cstrace.bin"), "rb") as f:
            good_compact = f.read()
    finally:
        shutil.rmtree(tmp)
    doc = json.loads(good_json)
    write_traces(doc, good_json, good_cbor, good_compact)
    write_arrays()
    write_pipelines()


def put(rel, data, *expect):
    """Writes the corpus file tests/data/bad/REL and its sidecar REL.expect."""
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, (bytes, bytearray)) else data.encode())
    put_expect(rel, *expect)


def put_expect(rel, *expect):
    """The sidecar: the file's name (except for faults found while running, which name the layer or
    the file that failed instead), then the other parts."""
    head = () if any(e.startswith("@run-rc") for e in expect) else (os.path.basename(rel),)
    with open(os.path.join(HERE, rel + ".expect"), "w") as f:
        f.write("\n".join(head + expect) + "\n")


def variant(doc, edit):
    d = json.loads(json.dumps(doc))
    edit(d)
    return d


def write_traces(doc, good_json, good_cbor, good_compact):
    t = "traces/"
    n = len(doc["tasks"]["layer"])

    def js(d):
        return json.dumps(d, separators=(",", ":"))

    # -- damaged bytes
    put(t + "truncated.cstrace.json", good_json[: len(good_json) // 2], "not a readable trace", "JSON")
    put(t + "truncated.cstrace.cbor", good_cbor[: len(good_cbor) // 2], "not a readable trace", "CBOR")
    put(t + "truncated.cstrace.bin", good_compact[: len(good_compact) // 2], "compact trace")
    put(t + "truncated_header.cstrace.bin", good_compact[:12], "compact trace", "ends inside its header")
    flipped = bytearray(good_json)
    flipped[len(flipped) // 3] = 0xFF
    put(t + "flipped_byte.cstrace.json", bytes(flipped), "not a readable trace", "JSON error")
    # A CBOR map header turned into an array header of 2^62 entries: must not be allocated.
    put(t + "huge_array_claim.cstrace.cbor", b"\x9b" + struct.pack(">Q", 1 << 62) + good_cbor[1:], "not a readable trace")
    put(t + "huge_string_claim.cstrace.cbor", b"\xa1\x7b" + struct.pack(">Q", 1 << 62) + b"format", "not a readable trace")
    put(t + "huge_bytes_claim.cstrace.cbor", b"\xa1\x5b" + struct.pack(">Q", (1 << 64) - 1) + b"x", "not a readable trace")
    put(t + "garbage.cstrace.cbor", b"\x1f\xff\xfe\x00garbage", "not a readable trace")
    put(t + "empty.cstrace.json", b"", "empty")
    put(t + "whitespace.cstrace.json", b" \n\t\n", "empty")
    # A directory where a file is expected (the .keep file keeps it in git).
    put(t + "directory.cstrace.json/.keep", b"")
    os.remove(os.path.join(HERE, t + "directory.cstrace.json/.keep.expect"))
    put_expect(t + "directory.cstrace.json", "directory")
    put_expect(t + "missing.cstrace.json", "No such file")
    # Nesting: 100,000 levels of arrays in a JSON and in a CBOR trace.
    deep = 100000
    put(t + "deep_nesting.cstrace.json", '{"format":"chunkscope-trace","version":1,"meta":' + "[" * deep + "]" * deep + "}",
        "nested deeper than")
    put(t + "deep_nesting.cstrace.cbor", b"\xa3" + cbor("format") + cbor("chunkscope-trace") + cbor("version") + cbor(1) + cbor("meta")
        + b"\x81" * deep + b"\x80", "nested deeper than")
    put(t + "deep_unclosed.cstrace.json", "[" * deep, "not a readable trace")
    put(t + "deep_nesting.cstrace.bin", b"CSTRACE1" + struct.pack("<Q", deep + 1) + b"\x81" * deep + b"\x80", "compact trace",
        "nested deeper than")

    # -- compact encoding
    hlen = struct.unpack("<Q", good_compact[8:16])[0]
    header, _ = uncbor(good_compact, 16)
    cols = good_compact[16 + hlen:]
    put(t + "bad_magic.cstrace.bin", b"CSTRACE9" + good_compact[8:], "not a readable trace", "CSTRACE9")
    put(t + "header_past_end.cstrace.bin", good_compact[:8] + struct.pack("<Q", 1 << 62) + good_compact[16:], "compact trace",
        "header claims")
    put(t + "trailing_bytes.cstrace.bin", good_compact + b"\x00\x00\x00", "compact trace", "bytes after the last column")
    put(t + "long_varint.cstrace.bin", good_compact[: 16 + hlen] + b"\xff" * 12 + cols, "compact trace", "longer than 64 bits")

    def compact(h, columns=cols):
        hb = cbor(h)
        return b"CSTRACE1" + struct.pack("<Q", len(hb)) + hb + columns

    h = json.loads(json.dumps(header))
    h["$columns"][0] = 1 << 62
    put(t + "huge_column_claim.cstrace.bin", compact(h), "compact trace", "claims")
    h = json.loads(json.dumps(header))
    h["version"] = 2
    put(t + "version2.cstrace.bin", compact(h), "version")

    # -- well-formed documents with bad content (JSON; a few also in CBOR)
    def bad_doc(stem, edit, *expect, cbor_too=False):
        d = variant(doc, edit)
        put(t + stem + ".cstrace.json", js(d), *expect)
        if cbor_too:
            put(t + stem + ".cstrace.cbor", cbor(d), *expect)

    bad_doc("version2", lambda d: d.update(version=2), "version", cbor_too=True)
    bad_doc("version_string", lambda d: d.update(version="1"), "version")
    bad_doc("wrong_format", lambda d: d.update(format="chrome-trace"), "format")
    bad_doc("empty_object", lambda d: (d.clear()), "not a chunkscope trace", "format")
    put(t + "array_root.cstrace.json", "[1, 2, 3]", "not a chunkscope trace")
    put(t + "deep_array.cstrace.json", "[" * deep + "]" * deep, "nested deeper than")
    bad_doc("negative_start", lambda d: d["tasks"]["start_ns"].__setitem__(3, -5), "tasks.start_ns[3]", cbor_too=True)

    def end_before(d):
        d["tasks"]["end_ns"][4] = d["tasks"]["start_ns"][4] - 1000

    bad_doc("end_before_start", end_before, "tasks.end_ns[4]")
    bad_doc("float_time", lambda d: d["tasks"]["start_ns"].__setitem__(2, 1.5), "tasks.start_ns")
    bad_doc("huge_time", lambda d: d["tasks"]["end_ns"].__setitem__(2, 1e300), "tasks.end_ns")
    bad_doc("layer_out_of_range", lambda d: d["tasks"]["layer"].__setitem__(5, 7), "tasks.layer[5]")
    bad_doc("layer_negative", lambda d: d["tasks"]["layer"].__setitem__(5, -1), "tasks.layer[5]")
    bad_doc("chunk_out_of_range", lambda d: d["tasks"]["chunk"].__setitem__(1, 1 << 40), "tasks.chunk[1]")
    bad_doc("status_code", lambda d: d["tasks"]["status"].__setitem__(0, 9), "tasks.status[0]")
    bad_doc("column_length", lambda d: d["tasks"]["worker"].pop(), "tasks.worker")
    last = n - 1
    bad_doc("dep_out_of_range", lambda d: d["tasks"]["dep_index"].__setitem__(-1, 1 << 40), "tasks.dep_index", cbor_too=True)
    bad_doc("dep_forward", lambda d: d["tasks"]["dep_index"].__setitem__(-1, last), "tasks.dep_index")
    bad_doc("dep_negative", lambda d: d["tasks"]["dep_index"].__setitem__(0, -3), "tasks.dep_index")

    def offsets_down(d):
        o = d["tasks"]["dep_offsets"]
        o[20] = o[21] + 5

    bad_doc("dep_offsets_order", offsets_down, "tasks.dep_offsets")
    bad_doc("dep_offsets_huge", lambda d: d["tasks"]["dep_offsets"].__setitem__(-1, 1 << 62), "tasks.dep_offsets")
    bad_doc("memory_order", lambda d: d["memory"]["t_ns"].reverse(), "memory.t_ns")
    bad_doc("memory_limit_negative", lambda d: d["memory"].update(limit_bytes=-1), "memory.limit_bytes", "negative")
    bad_doc("input_unknown", lambda d: d["layers"][1].update(inputs=["nope"]), "layers[1].inputs")
    # Gigantic claimed sizes: shapes and chunk grids of 2^62 elements, and counts of 2^62.
    big = 1 << 62
    bad_doc("huge_shape", lambda d: d["layers"][0].update(shape=[big, big], chunks=[[big // 4] * 4, [big // 4] * 4]), "layers[0].shape",
            "too large", cbor_too=True)
    bad_doc("huge_task_count", lambda d: d["layers"][2].update(tasks=big), "layers[2].tasks")
    bad_doc("huge_bytes", lambda d: d["tasks"]["bytes"].__setitem__(0, -big), "tasks.bytes[0]")
    bad_doc("huge_threads", lambda d: d["meta"].update(threads=big), "meta.threads")
    # Ids that readers index with (issue 14, item 4): workers in [-1, threads), intermediate chunks
    # below the task count, devices, axes, group levels.
    bad_doc("worker_huge", lambda d: d["tasks"]["worker"].__setitem__(0, (1 << 31) - 1), "tasks.worker[0]", "meta.threads",
            cbor_too=True)
    bad_doc("worker_negative", lambda d: d["tasks"]["worker"].__setitem__(0, -2), "tasks.worker[0]")
    bad_doc("worker_past_threads", lambda d: d["tasks"]["worker"].__setitem__(0, d["meta"]["threads"]), "tasks.worker[0]")
    stage1 = doc["tasks"]["stage"].index(1)
    bad_doc("stage_chunk_huge", lambda d: d["tasks"]["chunk"].__setitem__(stage1, 1 << 40), "tasks.chunk[%d]" % stage1,
            "intermediate chunk")

    def one_transfer(d):
        d["transfers"] = {"task": [0], "start_ns": [0], "end_ns": [1], "bytes": [8], "to_device": [1], "device": [1 << 30]}

    bad_doc("transfer_device_huge", one_transfer, "transfers.device[0]")
    bad_doc("too_many_axes", lambda d: d["layers"][0].update(shape=[1] * 65, chunks=[[1]] * 65), "layers[0].shape", "65 axes")
    # A group path of 100,000 levels: the viewer's group tree used to grow by 1 GB/s.
    bad_doc("deep_group", lambda d: d["layers"][0].update(group="/".join(["g"] * 100000)), "layers[0].group", "100000 levels",
            cbor_too=True)
    # Names that are not UTF-8 (CBOR only: JSON text cannot hold them).
    d = variant(doc, lambda d: None)
    d["layers"][0]["id"] = Raw(b"x\xff\xfe")
    put(t + "bad_utf8_name.cstrace.cbor", cbor(d), "layers[0].id", "UTF-8")
    d = variant(doc, lambda d: None)
    d["meta"]["pipeline"] = Raw(b"\xc3\x28")
    put(t + "bad_utf8_meta.cstrace.cbor", cbor(d), "meta.pipeline", "UTF-8")
    d = variant(doc, lambda d: d["tasks"]["start_ns"].__setitem__(6, 0))
    d["tasks"]["start_ns"][6] = float("nan")
    put(t + "nan_time.cstrace.cbor", cbor(d), "tasks.start_ns[6]")
    d = variant(doc, lambda d: None)
    d["tasks"]["end_ns"][6] = float("-inf")
    put(t + "inf_time.cstrace.cbor", cbor(d), "tasks.end_ns[6]")
    put(t + "nan_token.cstrace.json", good_json.replace(b'"wall_ns":', b'"wall_ns":NaN,"x":', 1), "not a readable trace")


def npy_bytes(header, data=b"", magic=b"\x93NUMPY", version=b"\x01\x00"):
    """A .npy file with the header text given (padded to 64 bytes as NumPy does)."""
    h = header.encode() if isinstance(header, str) else header
    pad = 64 - (len(magic) + 2 + 2 + len(h) + 1) % 64
    h = h + b" " * (pad % 64) + b"\n"
    return magic + version + struct.pack("<H", len(h)) + h + data


def put_array(rel, data):
    path = os.path.join(HERE, "arrays", rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, (bytes, bytearray)) else data.encode())


def source_pipeline(stem, op, array, *expect, extra_layers=(), outputs=None):
    """A pipeline reading ../arrays/ARRAY, and its sidecar."""
    layers = [{"id": "img", "op": op, "path": "../arrays/" + array}] + list(extra_layers)
    p = {"name": stem, "layers": layers}
    if outputs is not None:
        p["outputs"] = outputs
    put("pipelines/" + stem + ".json", json.dumps(p, indent=1) + "\n", *expect)


def zarray(shape, chunks, dtype="<f8", compressor=None, **over):
    z = {"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": dtype, "compressor": compressor,
         "fill_value": 0, "order": "C", "filters": None}
    z.update(over)
    return json.dumps(z)


def write_arrays():
    f8 = struct.pack("<4d", 1, 2, 3, 4)
    ok = "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }"
    npy = [  # (file, bytes, expected parts)
        ("bad_magic.npy", npy_bytes(ok, f8, magic=b"\x93NUMPX"), "not a .npy file"),
        ("bad_version.npy", npy_bytes(ok, f8, version=b"\x09\x00"), "version"),
        ("header_past_end.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr'", "header"),
        ("header_not_dict.npy", npy_bytes("[1, 2, 3]", f8), "header"),
        ("header_unterminated.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4,", f8), "header"),
        ("header_missing_shape.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, }", f8), "shape"),
        ("dtype_complex.npy", npy_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", f8), "c16"),
        ("dtype_object.npy", npy_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (4,), }", f8), "|O"),
        ("dtype_struct.npy", npy_bytes("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (4,), }", f8), "unsupported .npy dtype"),
        ("shape_huge.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }", f8),
         "too large"),
        ("shape_huge_1d.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }", f8), "shape_huge_1d.npy"),
        ("shape_negative.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (-4,), }", f8), "shape"),
        ("shape_zero.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }", b""), "shape"),
        ("shape_float.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4.0,), }", f8), "shape"),
        ("too_short.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (8,), }", f8), "truncated"),
        ("empty.npy", b"", "empty.npy"),
        ("nul_header.npy", npy_bytes("\0" * 40, f8), "header"),
        # Headers NumPy itself refuses (ast.literal_eval, then exactly three keys of the right kinds).
        ("shape_no_comma.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2 2), }", f8), "shape", "commas"),
        ("shape_not_tuple.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4), }", f8), "shape", "not a tuple"),
        ("shape_list.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': [4], }", f8), "shape", "not a tuple"),
        ("key_twice.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'shape': (4,), }", f8), "'shape' twice"),
        ("key_unknown.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), 'order': 'C', }", f8), "'order'"),
        ("fortran_order_int.npy", npy_bytes("{'descr': '<f8', 'fortran_order': 0, 'shape': (4,), }", f8), "fortran_order", "True or False"),
        ("fortran_order_str.npy", npy_bytes("{'descr': '<f8', 'fortran_order': 'False', 'shape': (4,), }", f8), "fortran_order",
         "True or False"),
        ("text_after_dict.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), } (8,)", f8), "after its dict"),
    ]
    for name, data, *expect in npy:
        put_array(name, data)
        source_pipeline("npy_" + name[:-4], "from_npy", name, 'layer "img"', 'field "path"', name, *expect)
    # Zarr v2 arrays: metadata faults (found when the pipeline is read) ...
    zarr = [
        ("zarray_invalid_json.zarr", "{'zarr_format': 2", "not valid JSON"),
        ("zarray_not_object.zarr", "[2]", "JSON object"),
        ("zarray_dtype.zarr", zarray([4], [2], dtype="<c8"), "dtype"),
        ("zarray_bigendian.zarr", zarray([4], [2], dtype=">f8"), "dtype"),
        ("zarray_ndim.zarr", zarray([4, 4], [2]), "chunks"),
        ("zarray_chunk_zero.zarr", zarray([4], [0]), "chunks"),
        ("zarray_shape_negative.zarr", zarray([-4], [2]), "shape"),
        ("zarray_huge_shape.zarr", zarray([1 << 62, 1 << 62], [1, 1]), "img"),
        ("zarray_huge_chunk.zarr", zarray([4], [1 << 62]), "img"),
        ("zarray_compressor.zarr", zarray([4], [2], compressor={"id": "zstd", "level": 1}), "zstd"),
        ("zarray_filters.zarr", zarray([4], [2], filters=[{"id": "delta", "dtype": "<f8"}]), "filters"),
        ("zarray_order_f.zarr", zarray([4, 4], [2, 2], order="F"), "order"),
        ("zarray_format3.zarr", zarray([4], [2], zarr_format=3), "zarr_format"),
        # 150 bytes asking for 4e8 chunks: refused from the sizes, not after 6 GB of chunk lists.
        ("zarray_many_chunks.zarr", zarray([400000000], [1]), "more than 200000000 chunks"),
        ("zarray_many_axes.zarr", zarray([1] * 65, [1] * 65), "65 axes"),
    ]
    for name, meta, *expect in zarr:
        put_array(name + "/.zarray", meta)
        source_pipeline("zarr_" + name[:-5], "from_zarr", name, 'layer "img"', 'field "path"', name, *expect)
    put_array("zarray_missing.zarr/.zattrs", "{}")
    source_pipeline("zarr_zarray_missing", "from_zarr", "zarray_missing.zarr", 'layer "img"', 'field "path"', "zarray_missing.zarr", ".zarray")
    # ... and chunk faults, found only when the run reads the chunk: validate passes, the run fails (exit 1).
    run_only = [
        ("chunk_short.zarr", zarray([4], [2]), {"0": struct.pack("<2d", 1, 2), "1": struct.pack("<d", 3)}, "chunk_short.zarr/1", "bytes"),
        ("chunk_long.zarr", zarray([4], [2]), {"0": struct.pack("<2d", 1, 2), "1": struct.pack("<3d", 3, 4, 5)}, "chunk_long.zarr/1", "bytes"),
        ("chunk_corrupt_zlib.zarr", zarray([4], [2], compressor={"id": "zlib", "level": 1}), {"0": b"\x78\x9c" + b"\xff" * 20},
         "chunk_corrupt_zlib.zarr/0", "corrupt"),
        ("chunk_is_dir.zarr", zarray([4], [2]), {"0/.keep": b""}, "chunk_is_dir.zarr/0", "directory"),
    ]
    for name, meta, chunks, *expect in run_only:
        put_array(name + "/.zarray", meta)
        for c, data in chunks.items():
            put_array(name + "/" + c, data)
        source_pipeline("zarr_" + name[:-5], "from_zarr", name, "@run-rc 1", 'layer "img"', *expect)


def write_pipelines():
    def bad(stem, pipeline, *expect):
        text = pipeline if isinstance(pipeline, (str, bytes)) else json.dumps(pipeline, indent=1) + "\n"
        put("pipelines/" + stem + ".json", text, *expect)

    def one(layer_fields, *extra):
        return {"layers": [dict({"id": "a", "op": "random", "shape": [100, 100], "chunks": 10}, **layer_fields)] + list(extra)}

    rnd = {"id": "a", "op": "random", "shape": [100, 100], "chunks": 10}
    put("pipelines/directory.json/.keep", b"")
    os.remove(os.path.join(HERE, "pipelines/directory.json/.keep.expect"))
    put_expect("pipelines/directory.json", "directory")
    put_expect("pipelines/missing.json", "cannot read", "No such file")
    bad("empty", "", "empty.json")
    bad("whitespace", " \n ", "whitespace.json")
    bad("nul_bytes", b"\0\0\0\0", "nul_bytes.json", "invalid JSON")
    bad("non_utf8_id", b'{"layers": [{"id": "a\xff", "op": "random", "shape": [4], "chunks": 2}]}', "non_utf8_id.json", "invalid JSON",
        "UTF-8")
    bad("deep_nesting", '{"layers": ' + "[" * 100000 + "]" * 100000 + "}", "deep_nesting.json")
    bad("deep_params", {"layers": [dict(rnd, description=json.loads("[" * 500 + "]" * 500))]}, "deep_params.json", 'layer "a"',
        "description")
    bad("huge_float", '{"layers": [{"id": "a", "op": "random", "shape": [10], "chunks": 5}, '
        '{"id": "b", "op": "gaussian_filter", "input": "a", "sigma": 1e400}]}', "huge_float.json")
    bad("layer_not_object", {"layers": [1, 2]}, 'layer "#0"')
    bad("layers_not_list", {"layers": {"a": rnd}}, 'field "layers"')
    bad("inputs_string", {"layers": [rnd, {"id": "b", "op": "add", "inputs": "a"}]}, 'layer "b"', 'field "inputs"')
    bad("chunks_object", one({"chunks": {"x": 1}}), 'layer "a"', 'field "chunks"')
    bad("seed_negative", one({"seed": -1}), 'layer "a"', 'field "seed"')
    bad("seed_float", one({"seed": 1.5}), 'layer "a"', 'field "seed"')
    bad("axis_bool", {"layers": [rnd, {"id": "s", "op": "sum", "input": "a", "axis": True}]}, 'layer "s"', 'field "axis"')
    bad("name_number", dict(one({}), name=5), 'field "name"')
    bad("outputs_not_list", dict(one({}), outputs={"id": "a"}), 'field "outputs"')
    bad("output_both", dict(one({}), outputs=[{"id": "a", "to_npy": "a.npy", "to_zarr": "a.zarr"}]), "to_zarr")
    bad("output_unknown_field", dict(one({}), outputs=[{"id": "a", "to_csv": "a.csv"}]), "to_csv")
    bad("self_reference", {"layers": [rnd, {"id": "b", "op": "add", "inputs": ["b", "a"]}]}, 'layer "b"', "cycle")
    bad("self_reference_input", {"layers": [rnd, {"id": "b", "op": "negative", "input": "b"}]}, 'layer "b"', "cycle")
    bad("cycle_two", {"layers": [{"id": "a", "op": "negative", "input": "b"}, {"id": "b", "op": "negative", "input": "a"}]}, 'layer "a"',
        "not a layer defined before")
    bad("chunk_target_negative", dict(one({"chunks": "auto"}), chunk_target=-5), "chunk_target")
    # Gigantic shapes: each must be refused before anything of that size is allocated or enumerated.
    big = 1 << 62
    bad("huge_shape", one({"shape": [big, big], "chunks": -1}), 'layer "a"', 'field "shape"')
    # A valid pipeline whose one chunk (512 PiB) cannot be allocated: the run fails cleanly (exit 1).
    bad("huge_chunk", one({"shape": [1 << 40, 1 << 16], "chunks": -1}), "@run-rc 1", 'layer "a"', "out of memory")
    bad("tasks_total", {"layers": [{"id": "a", "op": "random", "shape": [12000, 12000], "chunks": 1},
                                   {"id": "b", "op": "negative", "input": "a"},
                                   {"id": "c", "op": "negative", "input": "b"}]}, "tasks_total.json", "chunks")
    bad("reduce_explosion", {"layers": [{"id": "a", "op": "random", "shape": [14000, 14000], "chunks": 1},
                                        {"id": "s", "op": "sum", "input": "a", "split_every": 2}]}, "reduce_explosion.json")
    # Chunk counts from the sizes, before any list: two "auto" axes of 10^8 chunks each.
    bad("auto_chunks_explosion", dict(one({"shape": [100000000, 100000000], "chunks": "auto"}), chunk_target=8), 'layer "a"',
        'field "chunks"', "more than 200000000 chunks")
    bad("many_axes", one({"shape": [1] * 65, "chunks": 1}), 'layer "a"', 'field "shape"', "65 axes")
    bad("deep_group", one({"group": "/".join(["g"] * 100000)}), 'layer "a"', 'field "group"', "100000 levels")
    bad("halo_explosion", {"layers": [{"id": "a", "op": "random", "shape": [1000, 1000], "chunks": 10},
                                      {"id": "f", "op": "uniform_filter", "input": "a", "size": 1000000}]}, 'layer "f"', 'field "size"')
    # Output paths that cannot be written: refused by validate and run before anything runs (exit 2).
    bad("output_is_dir", dict(one({}), outputs=[{"id": "a", "to_npy": "."}]), "@paths", "to_npy of \"a\"", "directory")


if __name__ == "__main__":
    main()
