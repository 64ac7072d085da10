// Fuzz target: the USD/KRW quote answer parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "venues/fx/dunamu.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)kimp::venues::fx::parse_dunamu_quote(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
