// Quoting untrusted input inside error messages: bounded length, control characters made visible.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kimp {

// `text` in double quotes for an error message, cut after 40 bytes (at a UTF-8 character boundary,
// marked "...") so a huge payload cannot flood a log, with quotes, backslashes and control characters
// escaped so the message stays on one line: quote_input("a\"b") is "\"a\\\"b\"".
std::string quote_input(std::string_view text);
// As above, cut after `max_bytes` instead (a log line that shows the head of a malformed frame).
std::string quote_input(std::string_view text, std::size_t max_bytes);

}  // namespace kimp
