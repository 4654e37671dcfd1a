#!/usr/bin/env python3
"""What a new user checks in chunkscope-view, through its screenshot + dump mode (issue 16):
   properties.py VIEW XVFB_RUN OUT TRACE WxH [--modes]
At the default view the graph's visible labels are >= 9 px (median and minimum); graph, findings,
timeline and memory are inside the window; the graph, timeline and chunk grid draw legends;
selecting a layer highlights its tasks in the timeline; clicking a task selects its layer; a brushed
range's summary equals the numbers computed here from the trace's columns. --modes: the graph
legend for every colour-by mode."""
import json
import os
import statistics
import subprocess
import sys

view, xvfb, out, trace, size = sys.argv[1:6]
modes = "--modes" in sys.argv[6:]
w, h = (int(v) for v in size.split("x"))
name = os.path.basename(trace).split(".")[0] + "_" + size
os.makedirs(os.path.join(out, "shots"), exist_ok=True)
fails = []


def check(ok, what):
    if not ok:
        fails.append(what)
        print("FAIL:", what)


def run(tag, *args):
    png = os.path.join(out, "shots", f"props_{name}_{tag}.png")
    dump = os.path.join(out, "shots", f"props_{name}_{tag}.json")
    cmd = [xvfb, "-a", "-s", "-screen 0 1920x1200x24", view, trace, "--size", size, "--frames", "5",
           "--screenshot", png, "--dump-view", dump, *args]
    r = subprocess.run(cmd, cwd=out, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {r.returncode}")
    with open(dump) as f:
        return json.load(f)[0]


d = run("default")
fr = d["frame"]
px = fr.get("graph_label_px", [])
check(len(px) > 0, "graph labels drawn at the default view")
if px:
    print(f"graph labels: {len(px)} visible, median {statistics.median(px):.1f} px, min {min(px):.1f} px")
    check(statistics.median(px) >= 9 and min(px) >= 9, f"graph label height >= 9 px (median {statistics.median(px)}, min {min(px)})")
for p in ("graph", "findings", "timeline", "memory"):
    x, y, pw, ph = fr["panels"][p]
    check(x >= 0 and y >= 0 and x + pw <= w + 0.5 and y + ph <= h + 0.5 and ph >= 80 and pw >= 200,
          f"{p} panel inside {size}: {[x, y, pw, ph]}")
panels = {l["panel"]: l for l in fr.get("legends", [])}
for p in ("graph", "timeline", "chunk grid"):
    check(p in panels and panels[p]["entries"] >= 1, f"{p} legend drawn")
tr = json.load(open(os.path.join(out, trace)))
layers = [l["id"] for l in tr["layers"]]
tasks = tr["tasks"]
ran = [i for i, w in enumerate(tasks["worker"]) if w >= 0]
ran_layers = {layers[tasks["layer"][i]] for i in ran}
check(len(set(panels["timeline"].get("by", "layer") for _ in [0])) == 1, "timeline colouring named")
if panels.get("timeline", {}).get("by") == "layer":
    check(panels["timeline"]["entries"] == len(ran_layers), "one timeline legend entry per layer that ran")

# Selecting a layer highlights its tasks.
busiest = max(ran_layers, key=lambda l: sum(tasks["end_ns"][i] - tasks["start_ns"][i] for i in ran if layers[tasks["layer"][i]] == l))
s = run("select", "--select", busiest)
check(s.get("selected") == busiest, "--select selects")
check(s["frame"].get("timeline_highlighted_tasks", 0) > 0, f"selecting {busiest} highlights its tasks")

# Showing a layer's tasks (a double-click; --tasks does the same) fits them in the graph.
k = run("tasks", "--tasks", busiest)
check(k["frame"].get("graph_fitted") == busiest, f"the tasks of {busiest} are fitted in the graph ({k['frame'].get('graph_fitted')})")

# Clicking a task selects its layer (a layer other than the default selection).
targets = fr.get("timeline_task_targets", {})
pick = next((l for l in targets if l != d.get("selected")), None)
check(pick is not None, "a task wide enough to click")
if pick:
    x, y = targets[pick]
    c = run("click", "--click", f"{int(x)},{int(y)}")
    check(c.get("selected") == pick, f"clicking a task of {pick} at {x},{y} selects it (got {c.get('selected')})")

# A brushed range: the middle half of the run.
wall = tr["meta"]["wall_ns"]
t0, t1 = wall // 4, wall * 3 // 4
b = run("brush", "--brush", f"{t0},{t1}")
rg = b["frame"].get("range")
check(rg is not None, "the brushed range has a summary")
if rg:
    # The numbers from the trace's columns: tasks of a worker overlapping [t0, t1) (a zero-length
    # task counts when it starts inside), their time clipped to the range.
    per_layer, per_worker, spans = {}, {}, {}
    for i in range(len(tasks["layer"])):
        st, en, wk = tasks["start_ns"][i], tasks["end_ns"][i], tasks["worker"][i]
        if wk < 0 or en <= t0 or st >= t1:
            if not (wk >= 0 and st == en and t0 <= st < t1):
                continue
        busy = min(en, t1) - max(st, t0)
        l = layers[tasks["layer"][i]]
        b0, n0 = per_layer.get(l, (0, 0))
        per_layer[l] = (b0 + busy, n0 + 1)
        if en > st:
            spans.setdefault(wk, []).append((max(st, t0), min(en, t1)))
    # A worker is busy while any of its tasks runs: the union of its intervals (Dask tasks can
    # overlap on one thread), never more than the range (issue 15 item 5).
    for wk, iv in spans.items():
        iv.sort()
        end = t0
        for a, e in iv:
            if e > end:
                per_worker[wk] = per_worker.get(wk, 0) + e - max(a, end)
            end = max(end, e)
    got = {x["layer"]: (x["busy_ns"], x["tasks"]) for x in rg["layers"]}
    check(got == per_layer, f"range per-layer time and tasks equal the trace's ({len(per_layer)} layers)")
    gw = {x["worker"]: x["busy_ns"] for x in rg["workers"] if x["busy_ns"]}
    check(gw == {k: v for k, v in per_worker.items() if v}, "range per-worker busy equals the trace's")
    check(all(x["idle_ns"] == max(0, t1 - t0 - x["busy_ns"]) for x in rg["workers"]), "idle = the range - busy")
    check(all(x["busy_ns"] <= t1 - t0 for x in rg["workers"]), "no worker busy more than the range")
    mt, mb = tr["memory"]["t_ns"], tr["memory"]["live_bytes"]
    at = 0
    for k in range(len(mt)):
        if mt[k] <= t0:
            at = mb[k]
    vals = [at] + [mb[k] for k in range(len(mt)) if t0 < mt[k] < t1]
    check((rg["mem_min"], rg["mem_max"]) == (min(vals), max(vals)), f"range memory min/max {rg['mem_min']}/{rg['mem_max']} = {min(vals)}/{max(vals)}")

# Memory by layer: the host chart stacked by layer (or group), its bands named in the legend row.
v = run("by_layer", "--memory", "by-layer")
ms = v["frame"].get("memory_stack")
check(v["frame"].get("memory_mode") == "by layer" and ms is not None, "--memory by-layer stacks the memory chart")
if ms and tr["memory"].get("peak_bytes", 0) > 0:
    check(len(ms["bands"]) >= 1, "the memory stack has bands")
    check(ms["bands"][0]["label"] in v["frame"].get("memory_legend", []), "the largest band is in the memory legend")
    check(all(ms["bands"][0]["peak_bytes"] >= b["peak_bytes"] for b in ms["bands"][:-1]), "largest at the peak first")
    check("peak" in v["frame"].get("memory_legend", []), "the peak marker stays in by-layer mode")

if modes:
    want = {"time": "busy time", "memory": "memory peak", "tasks": "tasks", "chunk-bytes": "chunk bytes", "worker": "worker",
            "critical": "critical path", "findings": "finding"}
    for m, word in want.items():
        v = run("mode_" + m, "--color-by", m)
        g = [l for l in v["frame"].get("legends", []) if l["panel"] == "graph"]
        check(g and word in g[0]["title"] and g[0]["entries"] >= 1, f"graph legend for colour-by {m}: {g}")

if fails:
    raise SystemExit(f"{len(fails)} checks failed")
print("ok:", name)
