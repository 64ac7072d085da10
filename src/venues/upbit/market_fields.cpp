// Upbit market-data members by DEFAULT or SIMPLE key, read in one pass; events built from them.
#include "venues/upbit/market_fields.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "core/text.hpp"
#include "venues/upbit/json_fields.hpp"

namespace kimp::venues::upbit::detail {
namespace {

enum class Member : std::uint8_t {
  kType,
  kCode,
  kTimestamp,
  kTradeTimestamp,
  kTradePrice,
  kTradeVolume,
  kAskBid,
  kSequentialId,
  kAccTradeVolume24h,
  kAccTradePrice24h,
  kUnits,
  kStatus,
  kError,
};

struct MemberKey {
  std::string_view name;    // DEFAULT
  std::string_view simple;  // SIMPLE (websocket.yaml x-simple-key); empty when there is none
  Member member;
};

constexpr std::array<MemberKey, 14> kMembers{{
    {"type", "ty", Member::kType},
    {"code", "cd", Member::kCode},
    {"market", "", Member::kCode},  // REST quotation answers
    {"timestamp", "tms", Member::kTimestamp},
    {"trade_timestamp", "ttms", Member::kTradeTimestamp},
    {"trade_price", "tp", Member::kTradePrice},
    {"trade_volume", "tv", Member::kTradeVolume},
    {"ask_bid", "ab", Member::kAskBid},
    {"sequential_id", "sid", Member::kSequentialId},
    {"acc_trade_volume_24h", "atv24h", Member::kAccTradeVolume24h},
    {"acc_trade_price_24h", "atp24h", Member::kAccTradePrice24h},
    {"orderbook_units", "obu", Member::kUnits},
    {"status", "", Member::kStatus},
    {"error", "", Member::kError},
}};

enum class UnitMember : std::uint8_t { kAskPrice, kBidPrice, kAskSize, kBidSize };

struct UnitKey {
  std::string_view name;
  std::string_view simple;
  UnitMember member;
};

constexpr std::array<UnitKey, 4> kUnitMembers{{
    {"ask_price", "ap", UnitMember::kAskPrice},
    {"bid_price", "bp", UnitMember::kBidPrice},
    {"ask_size", "as", UnitMember::kAskSize},
    {"bid_size", "bs", UnitMember::kBidSize},
}};

tl::unexpected<Error> mixed_keys(std::string_view key) {
  return make_error(ErrorCode::kInvalidArgument,
                    "Upbit object mixes DEFAULT and SIMPLE keys at " + quote_input(key));
}

// Records the key set `key` belongs to; an object must keep to one.
Status note_key_set(UpbitKeySet& keys, UpbitKeySet seen, std::string_view key) {
  if (keys == UpbitKeySet::kUnknown) {
    keys = seen;
  } else if (keys != seen) {
    return mixed_keys(key);
  }
  return ok();
}

template <class Key, std::size_t N>
const Key* find_key(const std::array<Key, N>& table, std::string_view key, UpbitKeySet& seen) {
  for (const Key& entry : table) {
    if (entry.name == key) {
      seen = UpbitKeySet::kDefault;
      return &entry;
    }
    if (!entry.simple.empty() && entry.simple == key) {
      seen = UpbitKeySet::kSimple;
      return &entry;
    }
  }
  return nullptr;
}

tl::unexpected<Error> missing(std::string_view what, std::string_view name, std::string_view simple) {
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("Upbit {} has no {} ({})", what, name, simple.empty() ? "-" : simple));
}

Status read_unit(simdjson::ondemand::object& unit, UpbitKeySet& keys, std::vector<model::BookLevel>& bids,
                 std::vector<model::BookLevel>& asks) {
  std::array<std::optional<Decimal>, kUnitMembers.size()> values{};
  const Status members = for_each_member(
      unit, "orderbook unit", [&](std::string_view key, simdjson::ondemand::value& value) -> Status {
        UpbitKeySet seen = UpbitKeySet::kUnknown;
        const UnitKey* entry = find_key(kUnitMembers, key, seen);
        if (entry == nullptr) {
          return ok();
        }
        KIMP_TRY(note_key_set(keys, seen, key));
        return assign(values[static_cast<std::size_t>(entry->member)], decimal_value(value, key));
      });
  KIMP_TRY(members);
  for (std::size_t i = 0; i < kUnitMembers.size(); ++i) {
    if (!values[i]) {
      return missing("orderbook unit", kUnitMembers[i].name, kUnitMembers[i].simple);
    }
  }
  const auto value_of = [&values](UnitMember member) { return *values[static_cast<std::size_t>(member)]; };
  if (!value_of(UnitMember::kBidSize).is_zero()) {
    bids.push_back(model::BookLevel{value_of(UnitMember::kBidPrice), value_of(UnitMember::kBidSize)});
  }
  if (!value_of(UnitMember::kAskSize).is_zero()) {
    asks.push_back(model::BookLevel{value_of(UnitMember::kAskPrice), value_of(UnitMember::kAskSize)});
  }
  return ok();
}

Status read_units(simdjson::ondemand::value& value, UpbitMarketFields& fields,
                  std::vector<model::BookLevel>& bids, std::vector<model::BookLevel>& asks) {
  fields.has_units = true;
  return for_each_object(value, "orderbook_units", [&](simdjson::ondemand::object& unit) -> Status {
    KIMP_TRY(read_unit(unit, fields.keys, bids, asks));
    ++fields.units;
    return ok();
  });
}

Status read_error(simdjson::ondemand::value& value, UpbitMarketFields& fields) {
  KIMP_TRY_ASSIGN(simdjson::ondemand::object error, object_value(value, "error object"));
  fields.has_error = true;
  return for_each_member(error, "error object",
                         [&fields](std::string_view key, simdjson::ondemand::value& member) -> Status {
                           if (key == "name") {
                             return assign(fields.error_name, string_value(member, "error.name"));
                           }
                           if (key == "message") {
                             return assign(fields.error_message, string_value(member, "error.message"));
                           }
                           return ok();
                         });
}

Status read_member(Member member, std::string_view key, simdjson::ondemand::value& value,
                   UpbitMarketFields& fields, std::vector<model::BookLevel>& bids,
                   std::vector<model::BookLevel>& asks) {
  switch (member) {
    case Member::kType: return assign(fields.type, string_value(value, key));
    case Member::kCode: return assign(fields.code, string_value(value, key));
    case Member::kTimestamp: return assign(fields.timestamp, ms_timestamp_value(value, key));
    case Member::kTradeTimestamp: return assign(fields.trade_timestamp, ms_timestamp_value(value, key));
    case Member::kTradePrice: return assign(fields.trade_price, decimal_value(value, key));
    case Member::kTradeVolume: return assign(fields.trade_volume, number_text(value, key));
    case Member::kAskBid: return assign(fields.ask_bid, string_value(value, key));
    case Member::kSequentialId: return assign(fields.sequential_id, uint_value(value, key));
    case Member::kAccTradeVolume24h: return assign(fields.acc_trade_volume_24h, decimal_value(value, key));
    case Member::kAccTradePrice24h: {
      KIMP_TRY_ASSIGN(const std::string_view text, number_text(value, key));
      return assign(fields.acc_trade_price_24h_whole, whole_part(text, key));
    }
    case Member::kUnits: return read_units(value, fields, bids, asks);
    case Member::kStatus: return assign(fields.status, string_value(value, key));
    case Member::kError: return read_error(value, fields);
  }
  return ok();
}

Result<model::Symbol> market_of(const UpbitMarketFields& fields) {
  if (fields.code.empty()) {
    return missing("message", "code", "cd");
  }
  return model::Symbol::create(fields.code);
}

}  // namespace

