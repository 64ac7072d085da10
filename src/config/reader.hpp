// Reading a parsed TOML document into Config through the schema, collecting every problem with its
// position instead of stopping at the first. Internal to kimp_config.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/problem.hpp"
#include "config/rules.hpp"
#include "config/schema.hpp"
#include "core/decimal.hpp"

namespace kimp::config::detail {

struct SourcePos {
  std::int32_t line = 1;
  std::int32_t column = 1;
};

// The problems found so far and where each key of the file is, for rules that span several keys.
class Context {
 public:
  // `text` must outlive the context: values are re-read from it.
  Context(std::string file, std::string_view text);

  void report(SourcePos where, std::string key_path, std::string message);
  // For a key whose parts (array elements) were reported: rules spanning it should stay quiet.
  void mark_failed(const std::string& key_path);
  void remember(const std::string& key_path, SourcePos where);

  [[nodiscard]] bool present(std::string_view key_path) const;
  // True when a problem was reported for this key or for a table enclosing it (one that is missing
  // or is not a table), so rules reading it should stay quiet rather than judge a default.
  [[nodiscard]] bool failed(std::string_view key_path) const;
  // Where key_path is, else where its nearest enclosing table is, else the start of the file.
  [[nodiscard]] SourcePos position_of(std::string_view key_path) const;
  // The source text of the value spanning `region`, exactly as written.
  [[nodiscard]] std::string_view text_of(const toml::source_region& region) const;

  [[nodiscard]] bool has_problems() const { return !problems_.empty(); }
  // Sorted by position; problems at the same position keep the order they were found in.
  [[nodiscard]] std::vector<ConfigProblem> sorted_problems() const;

 private:
  std::string file_;
  std::vector<std::string_view> lines_;
  std::vector<ConfigProblem> problems_;
  std::map<std::string, SourcePos, std::less<>> positions_;
  std::set<std::string, std::less<>> failed_;
};

// Visitor over one TOML table (see schema.hpp). Absent keys leave the member at its default.
class Reader {
 public:
  Reader(Context& ctx, const toml::table& table, std::string path);

  template <class T, class Rule = NoCheck>
  void field(std::string_view key, T& out, const Rule& rule = {}) {
    if (const toml::node* node = lookup(key, Need::kOptional)) {
      read_value(*node, child_path(key), out, rule);
    }
  }
  template <class T, class Rule = NoCheck>
  void required(std::string_view key, T& out, const Rule& rule = {}) {
    if (const toml::node* node = lookup(key, Need::kRequiredKey)) {
      read_value(*node, child_path(key), out, rule);
    }
  }
  template <class T>
  void table(std::string_view key, T& out) {
    read_table(key, out, Need::kOptional);
  }
  template <class T>
  void required_table(std::string_view key, T& out) {
    read_table(key, out, Need::kRequiredTable);
  }

  // Reports every key of the table the schema did not ask for, suggesting the closest known one.
  void finish();

 private:
  enum class Need : std::uint8_t { kOptional, kRequiredKey, kRequiredTable };

  template <class T>
  void read_table(std::string_view key, T& out, Need need) {
    const toml::node* node = lookup(key, need);
    if (node == nullptr) {
      return;
    }
    const std::string path = child_path(key);
    const toml::table* table = node->as_table();
    if (table == nullptr) {
      report_type(*node, path, "table");
      return;
    }
    Reader child(ctx_, *table, path);
    visit_fields(child, out);
    child.finish();
  }

  // The node under `key` (nullptr when absent), recording the key as known and where it is.
  const toml::node* lookup(std::string_view key, Need need);
  [[nodiscard]] std::string child_path(std::string_view key) const;
  void report(const toml::node& node, const std::string& path, std::string message);
  void report_type(const toml::node& node, const std::string& path, std::string_view expected);

  // Each returns whether `out` was set from a valid value; otherwise it has reported why not.
  bool read_value(const toml::node& node, const std::string& path, bool& out, NoCheck);
  template <std::signed_integral I>
  bool read_value(const toml::node& node, const std::string& path, I& out, IntRange range) {
    std::int64_t value = 0;
    if (!read_integer(node, path, range, value)) {
      return false;
    }
    // The schema's ranges lie within the member's type.
    out = static_cast<I>(value);
    return true;
  }
  template <class Rep, class Period>
  bool read_value(const toml::node& node, const std::string& path, std::chrono::duration<Rep, Period>& out,
                  IntRange range) {
    std::int64_t count = 0;
    if (!read_integer(node, path, range, count)) {
      return false;
    }
    out = std::chrono::duration<Rep, Period>(count);
    return true;
  }
  bool read_value(const toml::node& node, const std::string& path, std::chrono::seconds& out,
                  BarIntervalText);
  bool read_value(const toml::node& node, const std::string& path, Decimal& out, const DecimalRange& range);
  bool read_value(const toml::node& node, const std::string& path, double& out, NoCheck);
  bool read_value(const toml::node& node, const std::string& path, double& out, DoubleAbove rule);
  bool read_value(const toml::node& node, const std::string& path, std::string& out, StringCheck check);
  bool read_value(const toml::node& node, const std::string& path, std::vector<std::string>& out,
                  StringCheck check);
  template <class E>
  requires std::is_enum_v<E>
  bool read_value(const toml::node& node, const std::string& path, E& out, NoCheck) {
    const std::optional<std::size_t> index = read_choice(node, path, enum_names(out));
    if (index) {
      out = static_cast<E>(*index);
    }
    return index.has_value();
  }
  template <class T, class Rule>
  bool read_value(const toml::node& node, const std::string& path, std::optional<T>& out, const Rule& rule) {
    T value{};
    if (!read_value(node, path, value, rule)) {
      return false;
    }
    out = std::move(value);
    return true;
  }

  bool read_integer(const toml::node& node, const std::string& path, IntRange range, std::int64_t& out);
  bool read_double(const toml::node& node, const std::string& path, double& out);
  std::optional<std::size_t> read_choice(const toml::node& node, const std::string& path,
                                         std::span<const std::string_view> choices);

  Context& ctx_;
  const toml::table& table_;
  std::string path_;
  std::vector<std::string_view> known_keys_;
};

}  // namespace kimp::config::detail
