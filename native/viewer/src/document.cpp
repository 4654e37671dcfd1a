#include "document.hpp"

#include <exception>
#include <fstream>
#include <sstream>
#include <utility>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/viz/dot.hpp"
#include "chunkscope/viz/layout.hpp"

namespace chunkscope::viewer {

namespace {

viz::Scene lay_out(const viz::VisibleGraph& g) { return viz::parse_layout(viz::layout_native(viz::to_dot(g)), g); }

}  // namespace

std::unique_ptr<Document> Document::open(const std::string& path) {
  std::unique_ptr<Document> d(new Document());
  d->path_ = path;
  try {
    auto t = std::chrono::steady_clock::now();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      d->error_ = path + ": cannot open the file";
      return d;
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    Result<Trace> trace = read_trace_bytes(bytes.str(), path);
    if (!trace) {
      d->error_ = trace.error();
      return d;
    }
    d->times_.read_ms = ms_since(t);
    t = std::chrono::steady_clock::now();
    d->model_ = std::make_unique<viz::Model>(std::move(trace).value(), Findings{});
    d->times_.model_ms = ms_since(t);
    d->colors_ = viz::timeline_colors(*d->model_);
    const TraceTasks& tasks = d->model_->trace().tasks;
    d->run_.assign(d->model_->layers().size(), NotRun);
    for (size_t l = 0; l < d->run_.size(); ++l)
      for (auto k : d->model_->layer_tasks(static_cast<int>(l))) {
        if (tasks.status[k] == static_cast<std::uint8_t>(TaskStatus::Failed)) {
          d->run_[l] = Failed;
          break;
        }
        if (tasks.status[k] == static_cast<std::uint8_t>(TaskStatus::Done)) d->run_[l] = Ran;
      }
    for (size_t l = 0; l < d->run_.size(); ++l)
      if (d->run_[l] == NotRun && !d->model_->layers()[l].fused_into.empty()) d->run_[l] = Fused;
    // The analysis (about as long as reading a big trace) runs in the background: the window shows
    // the trace at once and the findings, badges and outlines appear when it is done. It only reads
    // the trace, which nothing changes.
    d->analysis_ = std::async(std::launch::async, [m = d->model_.get(), times = &d->times_] {
      const auto t0 = std::chrono::steady_clock::now();
      Findings f = analyze(m->trace());
      times->analyze_ms = ms_since(t0);
      return f;
    });
    t = std::chrono::steady_clock::now();
    d->reset_window();
    d->relayout();
    d->times_.graph_ms = ms_since(t);
  } catch (const std::exception& e) {
    d->model_.reset();
    d->error_ = path + ": " + e.what();
  }
  return d;
}

std::string Document::name() const {
  auto slash = path_.find_last_of('/');
  return slash == std::string::npos ? path_ : path_.substr(slash + 1);
}

void Document::relayout() {
  if (!ok()) return;
  if (pending_.valid()) {  // one layout at a time; the newest state is laid out when it is done
    relayout_again_ = true;
    return;
  }
  pending_graph_ = viz::visible_graph(*model_, view);
  pending_ = std::async(std::launch::async, [g = pending_graph_] { return lay_out(g); });
}

bool Document::poll_layout() {
  if (!pending_.valid() || pending_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
  try {
    scene_ = pending_.get();
    graph_ = std::move(pending_graph_);
    layout_error_.clear();
  } catch (const std::exception& e) {
    layout_error_ = e.what();
    pending_ = {};
  }
  if (relayout_again_) {
    relayout_again_ = false;
    relayout();
  }
  mark_selected();
  return true;
}

bool Document::poll_findings() {
  if (!analysis_.valid() || analysis_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
  try {
    model_->set_findings(analysis_.get());
  } catch (const std::exception& e) {
    layout_error_ = std::string("analysis: ") + e.what();
    analysis_ = {};
    return false;
  }
  relayout();  // outlines and badges
  return true;
}

void Document::wait_findings() {
  if (!analysis_.valid()) return;
  analysis_.wait();
  poll_findings();
}

void Document::wait_layout(bool with_findings) {
  if (with_findings) wait_findings();
  while (pending_.valid()) {
    pending_.wait();
    poll_layout();
  }
}

void Document::recolor() {
  if (!ok() || !scene_) return;
  viz::VisibleGraph g = viz::visible_graph(*model_, view);
  if (g.nodes.size() != scene_->nodes.size()) return relayout();
  for (size_t i = 0; i < g.nodes.size(); ++i) scene_->nodes[i].fill = g.nodes[i].fill;
  graph_ = std::move(g);
}

void Document::mark_selected() {
  if (!scene_) return;
  for (auto& n : scene_->nodes)
    n.selected = n.kind == viz::VNode::Kind::Layer && selected_layer_ >= 0 && n.layer == selected_layer_;
}

void Document::select_layer(const std::string& id) {
  if (!ok()) return;
  int layer = model_->find_layer(id);
  if (layer < 0) return;
  auto before = view.expanded_groups;
  view.expand_to(*model_, id);
  view.selected = id;
  if (layer != selected_layer_) grid_fixed.clear();
  selected_layer_ = layer;
  if (view.expanded_groups != before) relayout();
  mark_selected();
  center_on = "l:" + id;
}

void Document::toggle_group(const std::string& path) {
  view.toggle_group(path);
  relayout();
}

void Document::toggle_layer(const std::string& id) {
  view.toggle_layer(id);
  fit_layer = view.expanded_layers.count(id) ? id : std::string();
  relayout();
}

std::string Document::run_text(int layer) const {
  switch (layer_run(layer)) {
    case Ran: return "";
    case Failed: return "FAILED";
    case NotRun: return "not run";
    case Fused: return "fused into " + model_->layers()[static_cast<size_t>(layer)].fused_into;
  }
  return "";
}

int Document::default_layer() const {
  if (!ok() || model_->layers().empty()) return -1;
  for (const auto& f : model_->findings())  // the first finding's layer that ran
    if (!f.layers.empty())
      if (int l = model_->find_layer(f.layers.front()); l >= 0 && model_->layers()[static_cast<size_t>(l)].busy_ns > 0)
        return l;
  int best = 0;
  for (const auto& s : model_->layers())
    if (s.busy_ns > model_->layers()[static_cast<size_t>(best)].busy_ns) best = s.layer;
  return best;
}

void Document::reset_window() {
  t0 = 0;
  t1 = axis_end();
}

std::int64_t Document::axis_end() const {
  if (axis_end_ns > 0) return axis_end_ns;
  return ok() ? std::max<std::int64_t>(model_->trace().meta.wall_ns, 1) : 1;
}

}  // namespace chunkscope::viewer
