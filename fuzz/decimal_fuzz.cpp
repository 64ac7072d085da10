// Fuzz target: Decimal::parse on arbitrary text; whatever parses must print back to a value that parses
// equal.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/decimal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = kimp::Decimal::parse(text);
  if (parsed) {
    const auto again = kimp::Decimal::parse(parsed->to_string());
    if (!again || *again != *parsed) {
      std::abort();
    }
  }
  return 0;
}
