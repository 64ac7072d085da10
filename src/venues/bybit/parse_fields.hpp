// Typed, checked reads of Bybit v5 JSON fields (simdjson DOM) shared by the REST and private-stream parsers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <simdjson.h>

#include "core/decimal.hpp"
#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "model/types.hpp"

namespace kimp::venues::bybit {

// Every function here fails with kInvalidArgument and a message naming the field and quoting the
// offending text; none of them throws on any input.

// A base-10 integer written as digits with an optional leading '-': "1672217377164", "-1".
Result<std::int64_t> parse_int64(std::string_view text, std::string_view what);

// The document `text` parsed by `parser`; the element stays valid until `parser` parses again.
Result<simdjson::dom::element> parse_json(simdjson::dom::parser& parser, std::string_view text);

Result<simdjson::dom::object> as_object(simdjson::dom::element element, std::string_view what);
Result<simdjson::dom::object> object_field(simdjson::dom::object object, std::string_view key);
Result<simdjson::dom::array> array_field(simdjson::dom::object object, std::string_view key);

// A string member; "" is returned as it is.
Result<std::string_view> string_field(simdjson::dom::object object, std::string_view key);
// nullopt when the member is absent; an error when present and not a string.
Result<std::optional<std::string_view>> optional_string_field(simdjson::dom::object object,
                                                              std::string_view key);
Result<bool> bool_field(simdjson::dom::object object, std::string_view key);

// Bybit writes money as decimal strings. A required one must be present and non-empty.
Result<Decimal> decimal_field(simdjson::dom::object object, std::string_view key);
// nullopt when the member is absent or "" (Bybit's spelling of "no value").
Result<std::optional<Decimal>> optional_decimal_field(simdjson::dom::object object, std::string_view key);
// Zero when absent or "": only for fields where "no value" means zero (say so at the call).
Result<Decimal> decimal_or_zero_field(simdjson::dom::object object, std::string_view key);

// A JSON integer, or a string of decimal digits ("createdTime": "1684738540559").
Result<std::int64_t> integer_field(simdjson::dom::object object, std::string_view key);
// A non-negative JSON integer that may exceed int64 (update ids, sequences).
Result<std::uint64_t> unsigned_field(simdjson::dom::object object, std::string_view key);
// Unix milliseconds, as integer_field reads them.
Result<Timestamp> ms_timestamp_field(simdjson::dom::object object, std::string_view key);

Result<model::Symbol> symbol_field(simdjson::dom::object object, std::string_view key);
// "Buy" / "Sell".
Result<model::Side> side_field(simdjson::dom::object object, std::string_view key);

}  // namespace kimp::venues::bybit
