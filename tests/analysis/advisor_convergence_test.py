#!/usr/bin/python3
"""One chunk advisor (issue 19, item 10): on every sample and planted case,

  1. each tiny-chunks finding of a run gives the same edit as `chunkscope advise` on the pipeline
     (the same array, the same threads);
  2. applying the findings' edits (`apply-advice`: warnings and above) converges: the re-run
     raises no tiny-chunks warning on an edited layer, and `advise` on the edited pipeline changes
     nothing there.

    advisor_convergence_test.py CHUNKSCOPE PIPELINE.json...

Planted cases (tiny chunks in 1, 2 and 3 axes, with and without reductions, int8) are written
to a temporary folder and checked with the pipelines given. Exit 0 when all hold, 1 otherwise.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

THREADS = "2"

PLANTED = {
    "planted_2d_sum0": [
        {"id": "x", "op": "random", "shape": [2048, 2048], "chunks": [16, 16], "seed": 1},
        {"id": "n", "op": "negative", "input": "x"},
        {"id": "s", "op": "sum", "input": "n", "axis": 0}],
    "planted_3d_mean": [
        {"id": "v", "op": "random", "shape": [128, 256, 256], "chunks": [8, 8, 8], "dtype": "float32", "seed": 2},
        {"id": "w", "op": "multiply", "inputs": ["v", 2]},
        {"id": "m", "op": "mean", "input": "w", "axis": [1, 2]}],
    "planted_1d_int8": [
        {"id": "z", "op": "full", "shape": [16000000], "chunks": 1000, "dtype": "int8", "value": 3},
        {"id": "p", "op": "add", "inputs": ["z", 1]},
        {"id": "t", "op": "sum", "input": "p"}],
    "planted_thin_columns": [
        {"id": "c", "op": "random", "shape": [4096, 1024], "chunks": [4096, 2], "seed": 3},
        {"id": "r", "op": "sum", "input": "c", "axis": 1}],
}


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def findings(cs, pipeline, trace, problems, what):
    r = run([cs, "run", pipeline, "-j", THREADS, "-q", "--trace", trace])
    if r.returncode != 0:
        problems.append(f"{what}: run failed: {r.stderr.strip()}")
        return None
    r = run([cs, "report", "--json", trace])
    if r.returncode != 0:
        problems.append(f"{what}: report failed: {r.stderr.strip()}")
        return None
    return json.loads(r.stdout)["findings"]


def advise(cs, pipeline, problems, what):
    r = run([cs, "advise", pipeline, "--threads", THREADS, "--json"])
    if r.returncode != 0:
        problems.append(f"{what}: advise failed: {r.stderr.strip()}")
        return {}
    return {l["layer"]: l for l in json.loads(r.stdout)["layers"]}


def check(cs, pipeline, tmp, problems):
    name = os.path.splitext(os.path.basename(pipeline))[0]
    work = os.path.join(tmp, name)
    os.makedirs(work, exist_ok=True)
    doc = json.load(open(pipeline))
    # outputs in memory only (nothing written next to the sample)
    doc["outputs"] = [{"id": o["id"]} for o in doc.get("outputs") or []] or None
    if doc["outputs"] is None:
        del doc["outputs"]
    p = os.path.join(work, name + ".json")
    json.dump(doc, open(p, "w"))
    for f in ("from_files",):  # pipelines that read files next to them
        if name == f:
            for e in os.listdir(os.path.dirname(pipeline)):
                src = os.path.join(os.path.dirname(pipeline), e)
                if not e.endswith(".json") and not os.path.exists(os.path.join(work, e)):
                    (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(work, e))
    found = findings(cs, p, os.path.join(work, "a.cstrace.json"), problems, name)
    if found is None:
        return 0
    tiny = [f for f in found if f["rule"] == "tiny-chunks" and f.get("edits")]
    static = advise(cs, p, problems, name)
    edited = []  # layers apply-advice edits (findings of severity warning and above)
    for f in tiny:
        for e in f["edits"]:
            layer = e["layer"]
            if f["severity"] != "info":
                edited.append(layer)
            a = static.get(layer)
            if a is None or e not in a["edits"]:
                problems.append(f"{name}: tiny-chunks edits {json.dumps(e)} but advise says "
                                f"{json.dumps(a['edits']) if a else 'nothing'} for {layer}")
    if not edited:
        print(f"{name:22} {'no tiny-chunks finding' if not tiny else 'tiny-chunks at info only: same edit as advise'}")
        return 0
    tuned = os.path.join(work, name + ".tuned.json")
    r = run([cs, "apply-advice", p, os.path.join(work, "a.cstrace.json"), "-o", tuned])
    if r.returncode != 0:
        problems.append(f"{name}: apply-advice failed: {r.stderr.strip()}")
        return 0
    again = findings(cs, tuned, os.path.join(work, "b.cstrace.json"), problems, name + " (advised)")
    if again is None:
        return 0
    for f in again:
        if f["rule"] == "tiny-chunks" and f["severity"] != "info" and f["layers"] and f["layers"][0] in edited:
            problems.append(f"{name}: after apply-advice the re-run still has tiny chunks on {f['layers'][0]}: "
                            f"{f['message']} advice: {json.dumps(f.get('edits'))}")
    static2 = advise(cs, tuned, problems, name + " (advised)")
    for layer in edited:
        a = static2.get(layer)
        if a and a["change"]:
            problems.append(f"{name}: advise on the advised pipeline changes {layer} again: {json.dumps(a['edits'])}")
    print(f"{name:22} {len(tiny)} tiny-chunks finding(s), edits {', '.join(json.dumps(e) for f in tiny for e in f['edits'])}: "
          "same as advise; converged")
    return 1


def main():
    cs = sys.argv[1]
    problems = []
    checked = 0
    with tempfile.TemporaryDirectory(prefix="cs-advisors-") as tmp:
        pipelines = list(sys.argv[2:])
        for name, layers in PLANTED.items():
            p = os.path.join(tmp, name + ".json")
            json.dump({"name": name, "layers": layers}, open(p, "w"))
            pipelines.append(p)
        for p in pipelines:
            checked += check(cs, p, tmp, problems)
    for p in problems:
        print("FAIL:", p)
    print(f"{len(pipelines)} pipelines, {checked} with tiny chunks, {len(problems)} problems")
    return 1 if problems or checked < 5 else 0


if __name__ == "__main__":
    sys.exit(main())
