#!/usr/bin/env python3
"""Compare mode puts both runs on one time axis (issue 20 item 1):
   compare_axis.py VIEW XVFB_RUN OUT TRACE_A TRACE_B
Both runs' timelines show the same window, from 0 to the longer run's end, and a brushed range is
the same range in both."""
import json
import os
import subprocess
import sys

view, xvfb, out, a, b = sys.argv[1:6]
os.makedirs(os.path.join(out, "shots"), exist_ok=True)
png = os.path.join(out, "shots", "compare_axis.png")
dump = os.path.join(out, "shots", "compare_axis.json")
walls = [json.load(open(os.path.join(out, t)))["meta"]["wall_ns"] for t in (a, b)]
brush = f"{min(walls) // 4},{min(walls) // 2}"
cmd = [xvfb, "-a", "-s", "-screen 0 1600x1000x24", view, a, b, "--compare", "--size", "1400x900", "--frames", "4",
       "--brush", brush, "--screenshot", png, "--dump-view", dump]
r = subprocess.run(cmd, cwd=out, capture_output=True, text=True, timeout=60)
if r.returncode != 0:
    print(r.stdout, r.stderr)
    raise SystemExit(f"FAIL: {' '.join(cmd)} exited {r.returncode}")
docs = json.load(open(dump))
axes = [d["frame"].get("time_axis") for d in docs[:2]]
print("walls", walls, "axes", axes)
fails = []
if None in axes or axes[0] != axes[1]:
    fails.append(f"both runs on one time axis: {axes}")
elif axes[0]["end"] != max(walls) or axes[0]["t0"] != 0 or axes[0]["t1"] != max(walls):
    fails.append(f"the axis spans 0 to the longer run's end {max(walls)}: {axes[0]}")
if axes[0] and axes[0]["brush"] != [int(v) for v in brush.split(",")]:
    fails.append(f"the brushed range {brush} is on the shared axis: {axes[0]['brush']}")
if fails:
    raise SystemExit("FAIL: " + "; ".join(fails))
print("ok: compare on one time axis")
