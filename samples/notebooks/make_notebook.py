"""Writes dask_profile.ipynb: a Dask computation profiled with chunkscope, shown inline, its findings,
the suggested rechunk applied, and the two runs compared. Run: /usr/bin/python3 make_notebook.py
Execute: PYTHONPATH=build/python /usr/bin/python3 -m nbconvert --to html --execute dask_profile.ipynb"""
import os

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = [
    new_markdown_cell("# Profiling a Dask computation with chunkscope\n\n"
                      "A chunked array computation with chunks that are too small; chunkscope records the run, "
                      "shows the graph with its chunk shapes per layer, flags the inefficiencies and says what to change."),
    new_code_cell("import dask, dask.array as da\n"
                  "import chunkscope, chunkscope.dask\n"
                  "dask.config.set(scheduler='threads', num_workers=2)\n\n"
                  "def pipeline(chunks):\n"
                  "    x = da.random.random((3000, 3000), chunks=chunks)\n"
                  "    y = (x * 2 + 1) ** 2\n"
                  "    return (y - y.mean(axis=0)).std(axis=0)\n\n"
                  "with chunkscope.dask.profile(name='tiny chunks') as prof:\n"
                  "    before = pipeline((100, 100)).compute()\n"
                  "trace = prof.trace\n"
                  "trace"),
    new_markdown_cell("## Findings\n\nEach finding names the rule (docs/rules.md), the layers, the measured evidence and the advice."),
    new_code_cell("for f in trace.findings[:4]:\n"
                  "    print(f'{f.severity:8} {f.rule:16} {\", \".join(f.layers)}')\n"
                  "    print('   ', f.message)\n"
                  "    print('    advice:', f.advice)"),
    new_markdown_cell("## Apply the suggested rechunk\n\nThe first chunk edit of the findings names the layer whose chunks to change."),
    new_code_cell("edit = next((e for f in trace.findings for e in f.edits if 'chunks' in e), None)\n"
                  "source = trace.layer(edit['layer']) if edit else None\n"
                  "chunks = tuple(s if c == -1 else c for c, s in zip(edit['chunks'], source.shape)) if edit else (1000, 1000)\n"
                  "print('rechunk', source.id if source else 'source', 'to', chunks)\n"
                  "with chunkscope.dask.profile(name='advised chunks') as prof2:\n"
                  "    after = pipeline(chunks).compute()\n"
                  "trace2 = prof2.trace\n"
                  "trace2"),
    new_markdown_cell("## Comparison"),
    new_code_cell("def row(t):\n"
                  "    m = t.meta\n"
                  "    peak = t.to_dict()['memory']['peak_bytes']\n"
                  "    return f\"{m['pipeline']:16} {m['wall_ns']/1e6:9.1f} ms {t.task_count:7d} tasks  peak {peak/2**20:7.1f} MiB  \" \\\n"
                  "           f\"{sum(f.severity != 'info' for f in t.findings)} warnings\"\n"
                  "print(row(trace)); print(row(trace2))\n"
                  "import numpy as np; assert np.allclose(before.shape, after.shape)"),
]
nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dask_profile.ipynb")
nbformat.write(nb, out)
print(out)
