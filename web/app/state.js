// One dashboard's state: its WebAssembly session, the loaded trace's summary, the graph view (what is
// expanded, coloured by, selected, searched), the time window, the chunk grid's layer, and what the
// panels last drew (read by the tests and bench/dashboard through root.chunkscope.state). Each mounted
// dashboard makes its own; nothing here is page-wide.

export const LANE_X = 70;  // the least room for lane names; wider names widen it (timeline and memory stay aligned)

export function createState() {
  return {
    mod: null, session: null, summary: null,
    view: { expanded_groups: [], expanded_layers: [], color_by: 'time', selected: '', search: '' },
    scene: null, vb: null, vbFull: null,
    t0: 0, t1: 1, tEnd: 1,            // the time window shown by the timeline and memory charts; the run's end
    laneX: LANE_X, laneH: 18,         // the timeline's lane-name column and lane height (memory charts align to it)
    gridLayer: -1, gridFixed: [],     // the chunk grid's layer (index) and the fixed indices of hidden axes
    timeline: null, memory: null, brush: null, rangeSummary: null,
    timings: {},
  };
}

// The index of the layer with this id in the summary, or -1.
export function layerIndex(S, id) { return S.summary ? S.summary.layers.findIndex((l) => l.id === id) : -1; }

// The id of layer `i`.
export function layerId(S, i) { return S.summary.layers[i].id; }

// The group paths that hold a group path ("a/b" -> ["a", "a/b"]).
export function ancestors(path) {
  const out = [];
  const parts = (path || '').split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}
