// Upbit REST answers read with simdjson On-Demand; amounts from their exact text.
#include "venues/upbit/parse_rest.hpp"

#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "core/text.hpp"
#include "venues/upbit/error.hpp"
#include "venues/upbit/json_fields.hpp"
#include "venues/upbit/market_fields.hpp"

namespace kimp::venues::upbit {
namespace {

using detail::assign;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

Status check_status(unsigned http_status, std::string_view body) {
  if (http_status < 200 || http_status >= 300) {
    return tl::unexpected<Error>(upbit_error(http_status, body));
  }
  return ok();
}

// One parsed answer. The document refers to the parser and the padded copy, so it stays where it is made.
class RestDocument {
 public:
  explicit RestDocument(std::string_view body) : padded_(body) {}

  // The root as a generic value. Errors: kInvalidArgument naming `what` when the body is not JSON.
  Result<value> root(std::string_view what) {
    if (const auto code = parser_.iterate(padded_).get(doc_); code != simdjson::SUCCESS) {
      return detail::json_failure(code, what);
    }
    value root;
    if (const auto code = doc_.get_value().get(root); code != simdjson::SUCCESS) {
      return detail::json_failure(code, what);
    }
    return root;
  }

 private:
  simdjson::padded_string padded_;
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document doc_;
};

tl::unexpected<Error> missing(std::string_view what, std::string_view member) {
  return make_error(ErrorCode::kInvalidArgument, fmt::format("Upbit {} has no {}", what, member));
}

template <class T>
Result<T> required(const std::optional<T>& field, std::string_view what, std::string_view member) {
  if (!field) {
    return missing(what, member);
  }
  return *field;
}

// An account record ({currency, balance, locked, avg_buy_price, ...}) as a Balance.
Result<model::Balance> read_balance(object& account, std::string_view what) {
  std::optional<std::string> currency;
  std::optional<Decimal> balance;
  std::optional<Decimal> locked;
  std::optional<Decimal> avg_buy_price;
  const Status members =
      detail::for_each_member(account, what, [&](std::string_view key, value& member) -> Status {
        if (key == "currency") {
          KIMP_TRY_ASSIGN(const std::string_view text, detail::string_value(member, key));
          currency = std::string(text);
        } else if (key == "balance") {
          return assign(balance, detail::decimal_value(member, key));
        } else if (key == "locked") {
          return assign(locked, detail::decimal_value(member, key));
        } else if (key == "avg_buy_price") {
          return assign(avg_buy_price, detail::decimal_value(member, key));
        }
        return ok();
      });
  KIMP_TRY(members);
  model::Balance out;
  out.venue = model::Venue::kUpbit;
  KIMP_TRY_ASSIGN(out.currency, required(currency, what, "currency"));
  KIMP_TRY_ASSIGN(out.available, required(balance, what, "balance"));
  KIMP_TRY_ASSIGN(out.locked, required(locked, what, "locked"));
  // A currency never bought (KRW itself) may come without an average price.
  out.avg_buy_price = avg_buy_price.value_or(Decimal());
  KIMP_TRY_ASSIGN(out.total, out.available.add(out.locked));
  return out;
}

struct OrderTotals {
  Decimal volume;
  Decimal funds;
  std::optional<Timestamp> last_at;
};

Status read_trades(value& trades, OrderTotals& totals) {
  return detail::for_each_object(trades, "order trades", [&totals](object& trade) -> Status {
    std::optional<Decimal> volume;
    std::optional<Decimal> funds;
    std::optional<Timestamp> at;
    const Status members =
        detail::for_each_member(trade, "order trade", [&](std::string_view key, value& member) -> Status {
          if (key == "volume") {
            return assign(volume, detail::decimal_value(member, key));
          }
          if (key == "funds") {
            return assign(funds, detail::decimal_value(member, key));
          }
          if (key == "created_at") {
            KIMP_TRY_ASSIGN(const std::string_view text, detail::string_value(member, key));
            return assign(at, Timestamp::parse_iso8601(text));
          }
          return ok();
        });
    KIMP_TRY(members);
    KIMP_TRY_ASSIGN(const Decimal trade_volume, required(volume, "order trade", "volume"));
    KIMP_TRY_ASSIGN(const Decimal trade_funds, required(funds, "order trade", "funds"));
    KIMP_TRY_ASSIGN(totals.volume, totals.volume.add(trade_volume));
    KIMP_TRY_ASSIGN(totals.funds, totals.funds.add(trade_funds));
    if (at && (!totals.last_at || *at > *totals.last_at)) {
      totals.last_at = at;
    }
    return ok();
  });
}

Result<model::Side> side_of(std::string_view text) {
  if (text == "bid") {
    return model::Side::kBuy;
  }
  if (text == "ask") {
    return model::Side::kSell;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "Upbit order side is neither bid nor ask: " + quote_input(text));
}

Result<model::OrderType> order_type_of(std::string_view text) {
  if (text == "limit") {
    return model::OrderType::kLimit;
  }
  if (text == "price") {
    return model::OrderType::kMarketKrw;
  }
  if (text == "market") {
    return model::OrderType::kMarket;
  }
  return make_error(ErrorCode::kInvalidArgument, "Upbit ord_type not handled: " + quote_input(text));
}

Result<model::TimeInForce> time_in_force_of(std::string_view text) {
  if (text == "ioc") {
    return model::TimeInForce::kIoc;
  }
  if (text == "fok") {
    return model::TimeInForce::kFok;
  }
  // post_only rests like a GTC order; the model has no separate value for it.
  if (text == "post_only") {
    return model::TimeInForce::kGtc;
  }
  return make_error(ErrorCode::kInvalidArgument, "Upbit time_in_force not handled: " + quote_input(text));
}

Result<model::OrderStatus> status_of(std::string_view state, Decimal executed_volume) {
  if (state == "wait" || state == "watch") {
    return executed_volume.is_positive() ? model::OrderStatus::kPartiallyFilled : model::OrderStatus::kNew;
  }
  if (state == "done") {
    return model::OrderStatus::kFilled;
  }
  if (state == "cancel") {
    return model::OrderStatus::kCancelled;
  }
  return make_error(ErrorCode::kInvalidArgument, "Upbit order state not handled: " + quote_input(state));
}

// The members of an order answer, read before any depends on another (ord_type decides what price means).
struct OrderFields {
  std::optional<std::string> uuid;
  std::string identifier;
  std::optional<std::string> market;
  std::optional<std::string> side;
  std::optional<std::string> ord_type;
  std::optional<std::string> state;
  std::optional<std::string> time_in_force;
  std::optional<std::string> created_at;
  std::optional<Decimal> price;
  std::optional<Decimal> volume;
  std::optional<Decimal> executed_volume;
  std::optional<Decimal> executed_funds;
  std::optional<Decimal> paid_fee;
  bool has_trades = false;
  OrderTotals trades;
};

Status read_order_member(std::string_view key, value& member, OrderFields& fields) {
  const auto text_into = [&](std::optional<std::string>& target) -> Status {
    bool is_null = false;
    if (member.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      return ok();
    }
    KIMP_TRY_ASSIGN(const std::string_view text, detail::string_value(member, key));
    target = std::string(text);
    return ok();
  };
  const auto decimal_into = [&](std::optional<Decimal>& target) -> Status {
    bool is_null = false;
    if (member.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      return ok();
    }
    return assign(target, detail::decimal_value(member, key));
  };
  if (key == "uuid") {
    return text_into(fields.uuid);
  }
  if (key == "identifier") {
    std::optional<std::string> identifier;
    KIMP_TRY(text_into(identifier));
    fields.identifier = identifier.value_or("");
    return ok();
  }
  if (key == "market") {
    return text_into(fields.market);
  }
  if (key == "side") {
    return text_into(fields.side);
  }
  if (key == "ord_type") {
    return text_into(fields.ord_type);
  }
  if (key == "state") {
    return text_into(fields.state);
  }
  if (key == "time_in_force") {
    return text_into(fields.time_in_force);
  }
  if (key == "created_at") {
    return text_into(fields.created_at);
  }
  if (key == "price") {
    return decimal_into(fields.price);
  }
  if (key == "volume") {
    return decimal_into(fields.volume);
  }
  if (key == "executed_volume") {
    return decimal_into(fields.executed_volume);
  }
  if (key == "executed_funds") {
    return decimal_into(fields.executed_funds);
  }
  if (key == "paid_fee") {
    return decimal_into(fields.paid_fee);
  }
  if (key == "trades") {
    fields.has_trades = true;
    return read_trades(member, fields.trades);
  }
  return ok();
}

Result<model::OrderReport> to_order_report(const OrderFields& fields) {
  constexpr std::string_view kWhat = "order";
  model::OrderReport report;
  report.venue = model::Venue::kUpbit;
  KIMP_TRY_ASSIGN(report.venue_order_id, required(fields.uuid, kWhat, "uuid"));
  report.client_order_id = fields.identifier;
  KIMP_TRY_ASSIGN(const std::string market, required(fields.market, kWhat, "market"));
  KIMP_TRY_ASSIGN(report.symbol, model::Symbol::create(market));
  KIMP_TRY_ASSIGN(const std::string side, required(fields.side, kWhat, "side"));
  KIMP_TRY_ASSIGN(report.side, side_of(side));
  KIMP_TRY_ASSIGN(const std::string ord_type, required(fields.ord_type, kWhat, "ord_type"));
  KIMP_TRY_ASSIGN(report.type, order_type_of(ord_type));
  if (fields.time_in_force) {
    KIMP_TRY_ASSIGN(report.time_in_force, time_in_force_of(*fields.time_in_force));
  }
  KIMP_TRY_ASSIGN(const Decimal executed, required(fields.executed_volume, kWhat, "executed_volume"));
  KIMP_TRY_ASSIGN(const std::string state, required(fields.state, kWhat, "state"));
  KIMP_TRY_ASSIGN(report.status, status_of(state, executed));
  report.filled_qty = executed;
  KIMP_TRY_ASSIGN(report.fee_paid, required(fields.paid_fee, kWhat, "paid_fee"));
  KIMP_TRY_ASSIGN(const std::string created_at, required(fields.created_at, kWhat, "created_at"));
  KIMP_TRY_ASSIGN(report.ts_created, Timestamp::parse_iso8601(created_at));
  report.ts_updated = fields.trades.last_at.value_or(report.ts_created);

  if (report.type == model::OrderType::kMarketKrw) {
    KIMP_TRY_ASSIGN(report.quote_amount, required(fields.price, kWhat, "price"));
  } else {
    report.price = fields.price.value_or(Decimal());  // a market sell has none
    KIMP_TRY_ASSIGN(report.qty, required(fields.volume, kWhat, "volume"));
  }
  if (report.type == model::OrderType::kLimit && !fields.price) {
    return missing(kWhat, "price");
  }

  if (fields.has_trades && fields.trades.volume.is_positive()) {
    KIMP_TRY_ASSIGN(report.avg_fill_price, fields.trades.funds.div(fields.trades.volume));
  } else if (fields.executed_funds && executed.is_positive()) {
    KIMP_TRY_ASSIGN(report.avg_fill_price, fields.executed_funds->div(executed));
  }
  return report;
}

// Decimal members of a nested object ({"currency":..,"min_total":..}) by name.
Status read_min_total(value& member, std::string_view what, Decimal& min_total) {
  KIMP_TRY_ASSIGN(object side, detail::object_value(member, what));
  std::optional<Decimal> found;
  const Status members =
      detail::for_each_member(side, what, [&found](std::string_view key, value& inner) -> Status {
        if (key == "min_total") {
          return assign(found, detail::decimal_value(inner, key));
        }
        return ok();
      });
  KIMP_TRY(members);
  KIMP_TRY_ASSIGN(min_total, required(found, what, "min_total"));
  return ok();
}

Status read_chance_market(value& member, UpbitOrderChance& chance) {
  KIMP_TRY_ASSIGN(object market, detail::object_value(member, "order chance market"));
  bool has_bid = false;
  bool has_ask = false;
  const Status members = detail::for_each_member(
      market, "order chance market", [&](std::string_view key, value& inner) -> Status {
        if (key == "id") {
          KIMP_TRY_ASSIGN(const std::string_view id, detail::string_value(inner, key));
          return assign(chance.market, model::Symbol::create(id));
        }
        if (key == "bid") {
          has_bid = true;
          return read_min_total(inner, "order chance market.bid", chance.bid_min_total);
        }
        if (key == "ask") {
          has_ask = true;
          return read_min_total(inner, "order chance market.ask", chance.ask_min_total);
        }
        if (key == "max_total") {
          return assign(chance.max_total, detail::decimal_value(inner, key));
        }
        return ok();
      });
  KIMP_TRY(members);
  if (chance.market.empty()) {
    return missing("order chance market", "id");
  }
  if (!has_bid || !has_ask) {
    return missing("order chance market", has_bid ? "ask" : "bid");
  }
  return ok();
}

Result<UpbitOrderChance> read_order_chance(object& root) {
  constexpr std::string_view kWhat = "order chance";
  UpbitOrderChance chance;
  std::optional<Decimal> bid_fee;
  std::optional<Decimal> ask_fee;
  std::optional<Decimal> maker_bid_fee;
  std::optional<Decimal> maker_ask_fee;
  std::optional<model::Balance> bid_account;
  std::optional<model::Balance> ask_account;
  bool has_market = false;
  const Status members =
      detail::for_each_member(root, kWhat, [&](std::string_view key, value& member) -> Status {
        if (key == "bid_fee") {
          return assign(bid_fee, detail::decimal_value(member, key));
        }
        if (key == "ask_fee") {
          return assign(ask_fee, detail::decimal_value(member, key));
        }
        if (key == "maker_bid_fee") {
          return assign(maker_bid_fee, detail::decimal_value(member, key));
        }
        if (key == "maker_ask_fee") {
          return assign(maker_ask_fee, detail::decimal_value(member, key));
        }
        if (key == "market") {
          has_market = true;
          return read_chance_market(member, chance);
        }
        if (key == "bid_account" || key == "ask_account") {
          KIMP_TRY_ASSIGN(object account, detail::object_value(member, key));
          return assign(key == "bid_account" ? bid_account : ask_account, read_balance(account, key));
        }
        return ok();
      });
  KIMP_TRY(members);
  KIMP_TRY_ASSIGN(chance.bid_fee, required(bid_fee, kWhat, "bid_fee"));
  KIMP_TRY_ASSIGN(chance.ask_fee, required(ask_fee, kWhat, "ask_fee"));
  // Older answers carry no maker rates; Upbit then charges the taker rate to makers too.
  chance.maker_bid_fee = maker_bid_fee.value_or(chance.bid_fee);
  chance.maker_ask_fee = maker_ask_fee.value_or(chance.ask_fee);
  if (!has_market) {
    return missing(kWhat, "market");
  }
  KIMP_TRY_ASSIGN(chance.bid_account, required(bid_account, kWhat, "bid_account"));
  KIMP_TRY_ASSIGN(chance.ask_account, required(ask_account, kWhat, "ask_account"));
  return chance;
}

// market_event.warning (is_details=true, current) or market_warning "CAUTION" (its older form).
Status read_market_event(value& member, bool& warning) {
  KIMP_TRY_ASSIGN(object event, detail::object_value(member, "market_event"));
  return detail::for_each_member(event, "market_event",
                                 [&warning](std::string_view key, value& inner) -> Status {
                                   if (key == "warning") {
                                     return assign(warning, detail::bool_value(inner, key));
                                   }
                                   return ok();
                                 });
}

}  // namespace

Result<std::vector<model::Balance>> parse_accounts(unsigned http_status, std::string_view body) {
  KIMP_TRY(check_status(http_status, body));
  RestDocument doc(body);
  KIMP_TRY_ASSIGN(value root, doc.root("accounts answer"));
  std::vector<model::Balance> balances;
  const Status elements =
      detail::for_each_object(root, "accounts answer", [&balances](object& account) -> Status {
        KIMP_TRY_ASSIGN(model::Balance balance, read_balance(account, "account"));
        balances.push_back(std::move(balance));
        return ok();
      });
  KIMP_TRY(elements);
  return balances;
}

Result<UpbitOrderChance> parse_order_chance(unsigned http_status, std::string_view body) {
  KIMP_TRY(check_status(http_status, body));
  RestDocument doc(body);
  KIMP_TRY_ASSIGN(value root, doc.root("order chance answer"));
  simdjson::ondemand::json_type type{};
  if (const auto code = root.type().get(type); code != simdjson::SUCCESS) {
    return detail::json_failure(code, "order chance answer");
  }
  if (type == simdjson::ondemand::json_type::object) {
    KIMP_TRY_ASSIGN(object chance, detail::object_value(root, "order chance answer"));
    return read_order_chance(chance);
  }
  std::optional<UpbitOrderChance> only;
  std::size_t count = 0;
  const Status elements = detail::for_each_object(root, "order chance answer", [&](object& chance) -> Status {
    ++count;
    return assign(only, read_order_chance(chance));
  });
  KIMP_TRY(elements);
  if (count != 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("Upbit order chance answer holds {} entries, not one", count));
  }
  return *only;
}

