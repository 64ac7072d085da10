// Placeholders for exact numbers: a string with a control-character prefix no real text carries,
// which serialization turns into the bare digits.
#include "sim/server/exact_json.hpp"

#include <string_view>

#include <boost/json/serialize.hpp>

namespace kimp::sim {
namespace {

constexpr char kMarker = '\x01';
// How Boost.JSON writes a string that starts with the marker.
constexpr std::string_view kSerializedMarker = "\"\\u0001";

}  // namespace

boost::json::value exact_number(Decimal value) {
  return boost::json::string(kMarker + value.to_string());
}

std::string serialize_exact(const boost::json::value& value) {
  const std::string text = boost::json::serialize(value);
  std::string out;
  out.reserve(text.size());
  std::size_t from = 0;
  for (auto at = text.find(kSerializedMarker); at != std::string::npos;
       at = text.find(kSerializedMarker, from)) {
    const auto digits = at + kSerializedMarker.size();
    const auto end = text.find_first_not_of("-0123456789.", digits);
    // Only a placeholder is digits up to its closing quote; any other text that happens to start with
    // the marker (client input echoed back) stays a string.
    if (end == digits || end == std::string::npos || text[end] != '"') {
      out.append(text, from, digits - from);
      from = digits;
      continue;
    }
    out.append(text, from, at - from);
    out.append(text, digits, end - digits);
    from = end + 1;
  }
  out.append(text, from, std::string::npos);
  return out;
}

}  // namespace kimp::sim
