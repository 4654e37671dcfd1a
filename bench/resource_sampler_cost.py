"""The cost of chunkscope.dask.resources' sampler (issue 20 item 2: under 1%).

    PYTHONPATH=build/python python3 bench/resource_sampler_cost.py

Measures (1) the CPU time one sample takes (psutil: memory_info + cpu_percent), times the rate
(100 per second), as a share of one core; (2) the sampler thread's CPU time over 2 s of sampling
next to a busy main thread, from the process's per-thread times."""
import threading
import time

import psutil

from chunkscope.dask.resources import INTERVAL_S, _Sampler

p = psutil.Process()
p.cpu_percent(None)
n = 2000
c0 = time.thread_time_ns()
for _ in range(n):
    p.memory_info().rss
    p.cpu_percent(None)
per_sample = (time.thread_time_ns() - c0) / n
print(f"one sample: {per_sample / 1e3:.1f} µs CPU; at {1 / INTERVAL_S:.0f} per second: "
      f"{per_sample / (INTERVAL_S * 1e9) * 100:.2f}% of one core")

s = _Sampler()
s.start()
before = {t.id: t.user_time + t.system_time for t in p.threads()}
t_end = time.perf_counter() + 2.0
x = 0
while time.perf_counter() < t_end:  # a busy main thread, as a computation would be
    x += 1
after = {t.id: t.user_time + t.system_time for t in p.threads()}
samples = len(s.stop())
used = sum(after[i] - before.get(i, 0.0) for i in after if i != threading.main_thread().native_id)
print(f"2.0 s with the sampler: {samples} samples ({2.0 / max(samples, 1) * 1e3:.1f} ms apart); CPU of the other "
      f"threads {used * 1e3:.1f} ms = {used / 2.0 * 100:.2f}% of one core")
