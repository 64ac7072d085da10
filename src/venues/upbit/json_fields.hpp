// Reading Upbit JSON values with simdjson On-Demand: exact decimals from raw number text, timestamps, ids.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

#include <simdjson.h>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace kimp::venues::upbit::detail {

// kInvalidArgument for a simdjson failure while reading `what` ("orderbook frame", "field trade_price").
tl::unexpected<Error> json_failure(simdjson::error_code code, std::string_view what);

// The text of a number (its raw token, so no double is involved) or the content of a string: Upbit sends
// amounts as either (150389000.0 or "148737000.00000000"). Errors: kInvalidArgument naming `field` for
// any other JSON type.
Result<std::string_view> number_text(simdjson::ondemand::value& value, std::string_view field);

// Errors for these readers: kInvalidArgument naming `field` and quoting the text when the value has the
// wrong type or does not parse.
Result<Decimal> decimal_value(simdjson::ondemand::value& value, std::string_view field);
Result<std::string_view> string_value(simdjson::ondemand::value& value, std::string_view field);
Result<std::uint64_t> uint_value(simdjson::ondemand::value& value, std::string_view field);
Result<bool> bool_value(simdjson::ondemand::value& value, std::string_view field);
// Milliseconds since the epoch (Upbit's `timestamp`, `trade_timestamp`).
Result<Timestamp> ms_timestamp_value(simdjson::ondemand::value& value, std::string_view field);

// The integer part of a non-negative decimal text, truncated toward zero, exactly: "178448329314.96686"
// gives 178448329314, "1.78e11" gives 178000000000. For values beyond Decimal's range (Upbit's 24 h KRW
// turnover). Errors: kInvalidArgument for a malformed or negative number, or one above int64.
Result<std::int64_t> whole_part(std::string_view text, std::string_view field);

// Stores a successfully read value in `target`, or passes the error on.
template <class Target, class T>
Status assign(Target& target, Result<T> read) {
  if (!read) {
    return tl::unexpected<Error>(std::move(read).error());
  }
  target = std::move(*read);
  return ok();
}

// Calls on_member(key, value) for each member of `object` in document order; stops at the first error.
// Errors: on_member's, or kInvalidArgument naming `what` for malformed JSON.
template <class OnMember>
Status for_each_member(simdjson::ondemand::object& object, std::string_view what, OnMember&& on_member) {
  for (auto member : object) {
    simdjson::ondemand::field field;
    if (const auto code = std::move(member).get(field); code != simdjson::SUCCESS) {
      return json_failure(code, what);
    }
    std::string_view key;
    if (const auto code = field.unescaped_key().get(key); code != simdjson::SUCCESS) {
      return json_failure(code, what);
    }
    KIMP_TRY(on_member(key, field.value()));
  }
  return ok();
}

// Calls on_object(object) for each element of `value`, which must be an array of objects.
// Errors: on_object's, or kInvalidArgument naming `what` for anything else.
template <class OnObject>
Status for_each_object(simdjson::ondemand::value& value, std::string_view what, OnObject&& on_object) {
  simdjson::ondemand::array array;
  if (const auto code = value.get_array().get(array); code != simdjson::SUCCESS) {
    return json_failure(code, what);
  }
  for (auto element : array) {
    simdjson::ondemand::object object;
    if (const auto code = element.get_object().get(object); code != simdjson::SUCCESS) {
      return json_failure(code, what);
    }
    KIMP_TRY(on_object(object));
  }
  return ok();
}

// The object `value` holds. Errors: kInvalidArgument naming `what` when it is not one.
Result<simdjson::ondemand::object> object_value(simdjson::ondemand::value& value, std::string_view what);

}  // namespace kimp::venues::upbit::detail
