// Fixture of the web tests: a copy of a trace with process resources added (docs/trace-format.md
// "resources"), as `chunkscope run` records them: one process ("local", 2 cores) sampled 40 times
// over the run; its RSS is 90 MiB of interpreter and libraries, plus the chunk bytes live then, plus
// 1 MiB more at every sample (memory the run keeps outside its chunks); its CPU% follows the tasks
// running. Deterministic, so the tests can state what the dashboard must show.
//   node add_resources.mjs IN.cstrace.json OUT.cstrace.json
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
const t = JSON.parse(readFileSync(input, 'utf8'));
const wall = t.meta.wall_ns, n = 40, MiB = 1 << 20;
const liveAt = (ns) => {  // the host series' value at ns
  let v = 0;
  for (let i = 0; i < t.memory.t_ns.length && t.memory.t_ns[i] <= ns; i++) v = t.memory.live_bytes[i];
  return v;
};
const busyIn = (a, b) => {  // task time in [a, b), all workers
  let s = 0;
  for (let i = 0; i < t.tasks.start_ns.length; i++) s += Math.max(0, Math.min(b, t.tasks.end_ns[i]) - Math.max(a, t.tasks.start_ns[i]));
  return s;
};
const ts = [], rss = [], cpu = [];
for (let i = 0; i <= n; i++) {
  const at = Math.round(wall * i / n);
  ts.push(at);
  rss.push(90 * MiB + liveAt(at) + i * MiB);
  cpu.push(i === 0 ? 0 : Math.min(200, Math.round(100 * busyIn(ts[i - 1], at) / Math.max(1, at - ts[i - 1]) + 5)));
}
t.resources = { interval_ns: Math.round(wall / n), workers_in_process: false,
  processes: [{ process: 'local', t_ns: ts, rss_bytes: rss, cpu_percent: cpu, cores: 2 }] };
writeFileSync(output, JSON.stringify(t));
