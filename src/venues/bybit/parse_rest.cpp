// Bybit v5 REST answers to domain types: envelope and retCode first, then each field checked and exact.
#include "venues/bybit/parse_rest.hpp"

#include <string>
#include <utility>

#include "core/text.hpp"
#include "venues/bybit/error.hpp"
#include "venues/bybit/parse_fields.hpp"

namespace kimp::venues::bybit {
namespace {

constexpr unsigned kHttpOkFirst = 200;
constexpr unsigned kHttpOkLast = 299;

bool http_ok(unsigned status) {
  return status >= kHttpOkFirst && status <= kHttpOkLast;
}

tl::unexpected<Error> invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

// set-margin-mode explains a refusal in result.reasons[]; the first reason is enough to act on.
std::string first_reason(simdjson::dom::object root) {
  simdjson::dom::object first;
  std::string_view message;
  std::string_view code;
  if (root["result"]["reasons"].at(0).get(first) != simdjson::SUCCESS ||
      first["reasonMsg"].get(message) != simdjson::SUCCESS) {
    return {};
  }
  std::string text = "; reason " + quote_input(message);
  if (first["reasonCode"].get(code) == simdjson::SUCCESS) {
    text += " [" + quote_input(code) + "]";
  }
  return text;
}

// A successful answer's envelope: its result object and its `time`, when present.
struct Envelope {
  simdjson::dom::object result;
  std::optional<Timestamp> time;
};

Result<Envelope> read_envelope(simdjson::dom::parser& parser, unsigned http_status, std::string_view body) {
  auto root_element = parse_json(parser, body);
  simdjson::dom::object root;
  std::int64_t ret_code = 0;
  if (!root_element || root_element->get(root) != simdjson::SUCCESS ||
      root["retCode"].get(ret_code) != simdjson::SUCCESS) {
    if (!http_ok(http_status)) {
      return tl::unexpected(bybit_http_error(http_status, body));
    }
    return invalid("Bybit answer is not an envelope with an integer retCode: " + quote_input(body));
  }
  if (ret_code != kBybitRetOk || !http_ok(http_status)) {
    std::string_view ret_msg;
    if (root["retMsg"].get(ret_msg) != simdjson::SUCCESS) {
      ret_msg = {};
    }
    Error error = bybit_error(http_status, ret_code, ret_msg);
    error.message += first_reason(root);
    return tl::unexpected(std::move(error));
  }
  Envelope envelope;
  KIMP_TRY_ASSIGN(envelope.result, object_field(root, "result"));
  if (root["time"].error() != simdjson::NO_SUCH_FIELD) {
    KIMP_TRY_ASSIGN(envelope.time, ms_timestamp_field(root, "time"));
  }
  return envelope;
}

// Every element of result.list as an object.
template <class Parse>
Status for_each_record(simdjson::dom::object result, Parse&& parse) {
  KIMP_TRY_ASSIGN(const auto list, array_field(result, "list"));
  for (const auto element : list) {
    KIMP_TRY_ASSIGN(const auto record, as_object(element, "list[]"));
    KIMP_TRY(parse(record));
  }
  return ok();
}

Result<std::string> cursor_of(simdjson::dom::object result) {
  KIMP_TRY_ASSIGN(const auto cursor, optional_string_field(result, "nextPageCursor"));
  return std::string(cursor.value_or(""));
}

// A side of the book: [["price","size"], ...], strictly ordered best first (descending for bids).
Result<std::vector<model::BookLevel>> read_levels(simdjson::dom::object result, std::string_view key,
                                                  bool descending) {
  KIMP_TRY_ASSIGN(const auto array, array_field(result, key));
  std::vector<model::BookLevel> levels;
  levels.reserve(array.size());
  for (const auto element : array) {
    simdjson::dom::array pair;
    std::string_view price_text;
    std::string_view qty_text;
    if (element.get(pair) != simdjson::SUCCESS || pair.size() != 2 ||
        pair.at(0).get(price_text) != simdjson::SUCCESS || pair.at(1).get(qty_text) != simdjson::SUCCESS) {
      return invalid("Bybit orderbook \"" + std::string(key) +
                     "\": a level is not a [price, size] string pair");
    }
    auto price = Decimal::parse(price_text);
    auto qty = Decimal::parse(qty_text);
    if (!price || !qty || !price->is_positive() || !qty->is_positive()) {
      return invalid("Bybit orderbook \"" + std::string(key) + "\": invalid level [" +
                     quote_input(price_text) + ", " + quote_input(qty_text) + "]");
    }
    if (!levels.empty() && (descending ? *price >= levels.back().price : *price <= levels.back().price)) {
      return invalid("Bybit orderbook \"" + std::string(key) + "\": price " + price->to_string() +
                     " out of order after " + levels.back().price.to_string());
    }
    levels.push_back(model::BookLevel{*price, *qty});
  }
  return levels;
}

Result<model::OrderStatus> order_status(std::string_view text) {
  if (text == "New" || text == "Untriggered" || text == "Triggered") {
    return model::OrderStatus::kNew;
  }
  if (text == "PartiallyFilled") {
    return model::OrderStatus::kPartiallyFilled;
  }
  if (text == "Filled") {
    return model::OrderStatus::kFilled;
  }
  if (text == "Cancelled" || text == "PartiallyFilledCanceled" || text == "Deactivated") {
    return model::OrderStatus::kCancelled;
  }
  if (text == "Rejected") {
    return model::OrderStatus::kRejected;
  }
  return invalid("Bybit field \"orderStatus\": unknown status " + quote_input(text));
}

Result<model::OrderType> order_type(std::string_view text) {
  if (text == "Market") {
    return model::OrderType::kMarket;
  }
  if (text == "Limit") {
    return model::OrderType::kLimit;
  }
  return invalid("Bybit field \"orderType\": unknown type " + quote_input(text));
}

Result<model::TimeInForce> time_in_force(std::string_view text) {
  if (text == "GTC" || text == "PostOnly") {
    return model::TimeInForce::kGtc;
  }
  if (text == "IOC") {
    return model::TimeInForce::kIoc;
  }
  if (text == "FOK") {
    return model::TimeInForce::kFok;
  }
  return invalid("Bybit field \"timeInForce\": unknown value " + quote_input(text));
}

Result<model::Instrument> instrument_record(simdjson::dom::object record, bool linear) {
  model::Instrument instrument;
  instrument.venue = model::Venue::kBybit;
  KIMP_TRY_ASSIGN(instrument.symbol, symbol_field(record, "symbol"));
  KIMP_TRY_ASSIGN(const auto base, string_field(record, "baseCoin"));
  KIMP_TRY_ASSIGN(const auto quote, string_field(record, "quoteCoin"));
  KIMP_TRY_ASSIGN(const auto status, string_field(record, "status"));
  instrument.base = std::string(base);
  instrument.quote = std::string(quote);
  instrument.trading = status == "Trading";
  KIMP_TRY_ASSIGN(const auto price_filter, object_field(record, "priceFilter"));
  KIMP_TRY_ASSIGN(const auto lot_filter, object_field(record, "lotSizeFilter"));
  KIMP_TRY_ASSIGN(instrument.tick_size, decimal_field(price_filter, "tickSize"));
  KIMP_TRY_ASSIGN(instrument.min_qty, decimal_field(lot_filter, "minOrderQty"));
  if (linear) {
    KIMP_TRY_ASSIGN(instrument.qty_step, decimal_field(lot_filter, "qtyStep"));
    KIMP_TRY_ASSIGN(instrument.max_qty, decimal_field(lot_filter, "maxMktOrderQty"));
    KIMP_TRY_ASSIGN(instrument.min_notional, decimal_field(lot_filter, "minNotionalValue"));
  } else {
    KIMP_TRY_ASSIGN(instrument.qty_step, decimal_field(lot_filter, "basePrecision"));
    KIMP_TRY_ASSIGN(instrument.max_qty, decimal_field(lot_filter, "maxOrderQty"));
    KIMP_TRY_ASSIGN(instrument.min_notional, decimal_field(lot_filter, "minOrderAmt"));
  }
  if (!instrument.tick_size.is_positive() || !instrument.qty_step.is_positive()) {
    return invalid("Bybit instrument " + std::string(instrument.symbol.view()) +
                   ": tick size and quantity step must be positive");
  }
  return instrument;
}

Result<model::Ticker> ticker_record(simdjson::dom::object record, std::optional<Timestamp> time) {
  model::Ticker ticker;
  ticker.venue = model::Venue::kBybit;
  KIMP_TRY_ASSIGN(ticker.symbol, symbol_field(record, "symbol"));
  ticker.ts_event = time.value_or(Timestamp{});
  KIMP_TRY_ASSIGN(ticker.last_price, optional_decimal_field(record, "lastPrice"));
  KIMP_TRY_ASSIGN(ticker.bid_price, optional_decimal_field(record, "bid1Price"));
  KIMP_TRY_ASSIGN(ticker.ask_price, optional_decimal_field(record, "ask1Price"));
  KIMP_TRY_ASSIGN(ticker.mark_price, optional_decimal_field(record, "markPrice"));
  KIMP_TRY_ASSIGN(ticker.index_price, optional_decimal_field(record, "indexPrice"));
  KIMP_TRY_ASSIGN(ticker.funding_rate, optional_decimal_field(record, "fundingRate"));
  KIMP_TRY_ASSIGN(ticker.volume_24h, optional_decimal_field(record, "volume24h"));
  KIMP_TRY_ASSIGN(ticker.turnover_24h, optional_decimal_field(record, "turnover24h"));
  KIMP_TRY_ASSIGN(const auto next_funding, optional_string_field(record, "nextFundingTime"));
  if (next_funding && !next_funding->empty()) {
    KIMP_TRY_ASSIGN(ticker.next_funding_time, ms_timestamp_field(record, "nextFundingTime"));
  }
  return ticker;
}

}  // namespace

Result<model::OrderReport> parse_order_record(simdjson::dom::object record) {
  model::OrderReport order;
  order.venue = model::Venue::kBybit;
  KIMP_TRY_ASSIGN(order.symbol, symbol_field(record, "symbol"));
  KIMP_TRY_ASSIGN(const auto order_id, string_field(record, "orderId"));
  KIMP_TRY_ASSIGN(const auto link_id, string_field(record, "orderLinkId"));
  order.venue_order_id = std::string(order_id);
  order.client_order_id = std::string(link_id);
  KIMP_TRY_ASSIGN(order.side, side_field(record, "side"));
  KIMP_TRY_ASSIGN(const auto type_text, string_field(record, "orderType"));
  KIMP_TRY_ASSIGN(order.type, order_type(type_text));
  KIMP_TRY_ASSIGN(const auto tif_text, string_field(record, "timeInForce"));
  KIMP_TRY_ASSIGN(order.time_in_force, time_in_force(tif_text));
  KIMP_TRY_ASSIGN(const auto status_text, string_field(record, "orderStatus"));
  KIMP_TRY_ASSIGN(order.status, order_status(status_text));
  if (order.type == model::OrderType::kLimit) {
    KIMP_TRY_ASSIGN(order.price, decimal_field(record, "price"));
  }
  KIMP_TRY_ASSIGN(order.qty, decimal_field(record, "qty"));
  KIMP_TRY_ASSIGN(order.filled_qty, decimal_field(record, "cumExecQty"));
  KIMP_TRY_ASSIGN(order.avg_fill_price, decimal_or_zero_field(record, "avgPrice"));
  KIMP_TRY_ASSIGN(order.fee_paid, decimal_or_zero_field(record, "cumExecFee"));
  KIMP_TRY_ASSIGN(order.reduce_only, bool_field(record, "reduceOnly"));
  KIMP_TRY_ASSIGN(order.ts_created, ms_timestamp_field(record, "createdTime"));
  KIMP_TRY_ASSIGN(order.ts_updated, ms_timestamp_field(record, "updatedTime"));
  return order;
}

Result<std::optional<model::Execution>> parse_execution_record(simdjson::dom::object record) {
  KIMP_TRY_ASSIGN(const auto exec_type, string_field(record, "execType"));
  if (exec_type == "Funding") {
    return std::nullopt;
  }
  model::Execution fill;
  fill.venue = model::Venue::kBybit;
  KIMP_TRY_ASSIGN(fill.symbol, symbol_field(record, "symbol"));
  KIMP_TRY_ASSIGN(const auto order_id, string_field(record, "orderId"));
  KIMP_TRY_ASSIGN(const auto link_id, string_field(record, "orderLinkId"));
  KIMP_TRY_ASSIGN(const auto exec_id, string_field(record, "execId"));
  if (exec_id.empty()) {
    return invalid("Bybit field \"execId\": empty");
  }
  fill.venue_order_id = std::string(order_id);
  fill.client_order_id = std::string(link_id);
  fill.execution_id = std::string(exec_id);
  KIMP_TRY_ASSIGN(fill.side, side_field(record, "side"));
  KIMP_TRY_ASSIGN(fill.price, decimal_field(record, "execPrice"));
  KIMP_TRY_ASSIGN(fill.qty, decimal_field(record, "execQty"));
  KIMP_TRY_ASSIGN(fill.fee, decimal_field(record, "execFee"));
  KIMP_TRY_ASSIGN(fill.is_maker, bool_field(record, "isMaker"));
  KIMP_TRY_ASSIGN(fill.ts_event, ms_timestamp_field(record, "execTime"));
  return std::optional<model::Execution>(std::move(fill));
}

Result<model::PositionReport> parse_position_record(simdjson::dom::object record, BybitSource source) {
  model::PositionReport position;
  position.venue = model::Venue::kBybit;
  KIMP_TRY_ASSIGN(position.symbol, symbol_field(record, "symbol"));
  KIMP_TRY_ASSIGN(position.size, decimal_field(record, "size"));
  if (position.size.is_negative()) {
    return invalid("Bybit field \"size\": negative " + position.size.to_string());
  }
  KIMP_TRY_ASSIGN(const auto side_text, string_field(record, "side"));
  if (!side_text.empty() || !position.size.is_zero()) {
    KIMP_TRY_ASSIGN(position.side, side_field(record, "side"));
  }
  const std::string_view entry_key = source == BybitSource::kRest ? "avgPrice" : "entryPrice";
  KIMP_TRY_ASSIGN(position.avg_entry_price, decimal_or_zero_field(record, entry_key));
  KIMP_TRY_ASSIGN(position.mark_price, decimal_field(record, "markPrice"));
  KIMP_TRY_ASSIGN(position.unrealised_pnl, decimal_or_zero_field(record, "unrealisedPnl"));
  KIMP_TRY_ASSIGN(position.realised_pnl, decimal_field(record, "cumRealisedPnl"));
  KIMP_TRY_ASSIGN(position.leverage, decimal_or_zero_field(record, "leverage"));
  KIMP_TRY_ASSIGN(position.liquidation_price, decimal_or_zero_field(record, "liqPrice"));
  if (source == BybitSource::kRest) {
    KIMP_TRY_ASSIGN(const auto trade_mode, integer_field(record, "tradeMode"));
    if (trade_mode != 0 && trade_mode != 1) {
      return invalid("Bybit field \"tradeMode\": expected 0 or 1, got " + std::to_string(trade_mode));
    }
    position.isolated_margin = trade_mode == 1;
  }
  KIMP_TRY_ASSIGN(position.ts_updated, ms_timestamp_field(record, "updatedTime"));
  return position;
}

Result<BybitWalletBalance> parse_wallet_record(simdjson::dom::object record) {
  BybitWalletBalance wallet;
  KIMP_TRY_ASSIGN(const auto account_type, string_field(record, "accountType"));
  wallet.account_type = std::string(account_type);
  KIMP_TRY_ASSIGN(wallet.total_equity, optional_decimal_field(record, "totalEquity"));
  KIMP_TRY_ASSIGN(wallet.total_wallet_balance, optional_decimal_field(record, "totalWalletBalance"));
  KIMP_TRY_ASSIGN(wallet.total_margin_balance, optional_decimal_field(record, "totalMarginBalance"));
  KIMP_TRY_ASSIGN(wallet.total_available_balance, optional_decimal_field(record, "totalAvailableBalance"));
  KIMP_TRY_ASSIGN(wallet.total_perp_upl, optional_decimal_field(record, "totalPerpUPL"));
  KIMP_TRY_ASSIGN(wallet.total_initial_margin, optional_decimal_field(record, "totalInitialMargin"));
  KIMP_TRY_ASSIGN(wallet.total_maintenance_margin, optional_decimal_field(record, "totalMaintenanceMargin"));
  KIMP_TRY_ASSIGN(wallet.account_im_rate, optional_decimal_field(record, "accountIMRate"));
  KIMP_TRY_ASSIGN(wallet.account_mm_rate, optional_decimal_field(record, "accountMMRate"));
  KIMP_TRY_ASSIGN(const auto coins, array_field(record, "coin"));
  for (const auto element : coins) {
    KIMP_TRY_ASSIGN(const auto coin, as_object(element, "coin[]"));
    model::Balance balance;
    balance.venue = model::Venue::kBybit;
    KIMP_TRY_ASSIGN(const auto currency, string_field(coin, "coin"));
    if (currency.empty()) {
      return invalid("Bybit field \"coin\": empty");
    }
    balance.currency = std::string(currency);
    KIMP_TRY_ASSIGN(balance.total, decimal_field(coin, "equity"));
    KIMP_TRY_ASSIGN(balance.available, decimal_field(coin, "walletBalance"));
    KIMP_TRY_ASSIGN(balance.locked, decimal_or_zero_field(coin, "locked"));
    KIMP_TRY_ASSIGN(balance.coin_value, decimal_or_zero_field(coin, "unrealisedPnl"));
    wallet.coins.push_back(std::move(balance));
  }
  return wallet;
}

Result<Timestamp> parse_server_time(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  KIMP_TRY_ASSIGN(const auto nano, optional_string_field(envelope.result, "timeNano"));
  if (nano && !nano->empty()) {
    KIMP_TRY_ASSIGN(const auto ns, parse_int64(*nano, "Bybit field \"timeNano\""));
    return Timestamp::from_ns(ns);
  }
  KIMP_TRY_ASSIGN(const auto seconds, integer_field(envelope.result, "timeSecond"));
  auto at = Timestamp::from_seconds(seconds);
  if (!at) {
    return invalid("Bybit field \"timeSecond\": out of range " + std::to_string(seconds));
  }
  return *at;
}

Result<BybitInstrumentsPage> parse_instruments(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  KIMP_TRY_ASSIGN(const auto category, string_field(envelope.result, "category"));
  if (category != "linear" && category != "spot") {
    return invalid("Bybit instruments: unsupported category " + quote_input(category));
  }
  BybitInstrumentsPage page;
  KIMP_TRY(for_each_record(envelope.result, [&](simdjson::dom::object record) -> Status {
    KIMP_TRY_ASSIGN(auto instrument, instrument_record(record, category == "linear"));
    page.instruments.push_back(std::move(instrument));
    return ok();
  }));
  KIMP_TRY_ASSIGN(page.next_page_cursor, cursor_of(envelope.result));
  return page;
}

Result<BybitOrderbookSnapshot> parse_orderbook(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  BybitOrderbookSnapshot book;
  KIMP_TRY_ASSIGN(book.symbol, symbol_field(envelope.result, "s"));
  KIMP_TRY_ASSIGN(book.ts_event, ms_timestamp_field(envelope.result, "ts"));
  KIMP_TRY_ASSIGN(book.update_id, unsigned_field(envelope.result, "u"));
  KIMP_TRY_ASSIGN(book.sequence, unsigned_field(envelope.result, "seq"));
  KIMP_TRY_ASSIGN(book.bids, read_levels(envelope.result, "b", true));
  KIMP_TRY_ASSIGN(book.asks, read_levels(envelope.result, "a", false));
  if (!book.bids.empty() && !book.asks.empty() && book.bids.front().price >= book.asks.front().price) {
    return invalid("Bybit orderbook " + std::string(book.symbol.view()) + ": crossed, best bid " +
                   book.bids.front().price.to_string() + " >= best ask " +
                   book.asks.front().price.to_string());
  }
  return book;
}

Result<std::vector<model::Ticker>> parse_tickers(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  std::vector<model::Ticker> tickers;
  KIMP_TRY(for_each_record(envelope.result, [&](simdjson::dom::object record) -> Status {
    KIMP_TRY_ASSIGN(const auto ticker, ticker_record(record, envelope.time));
    tickers.push_back(ticker);
    return ok();
  }));
  return tickers;
}

Result<std::vector<BybitFundingRate>> parse_funding_history(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  std::vector<BybitFundingRate> rates;
  KIMP_TRY(for_each_record(envelope.result, [&](simdjson::dom::object record) -> Status {
    BybitFundingRate rate;
    KIMP_TRY_ASSIGN(rate.symbol, symbol_field(record, "symbol"));
    KIMP_TRY_ASSIGN(rate.rate, decimal_field(record, "fundingRate"));
    KIMP_TRY_ASSIGN(rate.settled_at, ms_timestamp_field(record, "fundingRateTimestamp"));
    rates.push_back(rate);
    return ok();
  }));
  return rates;
}

Result<BybitWalletBalance> parse_wallet_balance(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  KIMP_TRY_ASSIGN(const auto list, array_field(envelope.result, "list"));
  if (list.size() != 1) {
    return invalid("Bybit wallet balance: expected one account, got " + std::to_string(list.size()));
  }
  KIMP_TRY_ASSIGN(const auto account, as_object(list.at(0).value_unsafe(), "list[]"));
  return parse_wallet_record(account);
}

Result<std::vector<BybitFeeRate>> parse_fee_rates(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  std::vector<BybitFeeRate> rates;
  KIMP_TRY(for_each_record(envelope.result, [&](simdjson::dom::object record) -> Status {
    BybitFeeRate rate;
    KIMP_TRY_ASSIGN(rate.symbol, symbol_field(record, "symbol"));
    KIMP_TRY_ASSIGN(rate.taker, decimal_field(record, "takerFeeRate"));
    KIMP_TRY_ASSIGN(rate.maker, decimal_field(record, "makerFeeRate"));
    rates.push_back(rate);
    return ok();
  }));
  return rates;
}

Result<BybitPositionsPage> parse_positions(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  BybitPositionsPage page;
  KIMP_TRY(for_each_record(envelope.result, [&](simdjson::dom::object record) -> Status {
    KIMP_TRY_ASSIGN(auto position, parse_position_record(record, BybitSource::kRest));
    page.positions.push_back(position);
    return ok();
  }));
  KIMP_TRY_ASSIGN(page.next_page_cursor, cursor_of(envelope.result));
  return page;
}

Result<BybitOrderAck> parse_order_ack(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  KIMP_TRY_ASSIGN(const auto order_id, string_field(envelope.result, "orderId"));
  KIMP_TRY_ASSIGN(const auto link_id, string_field(envelope.result, "orderLinkId"));
  if (order_id.empty()) {
    return invalid("Bybit field \"orderId\": empty");
  }
  return BybitOrderAck{std::string(order_id), std::string(link_id)};
}

Result<BybitOrdersPage> parse_orders(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  BybitOrdersPage page;
  KIMP_TRY(for_each_record(envelope.result, [&](simdjson::dom::object record) -> Status {
    KIMP_TRY_ASSIGN(auto order, parse_order_record(record));
    page.orders.push_back(std::move(order));
    return ok();
  }));
  KIMP_TRY_ASSIGN(page.next_page_cursor, cursor_of(envelope.result));
  return page;
}

Result<BybitExecutionsPage> parse_executions(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY_ASSIGN(const auto envelope, read_envelope(parser, http_status, body));
  BybitExecutionsPage page;
  KIMP_TRY(for_each_record(envelope.result, [&](simdjson::dom::object record) -> Status {
    KIMP_TRY_ASSIGN(auto fill, parse_execution_record(record));
    if (fill) {
      page.executions.push_back(std::move(*fill));
    }
    return ok();
  }));
  KIMP_TRY_ASSIGN(page.next_page_cursor, cursor_of(envelope.result));
  return page;
}

Status parse_ack(unsigned http_status, std::string_view body) {
  simdjson::dom::parser parser;
  KIMP_TRY(read_envelope(parser, http_status, body));
  return ok();
}

}  // namespace kimp::venues::bybit