Status read_market_fields(simdjson::ondemand::object& object, UpbitMarketFields& fields,
                          std::vector<model::BookLevel>& bids, std::vector<model::BookLevel>& asks) {
  return for_each_member(object, "message",
                         [&](std::string_view key, simdjson::ondemand::value& value) -> Status {
                           UpbitKeySet seen = UpbitKeySet::kUnknown;
                           const MemberKey* entry = find_key(kMembers, key, seen);
                           if (entry == nullptr) {
                             return ok();
                           }
                           // status and error frames have no SIMPLE spelling and come in either format.
                           if (entry->member != Member::kStatus && entry->member != Member::kError) {
                             KIMP_TRY(note_key_set(fields.keys, seen, key));
                           }
                           return read_member(entry->member, key, value, fields, bids, asks);
                         });
}

Result<model::BookUpdate> to_book_update(const UpbitMarketFields& fields,
                                         const std::vector<model::BookLevel>& bids,
                                         const std::vector<model::BookLevel>& asks) {
  KIMP_TRY_ASSIGN(const model::Symbol symbol, market_of(fields));
  if (!fields.timestamp) {
    return missing("orderbook", "timestamp", "tms");
  }
  if (!fields.has_units) {
    return missing("orderbook", "orderbook_units", "obu");
  }
  model::BookUpdate book;
  book.venue = model::Venue::kUpbit;
  book.symbol = symbol;
  book.action = model::BookAction::kSnapshot;
  book.ts_event = *fields.timestamp;
  book.depth = fields.units;
  book.bids = bids;
  book.asks = asks;
  return book;
}

