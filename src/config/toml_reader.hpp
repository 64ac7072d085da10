// Reading TOML into any schema stated by visit_fields, collecting every problem with its position
// (FILE:LINE:COLUMN: key.path: message) instead of stopping at the first.
//
// A schema is a set of `visit_fields(v, section)` functions, found by argument-dependent lookup in the
// section's namespace, that call on the visitor: field(key, member, rule), required(key, member, rule),
// table(key, section), required_table(key, section) and table_array(key, sections). Absent keys leave
// members at their initialisers.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
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
#include <tl/expected.hpp>

#include "config/problem.hpp"
#include "config/rules.hpp"
#include "core/decimal.hpp"

namespace kimp::config {

struct SourcePos {
  std::int32_t line = 1;
  std::int32_t column = 1;
};

// A message that replaces "unknown key; did you mean ..." for a key of the table at `table_path`, such as
// where a secret belongs instead; nothing keeps the usual message.
using UnknownKeyNote = std::optional<std::string> (*)(std::string_view table_path, std::string_view key);

// The problems found so far and where each key of the file is, for rules that span several keys.
class Context {
 public:
  // `text` must outlive the context: values are re-read from it.
  Context(std::string file, std::string_view text, UnknownKeyNote note = nullptr);

  void report(SourcePos where, std::string key_path, std::string message);
  // Reports at the position of key_path (or of its nearest enclosing table).
  void report_at(const std::string& key_path, std::string message);
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
  [[nodiscard]] UnknownKeyNote unknown_key_note() const { return unknown_key_note_; }

  [[nodiscard]] bool has_problems() const { return !problems_.empty(); }
  // Sorted by position; problems at the same position keep the order they were found in.
  [[nodiscard]] std::vector<ConfigProblem> sorted_problems() const;

 private:
  std::string file_;
  std::vector<std::string_view> lines_;
  UnknownKeyNote unknown_key_note_;
  std::vector<ConfigProblem> problems_;
  std::map<std::string, SourcePos, std::less<>> positions_;
  std::set<std::string, std::less<>> failed_;
};

// Visitor over one TOML table. Absent keys leave the member at its default.
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
  // `[[key]]`: one element per table, each starting from T{}; their paths are key[0], key[1], ...
  template <class T>
  void table_array(std::string_view key, std::vector<T>& out) {
    const toml::node* node = lookup(key, Need::kOptional);
    if (node == nullptr) {
      return;
    }
    const std::string path = child_path(key);
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      report_type(*node, path, "array of tables");
      return;
    }
    std::vector<T> elements(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      read_section(element, element_path(path, i, element), elements[i]);
    }
    out = std::move(elements);
  }

  // Reports every key of the table the schema did not ask for, suggesting the closest known one.
  void finish();

 private:
  enum class Need : std::uint8_t { kOptional, kRequiredKey, kRequiredTable };

  template <class T>
  void read_table(std::string_view key, T& out, Need need) {
    if (const toml::node* node = lookup(key, need)) {
      read_section(*node, child_path(key), out);
    }
  }
  template <class T>
  void read_section(const toml::node& node, const std::string& path, T& out) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      report_type(node, path, "table");
      return;
    }
    Reader child(ctx_, *table, path);
    visit_fields(child, out);
    child.finish();
  }

  // The node under `key` (nullptr when absent), recording the key as known and where it is.
  const toml::node* lookup(std::string_view key, Need need);
  [[nodiscard]] std::string child_path(std::string_view key) const;
  // "path[i]", remembered at the element's position.
  std::string element_path(const std::string& path, std::size_t index, const toml::node& element);
  [[nodiscard]] std::string unknown_key_message(std::string_view name) const;
  void report(const toml::node& node, const std::string& path, std::string message);
  void report_type(const toml::node& node, const std::string& path, std::string_view expected);

  // Each returns whether `out` was set from a valid value; otherwise it has reported why not.
  bool read_value(const toml::node& node, const std::string& path, bool& out, NoCheck);
  template <std::integral I>
  requires(!std::same_as<I, bool>) bool read_value(const toml::node& node, const std::string& path, I& out,
                                                   IntRange range) {
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
  template <class T, TextRule<T> Rule>
  bool read_value(const toml::node& node, const std::string& path, T& out, const Rule& rule) {
    std::string text;
    if (!read_string(node, path, text)) {
      return false;
    }
    tl::expected<T, std::string> parsed = rule.parse(text);
    if (!parsed) {
      report(node, path, std::move(parsed.error()));
      return false;
    }
    out = std::move(*parsed);
    return true;
  }
  bool read_value(const toml::node& node, const std::string& path, Decimal& out, const DecimalRange& range);
  bool read_value(const toml::node& node, const std::string& path, double& out, NoCheck);
  bool read_value(const toml::node& node, const std::string& path, double& out, DoubleAbove rule);
  bool read_value(const toml::node& node, const std::string& path, std::string& out, StringCheck check);
  bool read_value(const toml::node& node, const std::string& path, std::vector<std::string>& out,
                  StringCheck check);
  template <class V, class Rule>
  bool read_value(const toml::node& node, const std::string& path, std::map<std::string, V>& out,
                  const TableOf<Rule>& rule) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      report_type(node, path, "table");
      return false;
    }
    std::map<std::string, V> values;
    bool all_valid = true;
    for (const auto& [key, value_node] : *table) {
      const std::string entry_path = join_path(path, key.str());
      V value{};
      if (check_entry_key(key, value_node, entry_path, rule.key) &&
          read_value(value_node, entry_path, value, rule.value)) {
        values.emplace(key.str(), std::move(value));
      } else {
        all_valid = false;
      }
    }
    if (!all_valid) {
      ctx_.mark_failed(path);
      return false;
    }
    out = std::move(values);
    return true;
  }
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

  // "parent.key", or "key" at the top level.
  static std::string join_path(std::string_view parent, std::string_view key);
  bool read_string(const toml::node& node, const std::string& path, std::string& out);
  // Remembers where the entry is and reports a key `check` rejects; returns whether it passed.
  bool check_entry_key(const toml::key& key, const toml::node& value, const std::string& entry_path,
                       StringCheck check);
  bool read_integer(const toml::node& node, const std::string& path, IntRange range, std::int64_t& out);
  bool read_double(const toml::node& node, const std::string& path, double& out);
  std::optional<std::size_t> read_choice(const toml::node& node, const std::string& path,
                                         std::span<const std::string_view> choices);

  Context& ctx_;
  const toml::table& table_;
  std::string path_;
  std::vector<std::string_view> known_keys_;
};

