#!/usr/bin/env python3
"""Writes cuda_transfers.cstrace.json: a SYNTHETIC trace shaped like the CUDA executor's output.

No GPU was available where the views for transfers were written, so this script takes the task
graph of a CPU run of gpu_transfers.json (layers, tasks, stages, dependencies: the same for every
executor) and replaces what the CUDA executor records differently (gpu/src/cuda_executor.cpp,
exec/src/recorder.cpp):

- meta: executor "cuda", device "cuda:0 <name>", 2 workers, extra.worker_devices ["cuda:0", "host"];
- workers: 0 = the GPU's compute stream (random, multiply, rechunk, add), 1 = host fallback (the sum,
  as the executor ran reductions before it had device ones), nothing fused;
- transfers (device 1 = cuda:0): a device chunk a host task reads is downloaded once
  (device->host, to_device 0), a host chunk a device task reads is uploaded once (host->device);
  `task` is the consumer;
- memory: the host series (downloaded copies and host outputs) and device_memory[0] "cuda:0"
  (device outputs and uploaded copies), each chunk live from its allocation until its last
  consumer ends, with the device limit set (a tight one, see DEVICE_LIMIT).

Times come from a deterministic model of one issuing thread and three streams (bytes / bandwidth
plus a fixed cost), not from a device, so the file is the same on every run:

    chunkscope run gpu_transfers.json --threads 2 --trace cpu.cstrace.json -q
    python3 make_fixture.py cpu.cstrace.json cuda_transfers.cstrace.json
"""
import json
import sys

ON_DEVICE = {"random", "multiply", "rechunk", "add"}
ISSUE_NS = 4_000                       # host cost of issuing one device task
H2D_BPS, D2H_BPS = 11.0, 12.5          # bytes per ns (about 11 and 12.5 GB/s, pageable memory)
COPY_NS = 6_000                        # fixed cost of one copy
HOST_BPS = 2.0                         # host kernel (a sum) bytes per ns
DEV_NS, DEV_BPS = 3_000, 1500.0        # device kernel: launch + bytes per ns
# Device limit as `--device-memory-limit 384KiB` sets it: tight (the peak is 256 KiB, so the schedule
# never waits on it) to put the limit line on the device memory chart. Without the option the
# executor takes 90% of the free memory (about 70.9 GiB on an 80 GB device): far off that chart's scale.
DEVICE_LIMIT = 393_216