Result<model::OrderReport> parse_order(unsigned http_status, std::string_view body) {
  KIMP_TRY(check_status(http_status, body));
  RestDocument doc(body);
  KIMP_TRY_ASSIGN(value root, doc.root("order answer"));
  KIMP_TRY_ASSIGN(object order, detail::object_value(root, "order answer"));
  OrderFields fields;
  const Status members = detail::for_each_member(
      order, "order answer",
      [&fields](std::string_view key, value& member) { return read_order_member(key, member, fields); });
  KIMP_TRY(members);
  return to_order_report(fields);
}

Result<UpbitOrderbookSnapshots> parse_orderbook(unsigned http_status, std::string_view body) {
  KIMP_TRY(check_status(http_status, body));
  RestDocument doc(body);
  KIMP_TRY_ASSIGN(value root, doc.root("orderbook answer"));
  UpbitOrderbookSnapshots out;
  // Levels of every book go to one vector; spans are taken once it has stopped growing.
  struct Extent {
    std::size_t bids_at;
    std::size_t bid_count;
    std::size_t asks_at;
    std::size_t ask_count;
  };
  std::vector<Extent> extents;
  std::vector<model::BookLevel> bids;
  std::vector<model::BookLevel> asks;
  const Status elements = detail::for_each_object(root, "orderbook answer", [&](object& entry) -> Status {
    bids.clear();
    asks.clear();
    detail::UpbitMarketFields fields;
    KIMP_TRY(detail::read_market_fields(entry, fields, bids, asks));
    if (fields.keys == detail::UpbitKeySet::kSimple) {
      return make_error(ErrorCode::kInvalidArgument, "Upbit orderbook answer uses SIMPLE keys");
    }
    KIMP_TRY_ASSIGN(const model::BookUpdate book, detail::to_book_update(fields, bids, asks));
    Extent extent{out.levels.size(), bids.size(), 0, asks.size()};
    out.levels.insert(out.levels.end(), bids.begin(), bids.end());
    extent.asks_at = out.levels.size();
    out.levels.insert(out.levels.end(), asks.begin(), asks.end());
    out.books.push_back(book);
    extents.push_back(extent);
    return ok();
  });
  KIMP_TRY(elements);
  const std::span<const model::BookLevel> all(out.levels);
  for (std::size_t i = 0; i < out.books.size(); ++i) {
    out.books[i].bids = all.subspan(extents[i].bids_at, extents[i].bid_count);
    out.books[i].asks = all.subspan(extents[i].asks_at, extents[i].ask_count);
  }
  return out;
}

