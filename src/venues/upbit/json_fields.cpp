// simdjson On-Demand readers for Upbit fields: raw number text to Decimal, strings, ids and times.
#include "venues/upbit/json_fields.hpp"

#include <cstddef>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "core/text.hpp"

namespace kimp::venues::upbit::detail {
namespace {

tl::unexpected<Error> bad_field(std::string_view field, std::string_view expected, std::string_view text) {
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("Upbit field {} is not {}: {}", field, expected, quote_input(text)));
}

// raw_json_token() runs to the next token, so it carries the whitespace after a number.
std::string_view trim_trailing_space(std::string_view text) {
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// The raw token of `value`: a number's exact text, or any value's text for an error message.
std::string_view raw_text(simdjson::ondemand::value& value) {
  return trim_trailing_space(value.raw_json_token());
}

// A wrong type is named as such; any other failure (truncated or broken JSON) as a JSON error.
tl::unexpected<Error> read_failure(simdjson::error_code code, simdjson::ondemand::value& value,
                                   std::string_view field, std::string_view expected) {
  if (code == simdjson::INCORRECT_TYPE || code == simdjson::NUMBER_ERROR ||
      code == simdjson::NUMBER_OUT_OF_RANGE) {
    return bad_field(field, expected, raw_text(value));
  }
  return json_failure(code, fmt::format("field {}", field));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

tl::unexpected<Error> json_failure(simdjson::error_code code, std::string_view what) {
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("Upbit {} is not valid JSON: {}", what, simdjson::error_message(code)));
}

Result<simdjson::ondemand::object> object_value(simdjson::ondemand::value& value, std::string_view what) {
  simdjson::ondemand::object object;
  if (const auto code = value.get_object().get(object); code != simdjson::SUCCESS) {
    return json_failure(code, what);
  }
  return object;
}

Result<std::string_view> number_text(simdjson::ondemand::value& value, std::string_view field) {
  simdjson::ondemand::json_type type{};
  if (const auto code = value.type().get(type); code != simdjson::SUCCESS) {
    return json_failure(code, fmt::format("field {}", field));
  }
  if (type == simdjson::ondemand::json_type::number) {
    return raw_text(value);
  }
  if (type == simdjson::ondemand::json_type::string) {
    std::string_view text;
    if (const auto code = value.get_string().get(text); code != simdjson::SUCCESS) {
      return json_failure(code, fmt::format("field {}", field));
    }
    return text;
  }
  return bad_field(field, "a number", raw_text(value));
}

Result<Decimal> decimal_value(simdjson::ondemand::value& value, std::string_view field) {
  KIMP_TRY_ASSIGN(const std::string_view text, number_text(value, field));
  auto parsed = Decimal::parse(text);
  if (!parsed) {
    return bad_field(field, "an exact decimal", text);
  }
  return *parsed;
}

Result<std::string_view> string_value(simdjson::ondemand::value& value, std::string_view field) {
  std::string_view text;
  if (const auto code = value.get_string().get(text); code != simdjson::SUCCESS) {
    return read_failure(code, value, field, "a string");
  }
  return text;
}

Result<std::uint64_t> uint_value(simdjson::ondemand::value& value, std::string_view field) {
  std::uint64_t number = 0;
  if (const auto code = value.get_uint64().get(number); code != simdjson::SUCCESS) {
    return read_failure(code, value, field, "an unsigned integer");
  }
  return number;
}

Result<bool> bool_value(simdjson::ondemand::value& value, std::string_view field) {
  bool flag = false;
  if (const auto code = value.get_bool().get(flag); code != simdjson::SUCCESS) {
    return read_failure(code, value, field, "a boolean");
  }
  return flag;
}

Result<Timestamp> ms_timestamp_value(simdjson::ondemand::value& value, std::string_view field) {
  std::int64_t ms = 0;
  if (const auto code = value.get_int64().get(ms); code != simdjson::SUCCESS) {
    return read_failure(code, value, field, "integer milliseconds");
  }
  auto at = Timestamp::from_ms(ms);
  if (!at) {
    return bad_field(field, "a representable time", raw_text(value));
  }
  return *at;
}

Result<std::int64_t> whole_part(std::string_view text, std::string_view field) {
  // [digits] [. digits] [e|E [sign] digits]: the integer part is the first (int digits + exponent)
  // digits of the mantissa, padded with zeros when the exponent reaches past them.
  std::size_t at = 0;
  const auto run = [&text, &at]() {
    const std::size_t start = at;
    while (at < text.size() && is_digit(text[at])) {
      ++at;
    }
    return text.substr(start, at - start);
  };
  const std::string_view int_digits = run();
  std::string_view frac_digits;
  if (at < text.size() && text[at] == '.') {
    ++at;
    frac_digits = run();
  }
  std::int64_t exponent = 0;
  bool exponent_ok = true;
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    bool negative = false;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
      negative = text[at] == '-';
      ++at;
    }
    const std::string_view digits = run();
    exponent_ok = !digits.empty() && digits.size() <= 6;
    for (const char c : digits.substr(0, 6)) {
      exponent = exponent * 10 + (c - '0');
    }
    exponent = negative ? -exponent : exponent;
  }
  if (at != text.size() || (int_digits.empty() && frac_digits.empty()) || !exponent_ok) {
    return bad_field(field, "a non-negative number", text);
  }
  const std::string mantissa = std::string(int_digits) + std::string(frac_digits);
  const std::int64_t integer_length = static_cast<std::int64_t>(int_digits.size()) + exponent;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t whole = 0;
  for (std::int64_t i = 0; i < integer_length; ++i) {
    const int digit = i < static_cast<std::int64_t>(mantissa.size()) ? mantissa[i] - '0' : 0;
    if (whole > (kMax - digit) / 10) {
      return bad_field(field, "a number below 2^63", text);
    }
    whole = whole * 10 + digit;
  }
  return whole;
}

}  // namespace kimp::venues::upbit::detail
