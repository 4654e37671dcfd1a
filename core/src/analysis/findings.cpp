#include "chunkscope/core/analysis/findings.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "chunkscope/core/terminal_text.hpp"
#include "chunkscope/core/units.hpp"

namespace chunkscope {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Critical: return "critical";
    case Severity::Warning: return "warning";
    case Severity::Info: break;
  }
  return "info";
}

std::optional<Severity> parse_severity(std::string_view name) {
  if (name == "info") return Severity::Info;
  if (name == "warning") return Severity::Warning;
  if (name == "critical") return Severity::Critical;
  return std::nullopt;
}

Finding& Finding::add(std::string name, double value, std::string unit) {
  evidence.push_back({std::move(name), value, std::move(unit), ""});
  return *this;
}

Finding& Finding::add_text(std::string name, std::string text) {
  evidence.push_back({std::move(name), 0, "shape", std::move(text)});
  return *this;
}

const Evidence* Finding::find(std::string_view name) const {
  for (const auto& e : evidence)
    if (e.name == name) return &e;
  return nullptr;
}

void sort_findings(Findings& f) {
  std::stable_sort(f.begin(), f.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.stake_share != b.stake_share) return a.stake_share > b.stake_share;
    if (a.rule != b.rule) return a.rule < b.rule;
    return a.layers < b.layers;
  });
}

std::string format_evidence(const Evidence& e) {
  if (!e.text.empty()) return e.text;
  std::ostringstream o;
  if (e.unit == "ns") return format_duration_ns(e.value);
  if (e.unit == "B") return format_bytes(e.value);
  if (e.unit == "B/s") return format_bytes(e.value) + "/s";
  if (e.unit == "share") {
    const double p = 100 * e.value;
    o.precision(p < 10 ? 2 : 3);
    o << p << "%";
    return o.str();
  }
  if (e.unit == "ratio") {
    o.precision(e.value < 10 ? 2 : 3);
    o << e.value << "×";
    return o.str();
  }
  if (std::fabs(e.value - std::round(e.value)) < 1e-9 && std::fabs(e.value) < 1e15) {
    o << static_cast<long long>(std::llround(e.value));
    return o.str();
  }
  o.precision(4);
  o << e.value;
  return o.str();
}

nlohmann::json finding_to_json(const Finding& f) {
  nlohmann::json ev = nlohmann::json::array();
  for (const auto& e : f.evidence) {
    nlohmann::json j{{"name", e.name}, {"unit", e.unit}, {"text", format_evidence(e)}};
    if (e.unit == "shape")
      j["value"] = nullptr;
    else
      j["value"] = e.value;
    ev.push_back(std::move(j));
  }
  return {{"rule", f.rule},
          {"severity", std::string(severity_name(f.severity))},
          {"layers", f.layers},
          {"message", f.message},
          {"evidence", std::move(ev)},
          {"advice", f.advice},
          {"edits", f.edits},
          {"stake", {{"ns", f.stake_ns}, {"bytes", f.stake_bytes}, {"share", f.stake_share}}}};
}

nlohmann::json findings_to_json(const Findings& f) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& x : f) a.push_back(finding_to_json(x));
  return a;
}

Findings findings_from_json(const nlohmann::json& j) {
  if (!j.is_array()) throw std::runtime_error("findings: must be an array");
  Findings out;
  for (size_t i = 0; i < j.size(); ++i) {
    const nlohmann::json& x = j[i];
    const std::string at = "findings[" + std::to_string(i) + "]";
    if (!x.is_object()) throw std::runtime_error(at + ": must be an object");
    auto str = [&](const char* k) {
      if (!x.contains(k) || !x[k].is_string()) throw std::runtime_error(at + ": field \"" + k + "\" must be a string");
      return x[k].get<std::string>();
    };
    Finding f;
    f.rule = str("rule");
    const auto sev = parse_severity(str("severity"));
    if (!sev) throw std::runtime_error(at + ": field \"severity\" must be info, warning or critical");
    f.severity = *sev;
    f.message = str("message");
    f.advice = str("advice");
    if (x.contains("layers") && x["layers"].is_array())
      for (const auto& l : x["layers"])
        if (l.is_string()) f.layers.push_back(l.get<std::string>());
    if (x.contains("evidence") && x["evidence"].is_array())
      for (const auto& e : x["evidence"]) {
        if (!e.is_object()) continue;
        Evidence ev;
        ev.name = e.value("name", "");
        ev.unit = e.value("unit", "");
        if (e.contains("value") && e["value"].is_number()) ev.value = e["value"].get<double>();
        if (ev.unit == "shape") ev.text = e.value("text", "");
        f.evidence.push_back(std::move(ev));
      }
    if (x.contains("edits") && x["edits"].is_array())
      for (const auto& e : x["edits"]) f.edits.push_back(e);
    if (x.contains("stake") && x["stake"].is_object()) {
      const auto& st = x["stake"];
      if (st.contains("ns") && st["ns"].is_number()) f.stake_ns = st["ns"].get<double>();
      if (st.contains("bytes") && st["bytes"].is_number()) f.stake_bytes = st["bytes"].get<double>();
      if (st.contains("share") && st["share"].is_number()) f.stake_share = st["share"].get<double>();
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::string findings_text(const Findings& f, std::size_t max) {
  std::ostringstream o;
  const size_t n = max == 0 ? f.size() : std::min(max, f.size());
  for (size_t i = 0; i < n; ++i) {
    const Finding& x = f[i];
    o << (i ? "\n" : "") << severity_name(x.severity) << " [" << terminal_safe(x.rule) << "]";
    if (!x.layers.empty()) {
      o << " ";
      for (size_t k = 0; k < x.layers.size() && k < 6; ++k) o << (k ? ", " : "") << terminal_safe(x.layers[k]);
      if (x.layers.size() > 6) o << ", +" << x.layers.size() - 6 << " more";
    }
    o << "\n  " << terminal_safe(x.message) << "\n";
    if (!x.evidence.empty()) {
      o << "  evidence:";
      for (size_t k = 0; k < x.evidence.size(); ++k)
        o << (k ? "; " : " ") << terminal_safe(x.evidence[k].name) << " "
          << terminal_safe(format_evidence(x.evidence[k]));
      o << "\n";
    }
    if (!x.advice.empty()) o << "  advice: " << terminal_safe(x.advice) << "\n";
    for (const auto& e : x.edits)
      o << "  edit: " << terminal_safe(e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) << "\n";
  }
  if (n < f.size())
    o << "(" << f.size() - n << " more finding" << (f.size() - n == 1 ? "" : "s") << ": chunkscope report TRACE)\n";
  return o.str();
}

}  // namespace chunkscope
