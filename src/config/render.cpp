// Rendering a Config back to TOML by walking the same schema the reader uses.
#include "config/render.hpp"

#include <chrono>
#include <concepts>
#include <optional>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/schema.hpp"

namespace kimp::config {

namespace detail {

namespace {

// A basic "..." string on one line; toml++ does the escaping, so any string round-trips.
std::string quote(std::string_view text) {
  std::ostringstream out;
  const toml::value<std::string> value{std::string(text)};
  out << toml::toml_formatter{value, toml::format_flags::none};
  return out.str();
}

template <class Rule>
std::optional<std::string> format_value(bool value, const Rule&) {
  return value ? "true" : "false";
}
template <std::signed_integral I, class Rule>
std::optional<std::string> format_value(I value, const Rule&) {
  return std::to_string(value);
}
template <class Rep, class Period, class Rule>
std::optional<std::string> format_value(std::chrono::duration<Rep, Period> value, const Rule&) {
  return std::to_string(value.count());
}
std::optional<std::string> format_value(std::chrono::seconds value, BarIntervalText) {
  return quote(format_bar_interval(value));
}
template <class Rule>
std::optional<std::string> format_value(Decimal value, const Rule&) {
  return value.to_string();
}
template <class Rule>
std::optional<std::string> format_value(double value, const Rule&) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".e") == std::string::npos) {
    text += ".0";
  }
  return text;
}
template <class Rule>
std::optional<std::string> format_value(const std::string& value, const Rule&) {
  return quote(value);
}
template <class Rule>
std::optional<std::string> format_value(const std::vector<std::string>& values, const Rule&) {
  std::vector<std::string> quoted;
  quoted.reserve(values.size());
  for (const std::string& value : values) {
    quoted.push_back(quote(value));
  }
  return fmt::format("[{}]", fmt::join(quoted, ", "));
}
template <class E, class Rule>
requires std::is_enum_v<E> std::optional<std::string> format_value(E value, const Rule&) {
  return quote(to_string(value));
}
template <class T, class Rule>
std::optional<std::string> format_value(const std::optional<T>& value, const Rule& rule) {
  if (!value) {
    return std::nullopt;
  }
  return format_value(*value, rule);
}

// Visitor over one section (see schema.hpp): collects its `key = value` lines, then its sub-tables,
// because in TOML a table's own keys must come before any [sub.table] header.
class Writer {
 public:
  explicit Writer(std::string path) : path_(std::move(path)) {}

  template <class T, class Rule = NoCheck>
  void field(std::string_view key, const T& value, const Rule& rule = {}) {
    if (const std::optional<std::string> text = format_value(value, rule)) {
      lines_.push_back(fmt::format("{} = {}", key, *text));
    }
  }
  template <class T, class Rule = NoCheck>
  void required(std::string_view key, const T& value, const Rule& rule = {}) {
    field(key, value, rule);
  }
  template <class T>
  void table(std::string_view key, const T& section) {
    Writer child(path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key));
    visit_fields(child, section);
    children_.push_back(std::move(child));
  }
  template <class T>
  void required_table(std::string_view key, const T& section) {
    table(key, section);
  }

  void write(std::string& out) const {
    if (!lines_.empty()) {
      if (!out.empty()) {
        out += '\n';
      }
      out += fmt::format("[{}]\n", path_);
      for (const std::string& line : lines_) {
        out += line;
        out += '\n';
      }
    }
    for (const Writer& child : children_) {
      child.write(out);
    }
  }

 private:
  std::string path_;
  std::vector<std::string> lines_;
  std::vector<Writer> children_;
};

}  // namespace

}  // namespace detail

std::string render_config(const Config& config) {
  detail::Writer root("");
  visit_fields(root, config);
  std::string text;
  root.write(text);
  return text;
}

std::string render_config(const Config& config, const Secrets& secrets) {
  std::string text = "# Secrets (values are never shown):\n";
  for (std::size_t i = 0; i < kSecretCount; ++i) {
    const auto name = static_cast<SecretName>(i);
    std::string state;
    switch (secrets[name].source) {
      case SecretSource::kUnset: state = "not set"; break;
      case SecretSource::kEnvironment: state = "set, from the environment"; break;
      case SecretSource::kFile: state = fmt::format("set, from the secrets file {}", secrets.file); break;
    }
    text += fmt::format("#   {}: {}\n", env_name(name), state);
  }
  text += '\n';
  text += render_config(config);
  return text;
}

}  // namespace kimp::config
