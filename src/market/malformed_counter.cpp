// MalformedCounter: per-kind counts and the once-per-kind warning.
#include "market/malformed_counter.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace kimp::market {

void MalformedCounter::record(std::string_view kind, const Error& error, std::string_view frame) {
  ++total_;
  const auto found =
      std::find_if(kinds_.begin(), kinds_.end(), [kind](const Kind& seen) { return seen.name == kind; });
  if (found != kinds_.end()) {
    ++found->count;
    return;
  }
  kinds_.push_back(Kind{std::string(kind), 1});
  log_.warn("malformed frame skipped; further ones of this kind are only counted",
            {{"kind", kind},
             {"error", error.describe()},
             {"bytes", frame.size()},
             {"frame", quote_input(frame, kLoggedFrameBytes)}});
}

std::uint64_t MalformedCounter::count(std::string_view kind) const {
  const auto found =
      std::find_if(kinds_.begin(), kinds_.end(), [kind](const Kind& seen) { return seen.name == kind; });
  return found == kinds_.end() ? 0 : found->count;
}

}  // namespace kimp::market