Result<std::vector<model::Ticker>> parse_tickers(unsigned http_status, std::string_view body) {
  KIMP_TRY(check_status(http_status, body));
  RestDocument doc(body);
  KIMP_TRY_ASSIGN(value root, doc.root("ticker answer"));
  std::vector<model::Ticker> tickers;
  std::vector<model::BookLevel> unused_bids;
  std::vector<model::BookLevel> unused_asks;
  const Status elements = detail::for_each_object(root, "ticker answer", [&](object& entry) -> Status {
    detail::UpbitMarketFields fields;
    KIMP_TRY(detail::read_market_fields(entry, fields, unused_bids, unused_asks));
    KIMP_TRY_ASSIGN(const model::Ticker ticker, detail::to_ticker(fields));
    tickers.push_back(ticker);
    return ok();
  });
  KIMP_TRY(elements);
  return tickers;
}

Result<std::vector<model::Trade>> parse_trade_ticks(unsigned http_status, std::string_view body) {
  KIMP_TRY(check_status(http_status, body));
  RestDocument doc(body);
  KIMP_TRY_ASSIGN(value root, doc.root("trade ticks answer"));
  std::vector<model::Trade> trades;
  std::vector<model::BookLevel> unused_bids;
  std::vector<model::BookLevel> unused_asks;
  const Status elements = detail::for_each_object(root, "trade ticks answer", [&](object& entry) -> Status {
    detail::UpbitMarketFields fields;
    KIMP_TRY(detail::read_market_fields(entry, fields, unused_bids, unused_asks));
    fields.trade_timestamp = fields.timestamp;
    KIMP_TRY_ASSIGN(const model::Trade trade, detail::to_trade(fields));
    trades.push_back(trade);
    return ok();
  });
  KIMP_TRY(elements);
  return trades;
}

