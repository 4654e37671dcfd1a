// The per-task pass of the Dask capture's document, natively (see dask_columns.hpp). Everything here
// goes through the CPython API on borrowed references of the caller's objects; the only Python
// objects made per task are the task-number ints of the key -> task map and the output lists.
#include "dask_columns.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace chunkscope::python {
namespace {

// A task's key is hashed once: the same hash finds its dependencies, enters it in the key -> task map
// and looks up each dependency (a tuple key's hash is not cached by Python; hashing it again for each
// look-up was a quarter of this pass). CPython's known-hash calls are private; before 3.13 they are
// exported, elsewhere the public calls (which hash again) are used.
#if PY_VERSION_HEX < 0x030D0000
PyObject* dict_get(PyObject* d, PyObject* k, Py_hash_t h) { return _PyDict_GetItem_KnownHash(d, k, h); }
int dict_set(PyObject* d, PyObject* k, PyObject* v, Py_hash_t h) { return _PyDict_SetItem_KnownHash(d, k, v, h); }
/// The next element of a set with its stored hash (no hashing); false at the end.
bool set_next(PyObject* s, Py_ssize_t* pos, PyObject** k, Py_hash_t* h) { return _PySet_NextEntry(s, pos, k, h) != 0; }
constexpr bool kSetEntries = true;
#else
PyObject* dict_get(PyObject* d, PyObject* k, Py_hash_t) { return PyDict_GetItemWithError(d, k); }
int dict_set(PyObject* d, PyObject* k, PyObject* v, Py_hash_t) { return PyDict_SetItem(d, k, v); }
bool set_next(PyObject*, Py_ssize_t*, PyObject**, Py_hash_t*) { return false; }
constexpr bool kSetEntries = false;
#endif

/// int(o) for a time or a byte count: ints as they are, floats truncated, anything else through
/// int(); None is `none_as`. Raises ValueError on a value beyond 64 bits or a float that is not finite.
long long as_int(PyObject* o, const char* field, long long none_as = 0) {
  if (o == Py_None) return none_as;
  if (PyLong_CheckExact(o)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    if (overflow != 0) throw py::value_error(std::string("a task's ") + field + " does not fit in 64 bits");
    return v;
  }
  if (PyFloat_Check(o)) {
    const double d = PyFloat_AS_DOUBLE(o);
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18)
      throw py::value_error(std::string("a task's ") + field + " is not a finite 64-bit number");
    return static_cast<long long>(d);  // truncation toward zero, as int() does
  }
  py::object v = py::reinterpret_steal<py::object>(PyNumber_Long(o));
  if (!v) throw py::error_already_set();
  return as_int(v.ptr(), field, none_as);
}

/// A layer's chunk grid and the chunks that already have their stage-0 task (a bit per chunk for
/// grids of up to 2^24 chunks, else a set).
struct Grid {
  long long index = 0;
  std::vector<long long> nchunks;
  bool scalar = false;
  std::vector<bool> seen_bits;
  std::unordered_set<long long> seen_set;
  bool small = false;
  /// Marks chunk `flat` seen; false when it already was.
  bool first(long long flat) {
    if (!small) return seen_set.insert(flat).second;
    if (seen_bits.empty()) {
      long long total = 1;
      for (const long long n : nchunks) total *= n;
      seen_bits.assign(static_cast<size_t>(std::max(total, 1LL)), false);
    }
    if (seen_bits[static_cast<size_t>(flat)]) return false;
    seen_bits[static_cast<size_t>(flat)] = true;
    return true;
  }
};

/// The flat (row-major) index of chunk `idx` in `nchunks`, or -1 when `idx` is not a tuple of as many
/// ints (exactly int, as Dask's keys hold) as there are axes, each inside the grid.
long long flat_index(PyObject* idx, const std::vector<long long>& nchunks) {
  if (!PyTuple_Check(idx) || PyTuple_GET_SIZE(idx) != static_cast<Py_ssize_t>(nchunks.size())) return -1;
  long long flat = 0;
  for (size_t a = 0; a < nchunks.size(); ++a) {
    PyObject* i = PyTuple_GET_ITEM(idx, static_cast<Py_ssize_t>(a));
    if (!PyLong_CheckExact(i)) return -1;
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(i, &overflow);
    if (overflow != 0 || v < 0 || v >= nchunks[a]) {
      PyErr_Clear();
      return -1;
    }
    flat = flat * nchunks[a] + v;
  }
  return flat;
}

py::list int_list(const std::vector<long long>& v) {
  py::list out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    PyObject* n = PyLong_FromLongLong(v[i]);
    if (n == nullptr) throw py::error_already_set();
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), n);  // steals n
  }
  return out;
}

