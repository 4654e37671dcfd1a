#!/usr/bin/env python3
"""SIGKILL `chunkscope run` at seeded random moments while it writes a trace, an HTML page, two
.npy outputs and a Zarr output; after every kill each file must be the previous version byte for
byte or a complete new one, never half written, and temporaries must not pile up.

    kill_test.py CHUNKSCOPE WORKDIR [KILLS] [SEED]

Two variants of one pipeline (different seeds, same output paths) alternate (each run is the one
whose z.npy differs from what is there), so that "previous" and "new" differ. The complete outputs of each variant are computed first and serve as the
expected values. Prints one line per kill: the delay, what each file holds afterwards (prev/new),
and the temporaries left behind. Exit 1 on the first violated guarantee.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

try:
    import numpy as np
except ImportError:  # the bytes are still compared with a complete output
    np = None

OUT = "out"
FILES = ["t.cstrace.json", "t.html", "z.npy", "s.npy", "z.zarr"]


def pipeline(seed):
    return {"name": "killme",
            "layers": [{"id": "x", "op": "random", "shape": [1024, 1024], "chunks": [128, 128], "seed": seed},
                       {"id": "y", "op": "multiply", "inputs": ["x", 3.0]},
                       {"id": "z", "op": "add", "inputs": ["y", 1.0]},
                       {"id": "s", "op": "sum", "input": "z", "axis": 0}],
            "outputs": [{"id": "z", "to_npy": OUT + "/z.npy"}, {"id": "z", "to_zarr": OUT + "/z.zarr"},
                        {"id": "s", "to_npy": OUT + "/s.npy"}]}


def snapshot(path):
    """The content of a file (bytes) or a folder ({relative name: bytes}); None when missing."""
    if os.path.isdir(path):
        out = {}
        for root, _, files in os.walk(path):
            for f in files:
                full = os.path.join(root, f)
                with open(full, "rb") as fh:
                    out[os.path.relpath(full, path)] = fh.read()
        return out
    if os.path.exists(path):
        with open(path, "rb") as fh:
            return fh.read()
    return None


def temporaries(folder):
    return sorted(e for e in os.listdir(folder) if ".tmp-" in e or ".old-" in e)


class Checker:
    def __init__(self, cs, work):
        self.cs, self.work = cs, work
        self.out = os.path.join(work, OUT)

    def run_cmd(self, variant):
        return [self.cs, "run", f"p{variant}.json", "-q", "--threads", "2", "--trace", OUT + "/t.cstrace.json", "--html",
                OUT + "/t.html"]

    def complete_run(self, variant):
        t0 = time.monotonic()
        r = subprocess.run(self.run_cmd(variant), cwd=self.work, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"FAIL: a complete run exited {r.returncode}: {r.stderr.strip()}")
        return time.monotonic() - t0

    def readable_trace(self, path):
        r = subprocess.run([self.cs, "report", path], capture_output=True, text=True)
        return r.returncode == 0

    def state(self, name, data, prev, expected):
        """'prev', 'new', or a reason why the file is neither."""
        path = os.path.join(self.out, name)
        if data is None:
            return "missing" if prev is not None else "prev"
        if data == prev:
            return "prev"
        if name.endswith(".cstrace.json"):
            return "new" if self.readable_trace(path) else "unreadable trace"
        if name.endswith(".html"):
            return "new" if data.rstrip().endswith(b"</html>") else "HTML without </html>"
        if name.endswith(".npy"):
            if np is None:
                return "new" if data == expected[name] else "npy differs from a complete output"
            try:
                got = np.load(path)
            except Exception as e:  # a half-written file
                return f"numpy cannot load it ({e})"
            return "new" if data == expected[name] and np.array_equal(got, np.load(os.path.join(self.ref, name))) else \
                "npy differs from the expected values"
        if name.endswith(".zarr"):
            return "new" if data == expected[name] else "Zarr folder differs from a complete output"
        return "?"


def main():
    cs = os.path.abspath(sys.argv[1])
    work = os.path.abspath(sys.argv[2])
    kills = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 20261122)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, OUT))
    for v in (0, 1):
        with open(os.path.join(work, f"p{v}.json"), "w") as f:
            json.dump(pipeline(100 + v), f)
    c = Checker(cs, work)
    # The complete outputs of each variant (npy and Zarr are deterministic; traces and pages are not).
    expected = {}
    times = []
    for v in (1, 0):
        times.append(c.complete_run(v))
        expected[v] = {n: snapshot(os.path.join(c.out, n)) for n in FILES}
        ref = os.path.join(work, f"ref{v}")
        shutil.rmtree(ref, ignore_errors=True)
        shutil.copytree(c.out, ref)
    full = max(times)
    print(f"a complete run takes {full:.2f} s; {kills} kills follow")
    prev = {n: snapshot(os.path.join(c.out, n)) for n in FILES}  # variant 0's outputs
    failures = 0
    most_temps = 0
    seen = {"prev": 0, "new": 0}
    for k in range(kills):
        # The variant whose outputs differ from what is there now (after a kill the set may be mixed).
        v = 1 if prev["z.npy"] == expected[0]["z.npy"] else 0
        c.ref = os.path.join(work, f"ref{v}")
        delay = rng.uniform(0.0, 1.2 * full) if k % 5 else rng.uniform(0.0, 0.05)
        p = subprocess.Popen(c.run_cmd(v), cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        finished = p.poll() is not None
        if not finished:
            p.send_signal(signal.SIGKILL)
        p.wait()
        now = {n: snapshot(os.path.join(c.out, n)) for n in FILES}
        states = {n: c.state(n, now[n], prev[n], expected[v]) for n in FILES}
        temps = temporaries(c.out)
        most_temps = max(most_temps, len(temps))
        line = f"kill {k + 1:2d}: variant {v}, after {delay * 1000:6.1f} ms{' (had finished)' if finished else ''}: " + \
            ", ".join(f"{n} {s}" for n, s in states.items()) + f"; temporaries: {temps if temps else 'none'}"
        print(line)
        for n, s in states.items():
            if s in seen:
                seen[s] += 1
            else:
                print(f"FAIL: {n} after kill {k + 1}: {s}")
                failures += 1
        # Temporaries must not pile up: at most one per output (the killed run's own).
        if len(temps) > len(FILES):
            print(f"FAIL: {len(temps)} temporaries in {c.out} after kill {k + 1}: they pile up")
            failures += 1
        prev = now
    # A complete run afterwards removes what the killed runs left.
    c.complete_run(0)
    left = temporaries(c.out)
    if left:
        print(f"FAIL: temporaries left after a complete run: {left}")
        failures += 1
    print(f"{kills} kills: files found {seen['prev']} times as the previous version, {seen['new']} times as a complete new one; "
          f"at most {most_temps} temporaries at once; none after the next complete run" if not left else "")
    if failures:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