// What a schema adds to its visit_fields functions.
template <class T>
struct SchemaRules {
  // Derived defaults and rules across keys, run once every key was read. They report through `ctx` and
  // stay quiet about keys ctx.failed() names, so one mistake is not reported twice.
  void (*check)(T& value, Context& ctx) = nullptr;
  UnknownKeyNote unknown_key_note = nullptr;
};

template <class T>
using TomlResult = tl::expected<T, std::vector<ConfigProblem>>;

// The document parsed by toml++, or its syntax error (one, at its position) as a problem.
tl::expected<toml::table, ConfigProblem> parse_toml_document(std::string_view text,
                                                             std::string_view file_name);

// The whole content of a configuration file, or why it cannot be had, as a problem without position
// naming the file as `path` is written: missing ("cannot open: ..."), not a regular file, unreadable.
tl::expected<std::string, ConfigProblem> read_config_file(const std::filesystem::path& path);

// `defaults` overwritten by the TOML `text` through visit_fields(reader, defaults), then checked by
// rules.check; `file_name` is used in the problems. Problems: TOML syntax error (only that one), unknown
// keys (with a suggestion when one is close), wrong types, missing required keys, values a rule rejects,
// and whatever rules.check reports; sorted by position.
template <class T>
TomlResult<T> read_toml(std::string_view text, std::string_view file_name, T defaults,
                        const SchemaRules<T>& rules = {}) {
  tl::expected<toml::table, ConfigProblem> root = parse_toml_document(text, file_name);
  if (!root) {
    return tl::unexpected(std::vector<ConfigProblem>{std::move(root.error())});
  }
  Context ctx{std::string(file_name), text, rules.unknown_key_note};
  Reader reader(ctx, *root, "");
  visit_fields(reader, defaults);
  reader.finish();
  if (rules.check != nullptr) {
    rules.check(defaults, ctx);
  }
  if (ctx.has_problems()) {
    return tl::unexpected(ctx.sorted_problems());
  }
  return defaults;
}

// As read_toml, for the file at `path` (named in problems as written); the file's own problems are those
// of read_config_file. Never throws for anything the file or the file system does.
template <class T>
TomlResult<T> load_toml(const std::filesystem::path& path, T defaults, const SchemaRules<T>& rules = {}) {
  tl::expected<std::string, ConfigProblem> text = read_config_file(path);
  if (!text) {
    return tl::unexpected(std::vector<ConfigProblem>{std::move(text.error())});
  }
  return read_toml(*text, path.string(), std::move(defaults), rules);
}

}  // namespace kimp::config