/// dependencies.get(key) as a new reference (None when absent); `hash`: the key's.
py::object deps_of(const py::object& dependencies, PyObject* key, Py_hash_t hash) {
  if (dependencies.is_none()) return py::none();
  if (PyDict_CheckExact(dependencies.ptr())) {
    PyObject* d = dict_get(dependencies.ptr(), key, hash);
    if (d == nullptr) {
      if (PyErr_Occurred()) throw py::error_already_set();
      return py::none();
    }
    return py::reinterpret_borrow<py::object>(d);
  }
  return dependencies.attr("get")(py::handle(key));
}

bool contains(const py::object& set, PyObject* key) {
  const int hit = PySet_Check(set.ptr()) || PyFrozenSet_Check(set.ptr()) ? PySet_Contains(set.ptr(), key)
                                                                         : PySequence_Contains(set.ptr(), key);
  if (hit < 0) throw py::error_already_set();
  return hit == 1;
}

}  // namespace

py::dict dask_task_columns(const py::list& tasks, const py::dict& geometry, int layer_count, const py::object& aliases,
                           const py::object& dependencies) {
  if (layer_count < 0) throw py::value_error("layer_count must not be negative");
  // The layers' grids, by layer name.
  std::vector<Grid> grids;
  py::dict grid_of;  // layer name -> position in grids
  for (auto item : geometry) {
    const py::tuple g = py::reinterpret_borrow<py::tuple>(item.second);
    if (g.size() != 3) throw py::type_error("geometry values are (layer index, chunks per axis, scalar)");
    Grid grid;
    grid.index = g[0].cast<long long>();
    if (grid.index < 0 || grid.index >= layer_count) throw py::value_error("a layer index outside the layers");
    for (auto n : py::reinterpret_borrow<py::tuple>(g[1])) grid.nchunks.push_back(n.cast<long long>());
    grid.scalar = g[2].cast<bool>();
    long long total = 1;
    for (const long long c : grid.nchunks) {
      if (c < 0) throw py::value_error("a layer's chunks per axis must not be negative");
      total = c != 0 && total > (1LL << 24) / c ? (1LL << 25) : total * c;
    }
    grid.small = total <= (1LL << 24);
    grid_of[item.first] = py::int_(grids.size());
    grids.push_back(std::move(grid));
  }
  const bool any_aliases = !aliases.is_none() && PyObject_IsTrue(aliases.ptr()) == 1;

  const size_t n = tasks.size();
  std::vector<long long> layer(n), stage(n), chunk(n), worker(n), start(n), end(n), bytes(n), status(n);
  std::vector<long long> dep_offsets(n + 1, 0), dep_index, edge_end;
  std::vector<long long> stage_counter(static_cast<size_t>(layer_count), 0),
      layer_tasks(static_cast<size_t>(layer_count), 0);
  std::vector<long long> alias_order;  // layers with alias tasks, in order of the first
  std::vector<std::vector<std::pair<long long, long long>>> alias_pairs(static_cast<size_t>(layer_count));
  py::dict task_id;  // key -> task number
  py::dict lanes;    // worker -> lane
  py::list workers;  // worker by lane
  long long first_failed = -1;
  PyObject* last_layer = nullptr;
  Grid* g = nullptr;

  for (size_t t = 0; t < n; ++t) {
    PyObject* row = PyList_GET_ITEM(tasks.ptr(), static_cast<Py_ssize_t>(t));
    if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != 9)
      throw py::type_error("tasks are (key, layer, index, start_ns, end_ns, worker, bytes, is_output, status)");
    PyObject* key = PyTuple_GET_ITEM(row, 0);
    PyObject* lname = PyTuple_GET_ITEM(row, 1);
    if (lname != last_layer) {
      PyObject* pos = PyDict_GetItemWithError(grid_of.ptr(), lname);
      if (pos == nullptr) {
        if (PyErr_Occurred()) throw py::error_already_set();
        throw py::value_error("task " + std::to_string(t) + ": its layer " + py::str(lname).cast<std::string>() +
                              " is not in the geometry");
      }
      g = &grids[PyLong_AsSize_t(pos)];
      last_layer = lname;
    }
    const long long li = g->index;
    long long st = 1, ch = 0;
    if (PyObject_IsTrue(PyTuple_GET_ITEM(row, 7)) == 1) {  // an output key of its layer
      const long long flat = flat_index(PyTuple_GET_ITEM(row, 2), g->nchunks);
      if (flat >= 0 && g->first(flat)) st = 0, ch = flat;
    }
    if (st != 0 && g->scalar && g->first(0)) st = 0, ch = 0;
    if (st != 0) ch = stage_counter[static_cast<size_t>(li)]++;
    if (any_aliases && contains(aliases, key)) {
      auto& pairs = alias_pairs[static_cast<size_t>(li)];
      if (pairs.empty()) alias_order.push_back(li);
      pairs.emplace_back(st, ch);
    }
    PyObject* w = PyTuple_GET_ITEM(row, 5);
    long long lane = 0;
    if (!(w == Py_None && PyDict_GET_SIZE(lanes.ptr()) > 0)) {  // an unknown thread after the first: lane 0
      PyObject* hit = PyDict_GetItemWithError(lanes.ptr(), w);
      if (hit != nullptr) {
        lane = PyLong_AsLongLong(hit);
      } else {
        if (PyErr_Occurred()) throw py::error_already_set();
        lane = static_cast<long long>(PyDict_GET_SIZE(lanes.ptr()));
        lanes[py::handle(w)] = py::int_(lane);
        workers.append(py::handle(w));
      }
    }
    long long s = as_int(PyTuple_GET_ITEM(row, 3), "start_ns");
    long long e = as_int(PyTuple_GET_ITEM(row, 4), "end_ns");
    long long b = as_int(PyTuple_GET_ITEM(row, 6), "bytes");
    if (s < 0) s = 0;
    if (e < s) e = s;
    if (b < 0) b = 0;
    const long long code = as_int(PyTuple_GET_ITEM(row, 8), "status");
    layer[t] = li, stage[t] = st, chunk[t] = ch, worker[t] = lane, start[t] = s, end[t] = e, bytes[t] = b;
    status[t] = code;
    ++layer_tasks[static_cast<size_t>(li)];
    if (code == 2 && first_failed < 0) first_failed = static_cast<long long>(t);
    const Py_hash_t hash = PyObject_Hash(key);
    if (hash == -1) throw py::error_already_set();
    py::object tid = py::reinterpret_steal<py::object>(PyLong_FromSize_t(t));
    if (!tid || dict_set(task_id.ptr(), key, tid.ptr(), hash) != 0) throw py::error_already_set();
    const py::object deps = deps_of(dependencies, key, hash);
    const auto edge = [&](PyObject* d, Py_hash_t h) {
      PyObject* j = dict_get(task_id.ptr(), d, h);
      if (j != nullptr) {
        dep_index.push_back(PyLong_AsLongLong(j));
        edge_end.push_back(e);
      } else if (PyErr_Occurred()) {
        throw py::error_already_set();
      }
    };
    if (kSetEntries && (PySet_CheckExact(deps.ptr()) || PyFrozenSet_CheckExact(deps.ptr()))) {
      Py_ssize_t pos = 0;
      PyObject* d = nullptr;
      Py_hash_t h = 0;
      while (set_next(deps.ptr(), &pos, &d, &h)) edge(d, h);  // borrowed d, its stored hash
    } else if (!deps.is_none() && PyObject_IsTrue(deps.ptr()) == 1) {
      py::object it = py::reinterpret_steal<py::object>(PyObject_GetIter(deps.ptr()));
      if (!it) throw py::error_already_set();
      while (PyObject* d = PyIter_Next(it.ptr())) {
        const py::object own = py::reinterpret_steal<py::object>(d);
        const Py_hash_t h = PyObject_Hash(d);
        if (h == -1) throw py::error_already_set();
        edge(d, h);
      }
      if (PyErr_Occurred()) throw py::error_already_set();
    }
    dep_offsets[t + 1] = static_cast<long long>(dep_index.size());
  }

  py::dict out;
  out["layer"] = int_list(layer);
  out["stage"] = int_list(stage);
  out["chunk"] = int_list(chunk);
  out["worker"] = int_list(worker);
  out["start_ns"] = int_list(start);
  out["end_ns"] = int_list(end);
  out["bytes"] = int_list(bytes);
  out["status"] = int_list(status);
  out["fused"] = int_list(std::vector<long long>(n, 0));
  out["dep_offsets"] = int_list(dep_offsets);
  out["dep_index"] = int_list(dep_index);
  out["edge_end"] = int_list(edge_end);
  out["workers"] = workers;
  py::dict alias_tasks;
  for (const long long li : alias_order) {
    py::list pairs;
    for (const auto& [st, ch] : alias_pairs[static_cast<size_t>(li)]) {
      py::list pair(2);
      pair[0] = py::int_(st);
      pair[1] = py::int_(ch);
      pairs.append(pair);
    }
    alias_tasks[py::int_(li)] = pairs;
  }
  out["alias_tasks"] = alias_tasks;
  out["layer_tasks"] = int_list(layer_tasks);
  out["first_failed"] = py::int_(first_failed);
  return out;
}

}  // namespace chunkscope::python
