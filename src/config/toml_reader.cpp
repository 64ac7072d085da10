// Typed reading of TOML values with positions, unknown-key detection and "did you mean" suggestions.
#include "config/toml_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <ios>
#include <iterator>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace kimp::config {

namespace {

SourcePos position(const toml::source_position& where) {
  return {static_cast<std::int32_t>(where.line), static_cast<std::int32_t>(where.column)};
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    case toml::node_type::none: break;
  }
  return "nothing";
}

// "strategy.coins" for "strategy.coins[2]", "strategy" for "strategy.coins", "" for "strategy".
std::string_view parent_path(std::string_view key_path) {
  const std::size_t parent_end = key_path.find_last_of(".[");
  return key_path.substr(0, parent_end == std::string_view::npos ? 0 : parent_end);
}

// Byte offset of the 1-based `column` in `line`; toml++ counts columns in code points.
std::size_t byte_offset(std::string_view line, std::uint32_t column) {
  std::uint32_t code_points = 1;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const bool continuation = (static_cast<unsigned char>(line[i]) & 0xC0U) == 0x80U;
    if (!continuation) {
      if (code_points == column) {
        return i;
      }
      ++code_points;
    }
  }
  return line.size();
}

// Optimal string alignment distance: edits plus swaps of neighbours, the commonest typo ("riks").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (std::size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The known key closest to `key`, when it is close enough to be a typo of it.
std::optional<std::string_view> closest_key(std::string_view key, std::span<const std::string_view> known) {
  const std::size_t allowed = std::max<std::size_t>(1, key.size() / 3);
  std::optional<std::string_view> best;
  std::size_t best_distance = allowed + 1;
  for (std::string_view candidate : known) {
    const std::size_t distance = edit_distance(key, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string describe(const DecimalRange& range) {
  std::string text =
      fmt::format("{} {}", range.lower.inclusive ? "at least" : "greater than", range.lower.value);
  if (range.upper) {
    text += fmt::format(" and {} {}", range.upper->inclusive ? "at most" : "less than", range.upper->value);
  }
  return text;
}

bool contains(const DecimalRange& range, Decimal value) {
  const bool above = range.lower.inclusive ? value >= range.lower.value : value > range.lower.value;
  const bool below =
      !range.upper || (range.upper->inclusive ? value <= range.upper->value : value < range.upper->value);
  return above && below;
}

}  // namespace

Context::Context(std::string file, std::string_view text, UnknownKeyNote note)
    : file_(std::move(file)), unknown_key_note_(note) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    lines_.push_back(line);
    start = end + 1;
  }
}

void Context::report(SourcePos where, std::string key_path, std::string message) {
  failed_.insert(key_path);
  problems_.push_back({file_, where.line, where.column, std::move(key_path), std::move(message)});
}

void Context::report_at(const std::string& key_path, std::string message) {
  report(position_of(key_path), key_path, std::move(message));
}

void Context::mark_failed(const std::string& key_path) {
  failed_.insert(key_path);
}

void Context::remember(const std::string& key_path, SourcePos where) {
  positions_[key_path] = where;
}

bool Context::present(std::string_view key_path) const {
  return positions_.find(key_path) != positions_.end();
}

bool Context::failed(std::string_view key_path) const {
  for (; !key_path.empty(); key_path = parent_path(key_path)) {
    if (failed_.find(key_path) != failed_.end()) {
      return true;
    }
  }
  return false;
}

SourcePos Context::position_of(std::string_view key_path) const {
  for (; !key_path.empty(); key_path = parent_path(key_path)) {
    if (const auto found = positions_.find(key_path); found != positions_.end()) {
      return found->second;
    }
  }
  return {};
}

std::string_view Context::text_of(const toml::source_region& region) const {
  if (region.begin.line == 0 || region.begin.line > lines_.size()) {
    return {};
  }
  const std::string_view line = lines_[region.begin.line - 1];
  const std::size_t begin = byte_offset(line, region.begin.column);
  const std::size_t end =
      region.end.line == region.begin.line ? byte_offset(line, region.end.column) : line.size();
  return line.substr(begin, end - begin);
}

std::vector<ConfigProblem> Context::sorted_problems() const {
  std::vector<ConfigProblem> sorted = problems_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const ConfigProblem& a, const ConfigProblem& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return sorted;
}