def main(src, dst):
    d = json.load(open(src))
    layers, t = d["layers"], d["tasks"]
    n = len(t["layer"])
    deps = [t["dep_index"][t["dep_offsets"][i]:t["dep_offsets"][i + 1]] for i in range(n)]
    users = [[] for _ in range(n)]
    for i in range(n):
        for p in deps[i]:
            users[p].append(i)
    on_dev = [layers[t["layer"][i]]["op"] in ON_DEVICE for i in range(n)]
    nbytes = t["bytes"]

    # Issue order: a ready task of the deepest layer first (chunk by chunk, as a memory-aware order does).
    pending = [len(x) for x in deps]
    ready = [i for i in range(n) if pending[i] == 0]
    order = []
    while ready:
        ready.sort(key=lambda i: (-t["layer"][i], i))
        i = ready.pop(0)
        order.append(i)
        for u in users[i]:
            pending[u] -= 1
            if pending[u] == 0:
                ready.append(u)

    host_t = 10_000                         # the issuing thread
    dev_free = h2d_free = d2h_free = host_t  # the three streams
    start, end, worker = [0] * n, [0] * n, [0] * n
    on_dev_at, on_host_at = {}, {}          # chunk -> time its copy is ready there
    transfers = []                          # (task, start, end, bytes, to_device)
    host_mem, dev_mem = [], []              # (t, delta, layer)
    last_use = {}                           # chunk -> (device copy freed at, host copy freed at)

    def copy(consumer, chunk, to_device):
        nonlocal h2d_free, d2h_free, host_t
        b = nbytes[chunk]
        if to_device:
            s = max(h2d_free, on_host_at[chunk], host_t)
            e = s + COPY_NS + int(b / H2D_BPS)
            h2d_free = e
            on_dev_at[chunk] = e
            dev_mem.append((s, b, t["layer"][chunk]))
        else:
            s = max(d2h_free, on_dev_at[chunk], host_t)
            e = s + COPY_NS + int(b / D2H_BPS)
            d2h_free = e
            on_host_at[chunk] = e
            host_mem.append((s, b, t["layer"][chunk]))
            host_t = e                      # a download blocks the issuing thread (pageable memory)
        transfers.append((consumer, s, e, b, 1 if to_device else 0))

    for i in order:
        if on_dev[i]:
            for p in deps[i]:
                if p not in on_dev_at:
                    copy(i, p, True)
            host_t += ISSUE_NS
            s = max(dev_free, host_t, *[on_dev_at[p] for p in deps[i]])
            e = s + DEV_NS + int(nbytes[i] / DEV_BPS)
            dev_free = e
            on_dev_at[i] = e
            dev_mem.append((s, nbytes[i], t["layer"][i]))
            worker[i] = 0
        else:
            for p in deps[i]:
                if p not in on_host_at:
                    copy(i, p, False)
            s = max(host_t, *[on_host_at[p] for p in deps[i]]) if deps[i] else host_t
            in_bytes = sum(nbytes[p] for p in deps[i])
            e = s + 2_000 + int(in_bytes / HOST_BPS)
            host_t = e
            on_host_at[i] = e
            host_mem.append((s, nbytes[i], t["layer"][i]))
            worker[i] = 1
        start[i], end[i] = s, e
    wall = max(max(end), max(x[2] for x in transfers)) + 20_000

    # Frees: each copy when its last consumer ends; chunks nobody reads (outputs) at the end.
    for c in range(n):
        last = max((end[u] for u in users[c]), default=wall)
        if c in on_dev_at:
            dev_mem.append((last, -nbytes[c], t["layer"][c]))
        if c in on_host_at:
            host_mem.append((last, -nbytes[c], t["layer"][c]))

    def series(events, device, limit):
        events = sorted(events, key=lambda e: (e[0], e[1]))  # releases first at equal times
        ts, live_bytes, live = [0], [0], 0
        peak, peak_t, peak_layer = 0, 0, None
        for when, delta, layer in events:
            if delta == 0:
                continue
            live += delta
            if live > peak:
                peak, peak_t, peak_layer = live, when, layers[layer]["id"]
            if ts[-1] == when:
                live_bytes[-1] = live
            else:
                ts.append(when)
                live_bytes.append(live)
        return {"device": device, "t_ns": ts, "live_bytes": live_bytes, "peak_bytes": peak,
                "peak_t_ns": peak_t, "peak_layer": peak_layer, "limit_bytes": limit}

    d["meta"].update({"executor": "cuda", "device": "cuda:0 NVIDIA H100 80GB HBM3", "threads": 2, "wall_ns": wall,
                      "start_time": "2026-01-01T00:00:00Z", "tool_version": "0.1.0",
                      "extra": {"worker_devices": ["cuda:0", "host"]}})
    t.update({"worker": worker, "start_ns": start, "end_ns": end, "fused": [0] * n, "status": [1] * n})
    d["memory"] = series(host_mem, "host", 0)
    d["device_memory"] = [series(dev_mem, "cuda:0", DEVICE_LIMIT)]
    d["transfers"] = {"task": [x[0] for x in transfers], "start_ns": [x[1] for x in transfers],
                      "end_ns": [x[2] for x in transfers], "bytes": [x[3] for x in transfers],
                      "to_device": [x[4] for x in transfers], "device": [1] * len(transfers)}
    with open(dst, "w") as f:
        json.dump(d, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
