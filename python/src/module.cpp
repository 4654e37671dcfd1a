// chunkscope._chunkscope: the native half of the Python package. Thin: every function converts its
// arguments, calls core / exec / web, and turns chunkscope's one-line errors into InputError
// (a ValueError). Layers and findings cross as JSON text; python/chunkscope/ makes objects of them.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/analysis/layer_advice.hpp"
#include "chunkscope/core/compare.hpp"
#include "chunkscope/core/describe.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/core/trace_summary.hpp"
#include "chunkscope/exec/cpu_executor.hpp"
#include "chunkscope/exec/file_util.hpp"
#include "chunkscope/exec/output_paths.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "chunkscope/exec/random_fill.hpp"
#include "chunkscope/exec/recorder.hpp"
#include "chunkscope/exec/resource_sampler.hpp"
#include "chunkscope/web/compare_export.hpp"
#include "chunkscope/web/html_export.hpp"
#include "dask_columns.hpp"

namespace py = pybind11;

// Where web/ lacks notebook_fragment(Trace, Findings, assets_dir, source, include_bundle), this
// weaker overload (any arguments, through a converting constructor) is chosen and returns "": the
// Python side then shows web::static_report. When the real function exists, overload resolution
// picks it (exact matches beat user-defined conversions).
namespace chunkscope::web {
struct NotebookFragmentMissing {
  template <class T>
  NotebookFragmentMissing(const T&) {}  // NOLINT: implicit on purpose
};
inline std::string notebook_fragment(NotebookFragmentMissing, NotebookFragmentMissing, NotebookFragmentMissing,
                                     NotebookFragmentMissing, NotebookFragmentMissing) {
  return {};
}
}  // namespace chunkscope::web

namespace chunkscope::python {
namespace {

/// A trace and, computed on first use, its findings.
class PyTrace {
 public:
  explicit PyTrace(Trace t) : trace_(std::move(t)) {}
  const Trace& trace() const { return trace_; }
  /// The overhead of the last findings() call (what the displays use).
  double overhead_ns() const { return findings_overhead_; }
  /// Findings with the given overhead (0 = measured / the engine's fallback); cached per overhead.
  const Findings& findings(double overhead_ns) {
    if (!findings_ || overhead_ns != findings_overhead_) {
      AnalysisOptions o;
      o.task_overhead_ns = overhead_ns;
      findings_ = analyze(trace_, o);
      findings_overhead_ = overhead_ns;
    }
    return *findings_;
  }

 private:
  Trace trace_;
  std::optional<Findings> findings_;
  double findings_overhead_ = 0;
};

Trace unwrap(Result<Trace> r) {
  if (!r) throw InputError(r.error());
  return std::move(r).value();
}

/// A Python document (dicts, lists, tuples, str, int, float, bool, None) as JSON, read straight from
/// the objects: how the Dask capture hands its trace to core without writing and parsing JSON text
/// (about 2x faster for the columns of a 38,000-task run). Keys as json.dumps writes them (str; int
/// and bool keys as text); any other value raises TypeError, as json.dumps would.
nlohmann::json py_to_json(PyObject* o, int depth) {
  if (depth > 256) throw InputError("the document nests more than 256 levels deep");
  if (o == Py_None) return nullptr;
  if (PyBool_Check(o)) return o == Py_True;
  if (PyLong_Check(o)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow == 0) {
      if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
      return v;
    }
    if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(o);
      if (!PyErr_Occurred()) return u;
      PyErr_Clear();
    }
    throw InputError("an integer of the document does not fit in 64 bits");
  }
  if (PyFloat_Check(o)) return PyFloat_AS_DOUBLE(o);
  if (PyUnicode_Check(o)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(o, &n);
    if (s == nullptr) throw py::error_already_set();
    return std::string(s, static_cast<size_t>(n));
  }
  if (PyList_Check(o) || PyTuple_Check(o)) {
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    PyObject** items = PySequence_Fast_ITEMS(o);
    nlohmann::json a = nlohmann::json::array();
    auto& v = a.get_ref<nlohmann::json::array_t&>();
    v.reserve(static_cast<size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) v.push_back(py_to_json(items[i], depth + 1));
    return a;
  }
  if (PyDict_Check(o)) {
    nlohmann::json d = nlohmann::json::object();
    PyObject *k = nullptr, *v = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(o, &pos, &k, &v)) {
      std::string key;
      if (PyUnicode_Check(k)) {
        Py_ssize_t n = 0;
        const char* s = PyUnicode_AsUTF8AndSize(k, &n);
        if (s == nullptr) throw py::error_already_set();
        key.assign(s, static_cast<size_t>(n));
      } else if (PyBool_Check(k)) {
        key = k == Py_True ? "true" : "false";
      } else if (PyLong_Check(k)) {
        key = py::str(k).cast<std::string>();
      } else {
        throw py::type_error("keys must be str, int or bool, not " + std::string(Py_TYPE(k)->tp_name));
      }
      d[std::move(key)] = py_to_json(v, depth + 1);
    }
    return d;
  }
  throw py::type_error("Object of type " + std::string(Py_TYPE(o)->tp_name) + " is not JSON serializable");
}