Result<model::Trade> to_trade(const UpbitMarketFields& fields) {
  KIMP_TRY_ASSIGN(const model::Symbol symbol, market_of(fields));
  if (!fields.trade_timestamp) {
    return missing("trade", "trade_timestamp", "ttms");
  }
  if (!fields.trade_price) {
    return missing("trade", "trade_price", "tp");
  }
  if (fields.trade_volume.empty()) {
    return missing("trade", "trade_volume", "tv");
  }
  auto volume = Decimal::parse(fields.trade_volume);
  if (!volume) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Upbit trade volume is not an exact decimal: " + quote_input(fields.trade_volume));
  }
  if (!fields.sequential_id) {
    return missing("trade", "sequential_id", "sid");
  }
  model::Trade trade;
  trade.venue = model::Venue::kUpbit;
  trade.symbol = symbol;
  trade.ts_event = *fields.trade_timestamp;
  trade.price = *fields.trade_price;
  trade.qty = *volume;
  trade.sequence = *fields.sequential_id;
  // ask_bid names the aggressor: ASK is a sell order taking the bids.
  if (fields.ask_bid == "ASK") {
    trade.taker_side = model::Side::kSell;
  } else if (fields.ask_bid == "BID") {
    trade.taker_side = model::Side::kBuy;
  } else if (fields.ask_bid.empty()) {
    return missing("trade", "ask_bid", "ab");
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      "Upbit trade ask_bid is neither ASK nor BID: " + quote_input(fields.ask_bid));
  }
  return trade;
}

Result<model::Ticker> to_ticker(const UpbitMarketFields& fields) {
  KIMP_TRY_ASSIGN(const model::Symbol symbol, market_of(fields));
  if (!fields.timestamp) {
    return missing("ticker", "timestamp", "tms");
  }
  if (!fields.trade_price) {
    return missing("ticker", "trade_price", "tp");
  }
  model::Ticker ticker;
  ticker.venue = model::Venue::kUpbit;
  ticker.symbol = symbol;
  ticker.ts_event = *fields.timestamp;
  ticker.last_price = fields.trade_price;
  ticker.volume_24h = fields.acc_trade_volume_24h;
  ticker.turnover_24h_krw = fields.acc_trade_price_24h_whole;
  return ticker;
}

}  // namespace kimp::venues::upbit::detail
