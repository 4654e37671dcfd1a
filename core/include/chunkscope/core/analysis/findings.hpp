#pragma once
// Findings: what the analysis says about a run — the rule, how bad, which layers, the measured
// evidence, the advice and (where the advice is a pipeline change) the edit as JSON.
//
//   Findings f = analyze(trace);                 // analysis.hpp; sorted, most important first
//   std::cout << findings_text(f, 3);            // the top three, for a terminal
//   nlohmann::json j = findings_to_json(f);      // for `report --json`, viewers, notebooks
//
// Every rule and its evidence fields are documented in docs/rules.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace chunkscope {

/// How much a finding matters: info (a fact worth knowing), warning (costs noticeable time or
/// memory), critical (dominates the run).
enum class Severity : std::uint8_t { Info = 0, Warning = 1, Critical = 2 };
/// "info", "warning", "critical".
std::string_view severity_name(Severity s);
/// Parses a severity name; nullopt when unknown.
std::optional<Severity> parse_severity(std::string_view name);

/// One measured number. `unit` is one of: "ns" (duration), "B" (bytes), "B/s" (bandwidth),
/// "ratio" (a plain factor, shown as 3.2×), "share" (a fraction 0..1, shown as a percentage),
/// "count" (tasks, chunks, levels...), "shape" (a shape, in `text` only).
struct Evidence {
  std::string name;  ///< snake_case, stable (documented per rule in docs/rules.md)
  double value = 0;
  std::string unit;
  std::string text;  ///< for unit "shape" (and optional override): the value as text
};

/// One finding of one rule.
struct Finding {
  std::string rule;  ///< rule id ("tiny-chunks")
  Severity severity = Severity::Info;
  std::vector<std::string> layers;  ///< layer ids; the first is where the fix belongs
  std::string message;              ///< one sentence a scientist understands
  std::vector<Evidence> evidence;   ///< measured numbers with units
  std::string advice;               ///< what to change, concretely
  /// Pipeline edits, each {"layer": id, "chunks": [...]} or {"layer": id, "split_every": n}
  /// (chunk sizes per axis; -1 = the whole axis). Empty when the advice is not a pipeline edit.
  std::vector<nlohmann::json> edits;
  double stake_ns = 0;     ///< worker time at stake (what fixing it could save)
  double stake_bytes = 0;  ///< memory at stake
  double stake_share = 0;  ///< stake as a share of the run's worker time or peak memory (sort key)

  /// Appends a number; returns *this for chaining.
  Finding& add(std::string name, double value, std::string unit);
  /// Appends a shape or other textual fact.
  Finding& add_text(std::string name, std::string text);
  /// The evidence named `name`, or nullptr.
  const Evidence* find(std::string_view name) const;
};

using Findings = std::vector<Finding>;

/// Sorts by severity (critical first), then stake share, then rule id and layers (deterministic).
void sort_findings(Findings& f);
/// A number with its unit for people: "1.40 µs", "128 MiB", "3.2×", "45%", "16384".
std::string format_evidence(const Evidence& e);
/// {"rule", "severity", "layers", "message", "evidence": [{"name", "value", "unit", "text"}],
///  "advice", "edits", "stake": {"ns", "bytes", "share"}}.
nlohmann::json finding_to_json(const Finding& f);
/// An array of finding_to_json.
nlohmann::json findings_to_json(const Findings& f);
/// Reads what findings_to_json wrote (e.g. findings computed natively and sent to the browser,
/// so the page need not re-run the analysis). Throws std::runtime_error naming the field.
Findings findings_from_json(const nlohmann::json& j);
/// Terminal text: one block per finding (severity, rule, layers, message, evidence, advice, edit),
/// at most `max` findings (0 = all), with a line saying how many were left out. Layer ids and
/// other user strings are passed through terminal_safe (terminal_text.hpp).
std::string findings_text(const Findings& f, std::size_t max = 0);

}  // namespace chunkscope