std::shared_ptr<PyTrace> load(const std::string& path) {
  std::string bytes = read_file(path);  // throws InputError naming the path
  return std::make_shared<PyTrace>(unwrap(read_trace_bytes(bytes, path)));
}

/// Runs a pipeline (file path, or JSON text with its name and base folder) on the CPU executor.
py::tuple run(const std::string& path, const std::string& text, const std::string& source, const std::string& base_dir,
              int threads, std::int64_t memory_limit) {
  Result<Graph> g = Result<Graph>::failure("");
  if (!path.empty()) {
    g = load_pipeline(path);
  } else {
    PipelineOptions po;
    po.probe_source = probe_source_file;
    g = parse_pipeline_text(text, source, base_dir, po);
  }
  if (!g) throw InputError(g.error());
  if (!path.empty())
    check_run_paths(*g, {.pipeline = path});  // no output may replace the pipeline (the executor checks the rest)
  CpuExecutor ex;
  Recorder rec(CHUNKSCOPE_VERSION);
  std::atomic<bool> cancel{false};
  RunOptions o;
  o.threads = threads;
  o.memory_limit = memory_limit;
  o.observer = &rec;
  o.cancel = &cancel;
  // The run goes on in a thread of its own, without the GIL; this (calling) thread checks for
  // Python signals every 50 ms. Ctrl-C raises KeyboardInterrupt in PyErr_CheckSignals: the run is
  // cancelled (kernels stop at their next row or block, sinks remove their temporaries), and
  // once it has stopped the KeyboardInterrupt propagates.
  RunResult r;
  std::exception_ptr error;
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false, interrupted = false;
  std::thread worker([&] {
    try {
      r = ex.run(*g, o);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lk(mu);
    finished = true;
    cv.notify_all();
  });
  while (true) {
    {
      py::gil_scoped_release release;
      std::unique_lock<std::mutex> lk(mu);
      if (cv.wait_for(lk, std::chrono::milliseconds(interrupted ? 1000 : 50), [&] { return finished; })) break;
    }
    if (!interrupted && PyErr_CheckSignals() != 0) {
      interrupted = true;
      cancel.store(true);
    }
  }
  {
    py::gil_scoped_release release;
    worker.join();
  }
  if (interrupted) throw py::error_already_set();  // the KeyboardInterrupt (or what the handler raised)
  if (error) std::rethrow_exception(error);
  return py::make_tuple(std::make_shared<PyTrace>(rec.trace()), run_status_name(r.status), r.error);
}

/// A pipeline (file path, or JSON text with its name and base folder) as `describe --json` gives it:
/// the layers after chunk unification, push-down and the output sinks (to_dask builds on it).
std::string describe_pipeline(const std::string& path, const std::string& text, const std::string& source,
                              const std::string& base_dir) {
  Result<Graph> g = Result<Graph>::failure("");
  if (!path.empty()) {
    g = load_pipeline(path);
  } else {
    PipelineOptions po;
    po.probe_source = probe_source_file;
    g = parse_pipeline_text(text, source, base_dir, po);
  }
  if (!g) throw InputError(g.error());
  return describe_json(*g).dump();
}

/// A block of the `random` source, filled by exec's kernel (fill_random): element i of the C-order
/// block of shape `extent` holds the value of global index base + sum(i[a] * index_stride[a]).
py::array random_block(std::uint64_t seed, const std::string& dtype, std::int64_t base,
                       const std::vector<std::int64_t>& extent, const std::vector<std::int64_t>& index_stride) {
  const auto t = parse_dtype(dtype);
  if (!t || (*t != DType::Float32 && *t != DType::Float64))
    throw InputError("random_block: dtype must be float32 or float64");
  if (extent.size() != index_stride.size()) throw InputError("random_block: extent and index_stride differ in length");
  for (const auto e : extent)
    if (e < 0) throw InputError("random_block: negative extent");
  std::vector<py::ssize_t> shape(extent.begin(), extent.end());
  py::array out =
      *t == DType::Float32 ? py::array(py::dtype::of<float>(), shape) : py::array(py::dtype::of<double>(), shape);
  auto* data = static_cast<std::byte*>(out.mutable_data());
  {
    py::gil_scoped_release release;
    fill_random(*t, seed, base, extent, index_stride, data);
  }
  return out;
}

}  // namespace
}  // namespace chunkscope::python