Reader::Reader(Context& ctx, const toml::table& table, std::string path)
    : ctx_(ctx), table_(table), path_(std::move(path)) {}

const toml::node* Reader::lookup(std::string_view key, Need need) {
  known_keys_.push_back(key);
  const toml::node* node = table_.get(key);
  const std::string path = child_path(key);
  if (node == nullptr) {
    if (need != Need::kOptional) {
      ctx_.report(ctx_.position_of(path_), path,
                  need == Need::kRequiredTable ? "missing required table" : "missing required key");
    }
    return nullptr;
  }
  ctx_.remember(path, position(node->source().begin));
  return node;
}

std::string Reader::join_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

std::string Reader::child_path(std::string_view key) const {
  return join_path(path_, key);
}

std::string Reader::element_path(const std::string& path, std::size_t index, const toml::node& element) {
  std::string result = fmt::format("{}[{}]", path, index);
  ctx_.remember(result, position(element.source().begin));
  return result;
}

bool Reader::check_entry_key(const toml::key& key, const toml::node& value, const std::string& entry_path,
                             StringCheck check) {
  ctx_.remember(entry_path, position(value.source().begin));
  if (std::optional<std::string> problem = check(key.str())) {
    ctx_.report(position(key.source().begin), entry_path, std::move(*problem));
    return false;
  }
  return true;
}

void Reader::report(const toml::node& node, const std::string& path, std::string message) {
  ctx_.report(position(node.source().begin), path, std::move(message));
}

void Reader::report_type(const toml::node& node, const std::string& path, std::string_view expected) {
  report(node, path, fmt::format("expected {}, got {}", expected, type_name(node)));
}

// A key a schema explains itself (see UnknownKeyNote), else "unknown key" with the closest known key.
std::string Reader::unknown_key_message(std::string_view name) const {
  if (const UnknownKeyNote note = ctx_.unknown_key_note()) {
    if (std::optional<std::string> message = note(path_, name)) {
      return std::move(*message);
    }
  }
  if (const auto suggestion = closest_key(name, known_keys_)) {
    return fmt::format("unknown key; did you mean `{}`?", *suggestion);
  }
  return "unknown key";
}

void Reader::finish() {
  for (const auto& [key, node] : table_) {
    const std::string_view name = key.str();
    if (std::find(known_keys_.begin(), known_keys_.end(), name) == known_keys_.end()) {
      ctx_.report(position(key.source().begin), child_path(name), unknown_key_message(name));
    }
  }
}

bool Reader::read_value(const toml::node& node, const std::string& path, bool& out, NoCheck) {
  const auto* value = node.as_boolean();
  if (value == nullptr) {
    report_type(node, path, "boolean");
    return false;
  }
  out = value->get();
  return true;
}

bool Reader::read_integer(const toml::node& node, const std::string& path, IntRange range,
                          std::int64_t& out) {
  if (node.is_floating_point()) {
    report(node, path,
           fmt::format("must be a whole number written as an integer (no fraction or exponent), got {}",
                       ctx_.text_of(node.source())));
    return false;
  }
  const auto* value = node.as_integer();
  if (value == nullptr) {
    report_type(node, path, "integer");
    return false;
  }
  if (value->get() < range.min || value->get() > range.max) {
    report(node, path,
           range.max == std::numeric_limits<std::int64_t>::max()
               ? fmt::format("must be at least {}, got {}", range.min, value->get())
               : fmt::format("must be between {} and {}, got {}", range.min, range.max, value->get()));
    return false;
  }
  out = value->get();
  return true;
}

bool Reader::read_value(const toml::node& node, const std::string& path, Decimal& out,
                        const DecimalRange& range) {
  std::string text;
  if (const auto* integer = node.as_integer()) {
    text = std::to_string(integer->get());
  } else if (node.is_floating_point()) {
    // toml++ has already rounded the value to a double; the digits as written are the exact amount.
    text = ctx_.text_of(node.source());
    std::erase(text, '_');
  } else if (const auto* string = node.as_string()) {
    text = string->get();
  } else {
    report_type(node, path, "a number or a decimal string");
    return false;
  }
  const Result<Decimal> parsed = Decimal::parse(text);
  if (!parsed) {
    // Decimal's own text says which: not a number, more fractional digits than it holds, or out of range.
    report(node, path, parsed.error().message);
    return false;
  }
  if (!contains(range, *parsed)) {
    report(node, path, fmt::format("must be {}, got {}", describe(range), *parsed));
    return false;
  }
  out = *parsed;
  return true;
}

