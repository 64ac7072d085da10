// RateReporter: the console output of a benchmark run, keeping each benchmark's items per second so that
// main() can print ratios against the baseline measured in the same run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace kimp::bench {

class RateReporter final : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const auto items = run.counters.find("items_per_second");
      if (items != run.counters.end() && run.run_type == Run::RT_Iteration) {
        rates_[run.run_name.function_name] = items->second.value;
        rates_[run.benchmark_name()] = items->second.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Items per second of a benchmark by function name ("BM_X") or full name ("f/quiet"); 0 when it did
  // not run.
  [[nodiscard]] double rate(const std::string& name) const {
    const auto found = rates_.find(name);
    return found == rates_.end() ? 0.0 : found->second;
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace kimp::bench
