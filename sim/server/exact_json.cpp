// Placeholders for exact numbers: a string starting with a control character and a per-process random
// key that client text cannot know, which serialization turns into the bare digits.
#include "sim/server/exact_json.hpp"

#include <random>
#include <string_view>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

namespace kimp::sim {
namespace {

struct Marker {
  std::string raw;         // what the placeholder string starts with
  std::string serialized;  // how Boost.JSON writes that start, opening quote included
};

const Marker& marker() {
  static const Marker instance = [] {
    std::random_device device;
    const auto key = (static_cast<std::uint64_t>(device()) << 32U) | device();
    return Marker{fmt::format("\x01{:016x}#", key), fmt::format("\"\\u0001{:016x}#", key)};
  }();
  return instance;
}

}  // namespace

boost::json::value exact_number(Decimal value) {
  return boost::json::string(marker().raw + value.to_string());
}

std::string serialize_exact(const boost::json::value& value) {
  const std::string text = boost::json::serialize(value);
  const std::string_view serialized_marker = marker().serialized;
  std::string out;
  out.reserve(text.size());
  std::size_t from = 0;
  for (auto at = text.find(serialized_marker); at != std::string::npos;
       at = text.find(serialized_marker, from)) {
    // A placeholder holds only [-0-9.], so its closing quote is the next quote.
    const auto digits = at + serialized_marker.size();
    const auto close = text.find('"', digits);
    out.append(text, from, at - from);
    out.append(text, digits, close - digits);
    from = close + 1;
  }
  out.append(text, from, std::string::npos);
  return out;
}

}  // namespace kimp::sim