bool Reader::read_double(const toml::node& node, const std::string& path, double& out) {
  if (const auto* integer = node.as_integer()) {
    out = static_cast<double>(integer->get());
    return true;
  }
  const auto* value = node.as_floating_point();
  if (value == nullptr) {
    report_type(node, path, "a number");
    return false;
  }
  if (!std::isfinite(value->get())) {
    report(node, path, "must be a finite number");
    return false;
  }
  out = value->get();
  return true;
}

bool Reader::read_value(const toml::node& node, const std::string& path, double& out, NoCheck) {
  return read_double(node, path, out);
}

bool Reader::read_value(const toml::node& node, const std::string& path, double& out, DoubleAbove rule) {
  double value = 0.0;
  if (!read_double(node, path, value)) {
    return false;
  }
  if (!(value > rule.exclusive_min)) {
    report(node, path, fmt::format("must be greater than {}, got {}", rule.exclusive_min, value));
    return false;
  }
  out = value;
  return true;
}

bool Reader::read_string(const toml::node& node, const std::string& path, std::string& out) {
  const auto* value = node.as_string();
  if (value == nullptr) {
    report_type(node, path, "string");
    return false;
  }
  out = value->get();
  return true;
}

bool Reader::read_value(const toml::node& node, const std::string& path, std::string& out,
                        StringCheck check) {
  std::string value;
  if (!read_string(node, path, value)) {
    return false;
  }
  if (std::optional<std::string> problem = check(value)) {
    report(node, path, std::move(*problem));
    return false;
  }
  out = std::move(value);
  return true;
}

bool Reader::read_value(const toml::node& node, const std::string& path, std::vector<std::string>& out,
                        StringCheck check) {
  const auto* array = node.as_array();
  if (array == nullptr) {
    report_type(node, path, "array");
    return false;
  }
  std::vector<std::string> values;
  bool all_valid = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    const std::string element_path = fmt::format("{}[{}]", path, i);
    ctx_.remember(element_path, position(element.source().begin));
    std::string value;
    if (read_value(element, element_path, value, check)) {
      values.push_back(std::move(value));
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

std::optional<std::size_t> Reader::read_choice(const toml::node& node, const std::string& path,
                                               std::span<const std::string_view> choices) {
  const auto* value = node.as_string();
  if (value == nullptr) {
    report_type(node, path, "string");
    return std::nullopt;
  }
  const auto found = std::find(choices.begin(), choices.end(), value->get());
  if (found == choices.end()) {
    report(node, path, fmt::format("expected one of {}, got \"{}\"", fmt::join(choices, ", "), value->get()));
    return std::nullopt;
  }
  return static_cast<std::size_t>(found - choices.begin());
}

tl::expected<toml::table, ConfigProblem> parse_toml_document(std::string_view text,
                                                             std::string_view file_name) {
  // toml++ reports syntax errors by exception; this is the one place they become a value.
  try {
    return toml::parse(text, file_name);
  } catch (const toml::parse_error& error) {
    const toml::source_position& where = error.source().begin;
    return tl::unexpected(ConfigProblem{std::string(file_name), static_cast<std::int32_t>(where.line),
                                        static_cast<std::int32_t>(where.column), "",
                                        fmt::format("TOML syntax error: {}", error.description())});
  }
}

tl::expected<std::string, ConfigProblem> read_config_file(const std::filesystem::path& path) {
  const auto unreadable = [&](std::string message) {
    return tl::unexpected(ConfigProblem{path.string(), 0, 0, "", std::move(message)});
  };
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error) {
    return unreadable(fmt::format("cannot open: {}", error.message()));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return unreadable("not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return unreadable(fmt::format("cannot open: {}", std::strerror(errno)));
  }
  std::string text;
  // libstdc++'s file buffer throws on a failed read(2) whatever in.exceptions() says.
  try {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure& failure) {
    return unreadable(fmt::format("cannot read: {}", failure.code().message()));
  }
  return text;
}

}  // namespace kimp::config