Result<std::vector<UpbitTickSize>> parse_orderbook_instruments(unsigned http_status, std::string_view body) {
  KIMP_TRY(check_status(http_status, body));
  RestDocument doc(body);
  KIMP_TRY_ASSIGN(value root, doc.root("orderbook instruments answer"));
  std::vector<UpbitTickSize> ticks;
  const Status elements =
      detail::for_each_object(root, "orderbook instruments answer", [&ticks](object& entry) -> Status {
        std::optional<model::Symbol> market;
        std::optional<Decimal> tick_size;
        const Status members = detail::for_each_member(
            entry, "orderbook instrument", [&](std::string_view key, value& member) -> Status {
              if (key == "market") {
                KIMP_TRY_ASSIGN(const std::string_view text, detail::string_value(member, key));
                return assign(market, model::Symbol::create(text));
              }
              if (key == "tick_size") {
                return assign(tick_size, detail::decimal_value(member, key));
              }
              return ok();
            });
        KIMP_TRY(members);
        KIMP_TRY_ASSIGN(const model::Symbol symbol, required(market, "orderbook instrument", "market"));
        KIMP_TRY_ASSIGN(const Decimal tick, required(tick_size, "orderbook instrument", "tick_size"));
        if (!tick.is_positive()) {
          return make_error(ErrorCode::kInvalidArgument, "Upbit tick_size of " + std::string(symbol.view()) +
                                                             " is not positive: " + tick.to_string());
        }
        ticks.push_back(UpbitTickSize{symbol, tick});
        return ok();
      });
  KIMP_TRY(elements);
  return ticks;
}

