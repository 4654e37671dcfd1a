#!/usr/bin/python3
"""End-to-end check: `chunkscope run` on a pipeline equals the NumPy/SciPy reference.

    run_vs_numpy.py CHUNKSCOPE PIPELINE.json [--threads N]

Copies the pipeline into a temporary folder, sends every output to .npy there, runs chunkscope,
evaluates tests/reference/numpy_ref.py on the same pipeline, compares each output with the
project's tolerances (tests/reference/compare.py), checks the trace loads (`chunkscope report
--json`) with every task done, and prints one line per output. Exit 0 when all match, 1 otherwise.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "reference")
sys.path.insert(0, REF)
import numpy as np  # noqa: E402
from compare import compare  # noqa: E402


def main():
    chunkscope, pipeline = sys.argv[1], sys.argv[2]
    threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2"
    doc = json.load(open(pipeline))
    with tempfile.TemporaryDirectory(prefix="cs-e2e-") as tmp:
        outs = doc.get("outputs") or [{"id": doc["layers"][-1]["id"]}]
        doc["outputs"] = [{"id": o["id"], "to_npy": "got/%s.npy" % o["id"]} for o in outs]
        os.makedirs(os.path.join(tmp, "got"))
        path = os.path.join(tmp, os.path.basename(pipeline))
        json.dump(doc, open(path, "w"))
        trace = os.path.join(tmp, "t.cstrace.json")
        r = subprocess.run([chunkscope, "run", path, "--threads", threads, "--trace", trace, "-q"], capture_output=True, text=True)
        if r.returncode != 0:
            print("chunkscope run failed (exit %d): %s" % (r.returncode, r.stderr.strip()))
            return 1
        ref = os.path.join(tmp, "ref")
        r = subprocess.run([sys.executable, os.path.join(REF, "numpy_ref.py"), path, "--out", ref], capture_output=True, text=True)
        if r.returncode != 0:
            print("numpy_ref failed: %s" % r.stderr.strip())
            return 1
        bad = 0
        for o in doc["outputs"]:
            want = np.load(os.path.join(ref, o["id"] + ".npy"))
            got = np.load(os.path.join(tmp, o["to_npy"]))
            why = compare(want, got)
            print("%-10s %-12s %-8s %s" % (o["id"], "x".join(map(str, got.shape)) or "()", got.dtype, why or "ok"))
            bad += why is not None
        r = subprocess.run([chunkscope, "report", trace, "--json"], capture_output=True, text=True)
        if r.returncode != 0:
            print("report failed: %s" % r.stderr.strip())
            return 1
        rep = json.loads(r.stdout)
        if rep["status"] != "ok":
            print("trace status is %s" % rep["status"])
            bad += 1
        print("%d outputs, %d mismatches" % (len(doc["outputs"]), bad))
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