PYBIND11_MODULE(_chunkscope, m) {
  using namespace chunkscope;
  using chunkscope::python::PyTrace;
  m.doc() = "chunkscope native bindings (use the chunkscope package, not this module)";
  m.attr("__version__") = CHUNKSCOPE_VERSION;
  static py::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      input_error(e.what());
    }
  });

  py::class_<PyTrace, std::shared_ptr<PyTrace>>(m, "NativeTrace")
      .def_static("load", &python::load, py::arg("path"), "Reads a trace file (JSON, CBOR or compact).")
      .def_static(
          "from_bytes",
          [](py::bytes data, const std::string& name) {
            std::string bytes = data;
            return std::make_shared<PyTrace>(python::unwrap(read_trace_bytes(bytes, name)));
          },
          py::arg("data"), py::arg("name"), "Validates and parses trace bytes (JSON text, CBOR or compact).")
      .def_static(
          "from_document",
          [](const py::dict& doc, const std::string& name) {
            const nlohmann::json d = python::py_to_json(doc.ptr(), 0);
            return std::make_shared<PyTrace>(python::unwrap(trace_from_json(d, name)));
          },
          py::arg("doc"), py::arg("name"),
          "Validates a trace document given as Python objects (what json.loads gives) with no JSON text in between.")
      .def("to_json", [](const PyTrace& t) { return write_trace_json(t.trace()); })
      .def("to_cbor", [](const PyTrace& t) { return py::bytes(write_trace_cbor(t.trace())); })
      .def(
          "save",
          [](const PyTrace& t, const std::string& path) {
            const std::string bytes = is_cbor_path(path) ? write_trace_cbor(t.trace()) : write_trace_json(t.trace());
            try {
              write_file_atomic(path, bytes);
            } catch (const std::exception& e) {
              throw InputError(e.what());
            }
          },
          py::arg("path"))
      .def("layers_json", [](const PyTrace& t) { return trace_to_json(t.trace())["layers"].dump(); })
      .def("meta_json", [](const PyTrace& t) { return trace_to_json(t.trace())["meta"].dump(); })
      .def("task_count", [](const PyTrace& t) { return t.trace().tasks.size(); })
      .def("tasks_json", [](const PyTrace& t) { return trace_to_json(t.trace())["tasks"].dump(); })
      .def(
          "layer_summaries_json",
          [](const PyTrace& t) {
            nlohmann::json out = nlohmann::json::array();
            for (const LayerSummary& l : summarize(t.trace()).layers)
              out.push_back({{"layer", l.layer},
                             {"tasks", l.tasks},
                             {"done", l.done},
                             {"failed", l.failed},
                             {"cancelled", l.cancelled},
                             {"busy_ns", l.busy_ns},
                             {"first_start_ns", l.first_start_ns},
                             {"last_end_ns", l.last_end_ns},
                             {"critical_ns", l.critical_ns},
                             {"output_bytes", l.output_bytes},
                             {"peak_live_bytes", l.peak_live_bytes},
                             {"max_task_ns", l.max_task_ns},
                             {"median_task_ns", l.median_task_ns},
                             {"in_chunk_shape", l.in_chunk_shape},
                             {"out_chunk_shape", l.out_chunk_shape},
                             {"max_fan_in", l.max_fan_in}});
            return out.dump();
          },
          "The per-layer numbers of `chunkscope report` (core::summarize), as JSON.")
      .def(
          "findings_json",
          [](PyTrace& t, double overhead_ns) { return findings_to_json(t.findings(overhead_ns)).dump(); },
          py::arg("task_overhead_ns") = 0.0)
      .def(
          "task_overhead_ns",
          [](const PyTrace& t, double overhead_ns) {
            AnalysisOptions o;
            o.task_overhead_ns = overhead_ns;
            return task_overhead_ns(t.trace(), o);
          },
          py::arg("task_overhead_ns") = 0.0)
      .def(
          "layer_chunk_edit",
          [](const PyTrace& t, const std::string& layer) { return layer_chunk_edit(t.trace(), layer).dump(); },
          py::arg("layer"),
          "The chunk advisor's edit for a layer's chunks (core layer_chunk_edit), as JSON; null when none.")
      .def(
          "report",
          [](PyTrace& t, double overhead_ns) {
            const Findings& f = t.findings(overhead_ns);
            return summary_table(t.trace(), summarize(t.trace())) + "\nfindings (" + std::to_string(f.size()) +
                   "; docs/rules.md explains each rule):\n" + findings_text(f);
          },
          py::arg("task_overhead_ns") = 0.0)
      .def(
          "html",
          [](PyTrace& t, const std::string& assets_dir, const std::string& source) {
            return web::trace_to_html(t.trace(), t.findings(t.overhead_ns()), assets_dir, source);
          },
          py::arg("assets_dir"), py::arg("source"))
      .def(
          "static_report",
          [](PyTrace& t, const std::string& source, const std::string& note) {
            return web::static_report(t.trace(), t.findings(t.overhead_ns()), source, note);
          },
          py::arg("source"), py::arg("note") = std::string())
      .def(
          "static_page",
          [](PyTrace& t, const std::string& source, const std::string& why) {
            return web::static_page(t.trace(), t.findings(t.overhead_ns()), source, why);
          },
          py::arg("source"), py::arg("why"), "A whole page with the static report alone, `why` at the top.")
      .def(
          "notebook_fragment",
          [](PyTrace& t, const std::string& assets_dir, const std::string& source, bool include_bundle) {
            return web::notebook_fragment(t.trace(), t.findings(t.overhead_ns()), assets_dir, source, include_bundle);
          },
          py::arg("assets_dir"), py::arg("source"), py::arg("include_bundle"),
          "The notebook fragment (with the ~2 MB bundle when include_bundle), or \"\" when this build's web/ has "
          "none.");

  // Issue 20 item 2: exec's /proc sampler for the Dask capture's own process: a C++ thread that never
  // takes the GIL (chunkscope/dask/resources.py). Times are time.perf_counter_ns() values (both are
  // CLOCK_MONOTONIC on Linux).
  py::class_<ResourceSampler>(m, "ResourceSampler")
      .def(py::init<std::int64_t>(), py::arg("interval_ns"), "Samples RSS and CPU% every interval_ns once started.")
      .def_static("available", &ResourceSampler::available, "Whether /proc/self/statm can be read.")
      .def(
          "start", [](ResourceSampler& s) { return s.start(ResourceSampler::Clock::time_point{}); },
          "Starts the thread; False where nothing can be sampled.")
      .def(
          "stop",
          [](ResourceSampler& s) {
            py::gil_scoped_release release;
            s.stop();
          },
          "Takes a last sample and joins the thread.")
      .def("interval_ns", &ResourceSampler::interval_ns, "The interval now (doubles when the samples are capped).")
      .def(
          "samples",
          [](const ResourceSampler& s) {
            const ResourceSeries r = s.series();
            return py::make_tuple(r.t_ns, r.rss_bytes, r.cpu_percent, r.cores);
          },
          "(t_ns, rss_bytes, cpu_percent, cores): cpu_percent[i] is over the interval before t_ns[i].");

  // Issue 20: comparing two runs and the Chrome trace-event export.
  m.def(
      "compare_json",
      [](const PyTrace& a, const PyTrace& b) {
        return comparison_to_json(compare_traces(a.trace(), b.trace())).dump();
      },
      py::arg("before"), py::arg("after"), "core::compare_traces as JSON (the fields of `chunkscope diff --json`).");
  m.def(
      "compare_table",
      [](const PyTrace& a, const PyTrace& b) { return comparison_table(compare_traces(a.trace(), b.trace())); },
      py::arg("before"), py::arg("after"), "The table of `chunkscope diff`.");
  // The compare page and its notebook display (web/compare_export.hpp); `assets_dir` "" = the static
  // comparison alone, saying why (`why`: what is missing).
  m.def(
      "compare_html",
      [](const PyTrace& a, const PyTrace& b, const std::string& source_a, const std::string& source_b,
         const std::string& assets_dir, const std::string& why, bool fragment, bool include_bundle) {
        const TraceComparison c = compare_traces(a.trace(), b.trace());
        const web::ComparePair p{a.trace(), b.trace(), c, source_a, source_b};
        const std::string note = web::compare_fallback_note(why);
        if (assets_dir.empty())
          return fragment ? web::compare_static_report(p, note) : web::compare_static_page(p, note);
        return fragment ? web::compare_fragment(p, assets_dir, include_bundle) : web::compare_to_html(p, assets_dir);
      },
      py::arg("before"), py::arg("after"), py::arg("source_before"), py::arg("source_after"), py::arg("assets_dir"),
      py::arg("why"), py::arg("fragment"), py::arg("include_bundle"),
      "The compare page (fragment=False) or its notebook fragment; the static comparison when assets_dir is \"\".");
  m.def(
      "chrome_json", [](const PyTrace& t) { return trace_to_chrome(t.trace()).dump(); }, py::arg("trace"),
      "The Chrome trace-event JSON text of `chunkscope export --format chrome`.");
  m.def("run", &python::run, py::arg("path"), py::arg("text"), py::arg("source"), py::arg("base_dir"),
        py::arg("threads"), py::arg("memory_limit"), "Runs a pipeline; returns (trace, status, error).");
  m.def("describe_pipeline", &python::describe_pipeline, py::arg("path"), py::arg("text"), py::arg("source"),
        py::arg("base_dir"),
        "`chunkscope describe --json` of a pipeline (a file, or JSON text with its name and base folder).");
  m.def("random_block", &python::random_block, py::arg("seed"), py::arg("dtype"), py::arg("base"), py::arg("extent"),
        py::arg("index_stride"), "A block of the `random` source, filled by exec's kernel (docs/pipeline-format.md).");
  m.def("dask_task_columns", &python::dask_task_columns, py::arg("tasks"), py::arg("geometry"), py::arg("layer_count"),
        py::arg("aliases"), py::arg("dependencies"),
        "The task columns of a Dask capture's trace document (python/src/dask_columns.hpp).");
  m.def("html_escape", [](const std::string& s) { return web::html_escape(s); });
  m.def(
      "find_web_assets", [](const std::string& exe) { return web::find_web_assets(exe); }, py::arg("exe_path"));
  m.def("fallback_note", &web::fallback_note, py::arg("missing"),
        "The line a static report shows when the dashboard files are missing.");
}