Result<std::vector<UpbitMarket>> parse_markets(unsigned http_status, std::string_view body) {
  KIMP_TRY(check_status(http_status, body));
  RestDocument doc(body);
  KIMP_TRY_ASSIGN(value root, doc.root("market list"));
  std::vector<UpbitMarket> markets;
  const Status elements = detail::for_each_object(root, "market list", [&markets](object& entry) -> Status {
    std::optional<std::string> code;
    std::string english_name;
    bool warning = false;
    KIMP_TRY(detail::for_each_member(entry, "market", [&](std::string_view key, value& member) -> Status {
      if (key == "market") {
        KIMP_TRY_ASSIGN(const std::string_view text, detail::string_value(member, key));
        code = std::string(text);
      } else if (key == "english_name") {
        KIMP_TRY_ASSIGN(const std::string_view text, detail::string_value(member, key));
        english_name = std::string(text);
      } else if (key == "market_event") {
        return read_market_event(member, warning);
      } else if (key == "market_warning") {
        KIMP_TRY_ASSIGN(const std::string_view text, detail::string_value(member, key));
        warning = warning || text == "CAUTION";
      }
      return ok();
    }));
    KIMP_TRY_ASSIGN(const std::string market, required(code, "market list entry", "market"));
    if (!market.starts_with("KRW-")) {
      return ok();
    }
    KIMP_TRY_ASSIGN(const model::Symbol symbol, model::Symbol::create(market));
    markets.push_back(UpbitMarket{symbol, market.substr(4), std::move(english_name), warning});
    return ok();
  });
  KIMP_TRY(elements);
  return markets;
}

}  // namespace kimp::venues::upbit
