// Structured logging on spdlog: human lines on a terminal or JSON lines, with secret redaction built in.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <fmt/format.h>
#include <spdlog/logger.h>

namespace kimp::log {

enum class Format : std::uint8_t {
  kHuman,  // "2026-11-22T04:25:25.123Z INFO  config  loaded path=config/demo.toml coins=5"
  kJson,   // {"ts":"2026-11-22T04:25:25.123Z","level":"info","component":"config","msg":"loaded","path":...}
};

// One key/value pair attached to a log line. Values are formatted with fmt; integers and booleans
// stay unquoted in JSON lines so log queries can compare them.
struct Field {
  template <class T>
  Field(std::string_view field_key, const T& field_value)  // NOLINT(google-explicit-constructor)
      : key(field_key),
        value(fmt::format("{}", field_value)),
        is_literal(std::is_integral_v<T> && !std::is_same_v<T, char>) {}
  std::string_view key;
  std::string value;
  bool is_literal;
};

using Fields = std::initializer_list<Field>;

// Routes every logger to `sink` (stderr when null) in `format` at `level`. Call once at start-up;
// may be called again (tests do) to redirect output.
void init(Format format, spdlog::level::level_enum level, spdlog::sink_ptr sink = nullptr);

// From now on, every occurrence of `secret` in any log line (message or field) is written as "***".
// Values shorter than 4 characters are ignored: redacting them would garble ordinary text.
void add_redaction(std::string_view secret);

// A named component's logger ("config", "upbit.rest", ...). Cheap to copy.
class Logger {
 public:
  explicit Logger(const std::string& component);

  void debug(std::string_view message, Fields fields = {}) const;
  void info(std::string_view message, Fields fields = {}) const;
  void warn(std::string_view message, Fields fields = {}) const;
  void error(std::string_view message, Fields fields = {}) const;

 private:
  void write(spdlog::level::level_enum level, std::string_view message, Fields fields) const;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace kimp::log
