// A small event bus, one per dashboard: panels announce what changed (a layer selected, the time
// window moved, the timeline redrawn) and the others follow, without knowing each other.
//   const bus = createBus(); const off = bus.on('select', (e) => …); bus.emit('select', {id, reveal});
// Handlers run synchronously, in the order they subscribed. A handler that throws does not stop the
// others; the first error is thrown again once all have run (so it still reaches the page's error
// reporting and the tests).

export function createBus() {
  const handlers = new Map();
  function on(name, fn) {
    if (!handlers.has(name)) handlers.set(name, []);
    handlers.get(name).push(fn);
    return () => {
      const a = handlers.get(name);
      const i = a.indexOf(fn);
      if (i >= 0) a.splice(i, 1);
    };
  }
  function emit(name, payload) {
    let first = null;
    for (const fn of (handlers.get(name) || []).slice()) {
      try { fn(payload); } catch (err) { if (!first) first = err; }
    }
    if (first) throw first;
  }
  return { on, emit };
}
