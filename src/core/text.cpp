// Quoting untrusted input inside error messages.
#include "core/text.hpp"

#include <cstddef>

#include <fmt/format.h>

namespace kimp {
namespace {

constexpr std::size_t kMaxQuotedBytes = 40;

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}

}  // namespace

std::string quote_input(std::string_view text) {
  return quote_input(text, kMaxQuotedBytes);
}

std::string quote_input(std::string_view text, std::size_t max_bytes) {
  std::size_t length = text.size();
  if (length > max_bytes) {
    length = max_bytes;
    while (length > 0 && is_utf8_continuation(text[length])) {
      --length;
    }
  }
  std::string quoted = "\"";
  for (const char c : text.substr(0, length)) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') {
      quoted += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      quoted += c;
    }
  }
  quoted += length < text.size() ? "...\"" : "\"";
  return quoted;
}

}  // namespace kimp
