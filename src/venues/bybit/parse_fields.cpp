// Checked field reads for Bybit payloads: every type or format mismatch becomes a quoted kInvalidArgument.
#include "venues/bybit/parse_fields.hpp"

#include <charconv>
#include <string>
#include <system_error>

#include "core/text.hpp"

namespace kimp::venues::bybit {
namespace {

tl::unexpected<Error> field_error(std::string_view key, std::string_view problem) {
  return make_error(ErrorCode::kInvalidArgument,
                    "Bybit field \"" + std::string(key) + "\": " + std::string(problem));
}

// A member of `object`, or nullopt when it has none by that name.
std::optional<simdjson::dom::element> member(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

Result<simdjson::dom::element> required(simdjson::dom::object object, std::string_view key) {
  auto value = member(object, key);
  if (!value) {
    return field_error(key, "missing");
  }
  return *value;
}

std::string_view type_name(simdjson::dom::element_type type) {
  switch (type) {
    case simdjson::dom::element_type::ARRAY: return "an array";
    case simdjson::dom::element_type::OBJECT: return "an object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: return "a number";
    case simdjson::dom::element_type::STRING: return "a string";
    case simdjson::dom::element_type::BOOL: return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "an unknown value";
}

tl::unexpected<Error> wrong_type(std::string_view key, simdjson::dom::element value,
                                 std::string_view wanted) {
  return field_error(key,
                     "expected " + std::string(wanted) + ", got " + std::string(type_name(value.type())));
}

Result<std::optional<Decimal>> decimal_text(std::string_view key, std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  auto value = Decimal::parse(text);
  if (!value) {
    return field_error(key, "invalid decimal " + quote_input(text));
  }
  return *value;
}

}  // namespace

Result<std::int64_t> parse_int64(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(what) + ": invalid integer " + quote_input(text));
  }
  return value;
}

Result<simdjson::dom::element> parse_json(simdjson::dom::parser& parser, std::string_view text) {
  simdjson::dom::element root;
  const auto error = parser.parse(text.data(), text.size()).get(root);
  if (error != simdjson::SUCCESS) {
    return make_error(ErrorCode::kInvalidArgument, "Bybit payload is not valid JSON (" +
                                                       std::string(simdjson::error_message(error)) +
                                                       "): " + quote_input(text));
  }
  return root;
}

Result<simdjson::dom::object> as_object(simdjson::dom::element element, std::string_view what) {
  simdjson::dom::object object;
  if (element.get(object) != simdjson::SUCCESS) {
    return wrong_type(what, element, "an object");
  }
  return object;
}

Result<simdjson::dom::object> object_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto value, required(object, key));
  return as_object(value, key);
}

Result<simdjson::dom::array> array_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto value, required(object, key));
  simdjson::dom::array array;
  if (value.get(array) != simdjson::SUCCESS) {
    return wrong_type(key, value, "an array");
  }
  return array;
}

Result<std::string_view> string_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto value, required(object, key));
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) {
    return wrong_type(key, value, "a string");
  }
  return text;
}

Result<std::optional<std::string_view>> optional_string_field(simdjson::dom::object object,
                                                              std::string_view key) {
  if (!member(object, key)) {
    return std::nullopt;
  }
  KIMP_TRY_ASSIGN(const auto text, string_field(object, key));
  return text;
}

Result<bool> bool_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto value, required(object, key));
  bool flag = false;
  if (value.get(flag) != simdjson::SUCCESS) {
    return wrong_type(key, value, "a boolean");
  }
  return flag;
}

Result<Decimal> decimal_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto text, string_field(object, key));
  if (text.empty()) {
    return field_error(key, "empty, a decimal is required");
  }
  KIMP_TRY_ASSIGN(const auto value, decimal_text(key, text));
  return *value;
}

Result<std::optional<Decimal>> optional_decimal_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto text, optional_string_field(object, key));
  if (!text) {
    return std::nullopt;
  }
  return decimal_text(key, *text);
}

Result<Decimal> decimal_or_zero_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto value, optional_decimal_field(object, key));
  return value.value_or(Decimal());
}

Result<std::int64_t> integer_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto value, required(object, key));
  std::int64_t number = 0;
  if (value.get(number) == simdjson::SUCCESS) {
    return number;
  }
  std::string_view text;
  if (value.get(text) == simdjson::SUCCESS) {
    return parse_int64(text, "Bybit field \"" + std::string(key) + "\"");
  }
  return wrong_type(key, value, "an integer");
}

Result<std::uint64_t> unsigned_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto value, required(object, key));
  std::uint64_t number = 0;
  if (value.get(number) != simdjson::SUCCESS) {
    return wrong_type(key, value, "a non-negative integer");
  }
  return number;
}

Result<Timestamp> ms_timestamp_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto ms, integer_field(object, key));
  auto at = Timestamp::from_ms(ms);
  if (!at) {
    return field_error(key, "time out of range: " + std::to_string(ms));
  }
  return *at;
}

Result<model::Symbol> symbol_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto text, string_field(object, key));
  auto symbol = model::Symbol::create(text);
  if (!symbol) {
    return field_error(key, symbol.error().message);
  }
  return *symbol;
}

Result<model::Side> side_field(simdjson::dom::object object, std::string_view key) {
  KIMP_TRY_ASSIGN(const auto text, string_field(object, key));
  if (text == "Buy") {
    return model::Side::kBuy;
  }
  if (text == "Sell") {
    return model::Side::kSell;
  }
  return field_error(key, "expected \"Buy\" or \"Sell\", got " + quote_input(text));
}

}  // namespace kimp::venues::bybit
