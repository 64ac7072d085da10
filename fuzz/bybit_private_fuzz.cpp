// Fuzz target: Bybit private-stream frames (auth and subscribe acks, orders, executions, positions, wallet).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "venues/bybit/parse_private.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static kimp::venues::bybit::BybitPrivateParser parser;
  (void)parser.parse(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
