// Dunamu quotation parsing with simdjson On-Demand; basePrice from its raw number text.
#include "venues/fx/dunamu.hpp"

#include <optional>
#include <string>
#include <utility>

#include <simdjson.h>

#include "core/text.hpp"

namespace kimp::venues::fx {
namespace {

tl::unexpected<Error> invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, "Dunamu quote " + std::move(message));
}

std::string_view trim_trailing_space(std::string_view text) {
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

struct Entry {
  std::string_view code;
  std::optional<Decimal> base_price;
  std::optional<Timestamp> ts_event;
};

Result<Entry> read_entry(simdjson::ondemand::object& object) {
  Entry entry;
  for (auto member : object) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (std::move(member).get(field) != simdjson::SUCCESS ||
        field.unescaped_key().get(key) != simdjson::SUCCESS) {
      return invalid("answer is not valid JSON");
    }
    simdjson::ondemand::value& value = field.value();
    if (key == "code") {
      if (value.get_string().get(entry.code) != simdjson::SUCCESS) {
        return invalid("code is not a string");
      }
    } else if (key == "basePrice") {
      simdjson::ondemand::json_type type{};
      std::string_view raw;
      if (value.type().get(type) != simdjson::SUCCESS || type != simdjson::ondemand::json_type::number ||
          (raw = value.raw_json_token()).empty()) {
        return invalid("basePrice is not a number");
      }
      auto price = Decimal::parse(trim_trailing_space(raw));
      if (!price) {
        return invalid("basePrice is not an exact decimal: " + quote_input(trim_trailing_space(raw)));
      }
      entry.base_price = *price;
    } else if (key == "timestamp") {
      std::int64_t ms = 0;
      if (value.get_int64().get(ms) != simdjson::SUCCESS) {
        return invalid("timestamp is not integer milliseconds");
      }
      auto at = Timestamp::from_ms(ms);
      if (!at) {
        return invalid("timestamp is out of range");
      }
      entry.ts_event = *at;
    }
  }
  return entry;
}

}  // namespace

Result<DunamuQuote> parse_dunamu_quote(std::string_view body) {
  const simdjson::padded_string padded(body);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::array quotes;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_array().get(quotes) != simdjson::SUCCESS) {
    return invalid("answer is not a JSON array: " + quote_input(body));
  }
  for (auto element : quotes) {
    simdjson::ondemand::object object;
    if (element.get_object().get(object) != simdjson::SUCCESS) {
      return invalid("answer holds something other than objects: " + quote_input(body));
    }
    KIMP_TRY_ASSIGN(const Entry entry, read_entry(object));
    if (entry.code != kDunamuUsdKrwCode) {
      continue;
    }
    if (!entry.base_price) {
      return invalid("has no basePrice");
    }
    if (!entry.base_price->is_positive()) {
      return invalid("basePrice is not positive: " + entry.base_price->to_string());
    }
    if (!entry.ts_event) {
      return invalid("has no timestamp");
    }
    return DunamuQuote{*entry.base_price, *entry.ts_event};
  }
  return invalid("answer has no FRX.KRWUSD entry: " + quote_input(body));
}

}  // namespace kimp::venues::fx
