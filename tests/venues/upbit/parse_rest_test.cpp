// Tests of Upbit REST parsing on the recorded fixtures and the emulator's answer shapes.
#include "venues/upbit/parse_rest.hpp"

#include <string>

#include <gtest/gtest.h>

#include "venues/upbit/fixtures.hpp"

namespace kimp::venues::upbit {
namespace {

using testing::rest_fixture_body;

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

model::BookLevel level(std::string_view price, std::string_view qty) {
  return model::BookLevel{dec(price), dec(qty)};
}

Timestamp ms(std::int64_t value) {
  return Timestamp::from_ms(value).value();
}

Timestamp iso(std::string_view text) {
  return Timestamp::parse_iso8601(text).value();
}

model::Balance balance(std::string_view currency, std::string_view available, std::string_view locked,
                       std::string_view total, std::string_view avg_buy_price) {
  model::Balance out;
  out.venue = model::Venue::kUpbit;
  out.currency = currency;
  out.available = dec(available);
  out.locked = dec(locked);
  out.total = dec(total);
  out.avg_buy_price = dec(avg_buy_price);
  return out;
}

// The emulator's /v1/accounts answer (sim/server/upbit_api.cpp balance_json).
constexpr std::string_view kAccounts =
    R"([{"currency":"KRW","balance":"1000000.5","locked":"5000","avg_buy_price":"0",)"
    R"("avg_buy_price_modified":false,"unit_currency":"KRW"},)"
    R"({"currency":"BTC","balance":"0.5","locked":"0.1","avg_buy_price":"150000000",)"
    R"("avg_buy_price_modified":false,"unit_currency":"KRW"}])";

TEST(UpbitParseRest, Accounts_AvailableLockedTotalAndAveragePrice) {
  const auto balances = parse_accounts(200, kAccounts);
  ASSERT_TRUE(balances.has_value()) << balances.error();
  EXPECT_EQ(*balances, (std::vector<model::Balance>{balance("KRW", "1000000.5", "5000", "1005000.5", "0"),
                                                    balance("BTC", "0.5", "0.1", "0.6", "150000000")}));
}

TEST(UpbitParseRest, AccountsError_MappedFromStatusAndBody) {
  const auto balances =
      parse_accounts(401, R"({"error":{"name":"jwt_verification","message":"잘못된 API 키입니다."}})");
  ASSERT_FALSE(balances.has_value());
  EXPECT_EQ(balances.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(balances.error().venue_code, "jwt_verification");
}

// The emulator's /v1/orders/chance answer: one object.
constexpr std::string_view kOrderChance =
    R"({"bid_fee":"0.0005","ask_fee":"0.0005","maker_bid_fee":"0.0002","maker_ask_fee":"0.0003",)"
    R"("market":{"id":"KRW-BTC","name":"BTC/KRW","order_types":["limit"],"order_sides":["ask","bid"],)"
    R"("bid_types":["limit","price"],"ask_types":["limit","market"],)"
    R"("bid":{"currency":"KRW","min_total":"5000"},"ask":{"currency":"BTC","min_total":"5000"},)"
    R"("max_total":"1000000000","state":"active"},)"
    R"("bid_account":{"currency":"KRW","balance":"1000000","locked":"0","avg_buy_price":"0",)"
    R"("avg_buy_price_modified":false,"unit_currency":"KRW"},)"
    R"("ask_account":{"currency":"BTC","balance":"0.25","locked":"0.05","avg_buy_price":"140000000",)"
    R"("avg_buy_price_modified":false,"unit_currency":"KRW"}})";

UpbitOrderChance expected_chance() {
  UpbitOrderChance chance;
  chance.market = model::Symbol::create("KRW-BTC").value();
  chance.bid_fee = dec("0.0005");
  chance.ask_fee = dec("0.0005");
  chance.maker_bid_fee = dec("0.0002");
  chance.maker_ask_fee = dec("0.0003");
  chance.bid_min_total = dec("5000");
  chance.ask_min_total = dec("5000");
  chance.max_total = dec("1000000000");
  chance.bid_account = balance("KRW", "1000000", "0", "1000000", "0");
  chance.ask_account = balance("BTC", "0.25", "0.05", "0.3", "140000000");
  return chance;
}

TEST(UpbitParseRest, OrderChanceObject_FeesMinimumsAndAccounts) {
  const auto chance = parse_order_chance(200, kOrderChance);
  ASSERT_TRUE(chance.has_value()) << chance.error();
  EXPECT_EQ(*chance, expected_chance());
}

TEST(UpbitParseRest, OrderChanceArrayOfOne_SameAsObject) {
  const auto chance = parse_order_chance(200, "[" + std::string(kOrderChance) + "]");
  ASSERT_TRUE(chance.has_value()) << chance.error();
  EXPECT_EQ(*chance, expected_chance());
  EXPECT_FALSE(parse_order_chance(200, "[]").has_value());
  EXPECT_FALSE(
      parse_order_chance(200, "[" + std::string(kOrderChance) + "," + std::string(kOrderChance) + "]")
          .has_value());
}

TEST(UpbitParseRest, OrderChanceWithoutMarket_RefusedNamingIt) {
  const auto chance = parse_order_chance(200, R"({"bid_fee":"0.0005","ask_fee":"0.0005"})");
  ASSERT_FALSE(chance.has_value());
  EXPECT_EQ(chance.error().message, "Upbit order chance has no market");
}

// GET /v1/order of a limit IOC buy that filled in two trades (the emulator's order_json + trade_json).
constexpr std::string_view kFilledLimit =
    R"({"uuid":"9ca023a5-851b-4fec-9f0a-48cd83c2eaae","side":"bid","ord_type":"limit","state":"done",)"
    R"("market":"KRW-BTC","created_at":"2026-12-06T12:00:00+09:00","remaining_volume":"0",)"
    R"("executed_volume":"0.01","executed_funds":"1496000","reserved_fee":"750","remaining_fee":"2",)"
    R"("paid_fee":"748","locked":"0","prevented_volume":"0","prevented_locked":"0","trades_count":2,)"
    R"("price":"150000000","volume":"0.01","time_in_force":"ioc","identifier":"BTC_1700000000_1",)"
    R"("trades":[{"market":"KRW-BTC","uuid":"t-1","price":"149000000","volume":"0.004","funds":"596000",)"
    R"("trend":"up","created_at":"2026-12-06T12:00:00.120+09:00","side":"bid"},)"
    R"({"market":"KRW-BTC","uuid":"t-2","price":"150000000","volume":"0.006","funds":"900000",)"
    R"("trend":"up","created_at":"2026-12-06T12:00:00.250+09:00","side":"bid"}]})";

TEST(UpbitParseRest, FilledLimitWithTrades_ReportWithAverageFromTrades) {
  const auto report = parse_order(200, kFilledLimit);
  ASSERT_TRUE(report.has_value()) << report.error();
  model::OrderReport expected;
  expected.venue = model::Venue::kUpbit;
  expected.symbol = model::Symbol::create("KRW-BTC").value();
  expected.venue_order_id = "9ca023a5-851b-4fec-9f0a-48cd83c2eaae";
  expected.client_order_id = "BTC_1700000000_1";
  expected.side = model::Side::kBuy;
  expected.type = model::OrderType::kLimit;
  expected.time_in_force = model::TimeInForce::kIoc;
  expected.status = model::OrderStatus::kFilled;
  expected.price = dec("150000000");
  expected.qty = dec("0.01");
  expected.filled_qty = dec("0.01");
  expected.avg_fill_price = dec("149600000");
  expected.fee_paid = dec("748");
  expected.ts_created = iso("2026-12-06T03:00:00Z");
  expected.ts_updated = iso("2026-12-06T03:00:00.250Z");
  EXPECT_EQ(*report, expected);
}

TEST(UpbitParseRest, WaitingOrders_NewOrPartiallyFilledByExecutedVolume) {
  const std::string waiting =
      R"({"uuid":"u-2","side":"ask","ord_type":"limit","state":"wait","market":"KRW-ETH",)"
      R"("created_at":"2026-12-06T12:00:00+09:00","executed_volume":"0","paid_fee":"0","price":"5000000",)"
      R"("volume":"1","trades_count":0})";
  const auto fresh = parse_order(201, waiting);
  ASSERT_TRUE(fresh.has_value()) << fresh.error();
  EXPECT_EQ(fresh->status, model::OrderStatus::kNew);
  EXPECT_EQ(fresh->side, model::Side::kSell);
  EXPECT_EQ(fresh->time_in_force, model::TimeInForce::kGtc);
  EXPECT_EQ(fresh->client_order_id, "");
  EXPECT_EQ(fresh->avg_fill_price, Decimal());
  EXPECT_EQ(fresh->ts_updated, fresh->ts_created);

  const std::string partial =
      R"({"uuid":"u-2","side":"ask","ord_type":"limit","state":"watch","market":"KRW-ETH",)"
      R"("created_at":"2026-12-06T12:00:00+09:00","executed_volume":"0.4","executed_funds":"2000000",)"
      R"("paid_fee":"1000","price":"5000000","volume":"1"})";
  const auto some = parse_order(200, partial);
  ASSERT_TRUE(some.has_value()) << some.error();
  EXPECT_EQ(some->status, model::OrderStatus::kPartiallyFilled);
  EXPECT_EQ(some->filled_qty, dec("0.4"));
  EXPECT_EQ(some->avg_fill_price, dec("5000000"));  // executed_funds / executed_volume
}

TEST(UpbitParseRest, CancelledPriceOrder_KrwAmountAsQuoteAmountWithItsFill) {
  const auto report = parse_order(
      200, R"({"uuid":"u-3","side":"bid","ord_type":"price","state":"cancel","market":"KRW-BTC",)"
           R"("created_at":"2026-12-06T12:00:00+09:00","price":"50000","executed_volume":"0.00033",)"
           R"("executed_funds":"49500","paid_fee":"24.75","identifier":"BTC_1_3","trades":[]})");
  ASSERT_TRUE(report.has_value()) << report.error();
  EXPECT_EQ(report->type, model::OrderType::kMarketKrw);
  EXPECT_EQ(report->status, model::OrderStatus::kCancelled);
  EXPECT_EQ(report->quote_amount, dec("50000"));
  EXPECT_EQ(report->price, Decimal());
  EXPECT_EQ(report->qty, Decimal());
  EXPECT_EQ(report->filled_qty, dec("0.00033"));
  EXPECT_EQ(report->avg_fill_price, dec("150000000"));
  EXPECT_EQ(report->fee_paid, dec("24.75"));
}

TEST(UpbitParseRest, MarketSell_NoPriceAndVolumeAsQty) {
  const auto report = parse_order(
      201, R"({"uuid":"u-4","side":"ask","ord_type":"market","state":"wait","market":"KRW-BTC",)"
           R"("created_at":"2026-12-06T12:00:00+09:00","volume":"0.5","executed_volume":"0","paid_fee":"0",)"
           R"("identifier":null})");
  ASSERT_TRUE(report.has_value()) << report.error();
  EXPECT_EQ(report->type, model::OrderType::kMarket);
  EXPECT_EQ(report->qty, dec("0.5"));
  EXPECT_EQ(report->price, Decimal());
}

TEST(UpbitParseRest, OrderNotFound_FailedPreconditionWithItsName) {
  const auto report =
      parse_order(404, R"({"error":{"name":"order_not_found","message":"주문을 찾지 못했습니다."}})");
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(report.error().venue_code, "order_not_found");
}

TEST(UpbitParseRest, MalformedOrders_RefusedNamingTheProblem) {
  const std::string head =
      R"({"uuid":"u","side":"bid","market":"KRW-BTC","created_at":"2026-12-06T12:00:00+09:00",)"
      R"("executed_volume":"0","paid_fee":"0","price":"1","volume":"1",)";
  const std::pair<std::string, std::string_view> cases[] = {
      {head + R"("ord_type":"limit","state":"gone"})", R"(state not handled: "gone")"},
      {head + R"("ord_type":"best","state":"wait"})", R"(ord_type not handled: "best")"},
      {head + R"("ord_type":"limit","state":"wait","time_in_force":"gtd"})",
       R"(time_in_force not handled: "gtd")"},
      {head + R"("ord_type":"limit"})", "order has no state"},
      {R"({"side":"bid","ord_type":"limit","state":"wait"})", "order has no uuid"},
      {head + R"("ord_type":"limit","state":"wait","paid_fee":"1.123456789"})", "1.123456789"},
      {head + R"("ord_type":"limit","state":"wait","side2":1,"volume":[1]})", "field volume is not a number"},
      {R"({"uuid":"u","side":"buy","market":"KRW-BTC","created_at":"2026-12-06T12:00:00+09:00","ord_type":"limit",)"
       R"("state":"wait","executed_volume":"0","paid_fee":"0","price":"1","volume":"1"})",
       R"(neither bid nor ask: "buy")"},
      {head + R"("ord_type":"limit","state":"wait","created_at":"yesterday"})", "yesterday"},
      {"[]", "not valid JSON"},
      {R"({"uuid":)", "uuid"},
  };
  for (const auto& [body, part] : cases) {
    const auto report = parse_order(200, body);
    ASSERT_FALSE(report.has_value()) << body;
    EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_NE(report.error().message.find(part), std::string::npos) << report.error().message;
  }
}

TEST(UpbitParseRest, OrderbookFixture_SnapshotOfAllUnits) {
  const auto books = parse_orderbook(200, rest_fixture_body("GetOrderBook.txt"));
  ASSERT_TRUE(books.has_value()) << books.error();
  ASSERT_EQ(books->books.size(), 1U);
  const model::BookUpdate& book = books->books[0];
  EXPECT_EQ(book.symbol.view(), "KRW-BTC");
  EXPECT_EQ(book.venue, model::Venue::kUpbit);
  EXPECT_EQ(book.ts_event, ms(1'751'606'867'762));
  EXPECT_EQ(book.depth, 30U);
  ASSERT_EQ(book.bids.size(), 30U);
  ASSERT_EQ(book.asks.size(), 30U);
  EXPECT_EQ(book.bids[0], level("148490000", "0.04296774"));
  EXPECT_EQ(book.asks[0], level("148520000", "0.0134662"));
  EXPECT_EQ(book.bids[1], level("148480000", "0.00336561"));
  EXPECT_EQ(book.asks[8], level("148700000", "1.51712604"));
}

TEST(UpbitParseRest, OrderbookOfTwoMarkets_SpansStayValidAfterMove) {
  const std::string body =
      R"([{"market":"KRW-BTC","timestamp":1,"orderbook_units":[{"ask_price":2,"bid_price":1,"ask_size":3,"bid_size":4}]},)"
      R"({"market":"KRW-ETH","timestamp":2,"orderbook_units":[{"ask_price":20,"bid_price":10,"ask_size":30,"bid_size":0},)"
      R"({"ask_price":21,"bid_price":9,"ask_size":31,"bid_size":41}]}])";
  auto parsed = parse_orderbook(200, body);
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  const UpbitOrderbookSnapshots books = std::move(*parsed);
  ASSERT_EQ(books.books.size(), 2U);
  EXPECT_EQ(std::vector<model::BookLevel>(books.books[0].bids.begin(), books.books[0].bids.end()),
            (std::vector<model::BookLevel>{level("1", "4")}));
  EXPECT_EQ(std::vector<model::BookLevel>(books.books[1].bids.begin(), books.books[1].bids.end()),
            (std::vector<model::BookLevel>{level("9", "41")}));  // the zero-size bid is no level
  EXPECT_EQ(std::vector<model::BookLevel>(books.books[1].asks.begin(), books.books[1].asks.end()),
            (std::vector<model::BookLevel>{level("20", "30"), level("21", "31")}));
  EXPECT_EQ(books.books[1].depth, 2U);
}

TEST(UpbitParseRest, TickersFixture_StringAndNumberPricesAndWholeKrwTurnover) {
  const auto tickers = parse_tickers(200, rest_fixture_body("GetTickers.txt"));
  ASSERT_TRUE(tickers.has_value()) << tickers.error();
  ASSERT_EQ(tickers->size(), 2U);
  const model::Ticker& btc = (*tickers)[0];
  EXPECT_EQ(btc.venue, model::Venue::kUpbit);
  EXPECT_EQ(btc.symbol.view(), "KRW-BTC");
  EXPECT_EQ(btc.ts_event, ms(1'751'606'040'403));
  EXPECT_EQ(btc.last_price, dec("148601000"));  // "148601000.00000000"
  EXPECT_EQ(btc.volume_24h, dec("1198.26954807"));
  EXPECT_EQ(btc.turnover_24h_krw, 178'448'329'314);  // 178448329314.96686, above Decimal's range
  const model::Ticker& eth = (*tickers)[1];
  EXPECT_EQ(eth.symbol.view(), "KRW-ETH");
  EXPECT_EQ(eth.last_price, dec("3510000"));
}

TEST(UpbitParseRest, SymbolsFixture_KrwMarketsWithWarningFlag) {
  const auto markets = parse_markets(200, rest_fixture_body("GetSymbols.txt"));
  ASSERT_TRUE(markets.has_value()) << markets.error();
  EXPECT_EQ(*markets, (std::vector<UpbitMarket>{
                          {model::Symbol::create("KRW-BTC").value(), "BTC", "Bitcoin", false},
                          {model::Symbol::create("KRW-ETH").value(), "ETH", "Ethereum", true},
                      }));
}

TEST(UpbitParseRest, CaptureMarketList_OnlyKrwMarketsKept) {
  const std::string body = testing::simple_capture_market_all();
  const auto markets = parse_markets(200, body);
  ASSERT_TRUE(markets.has_value()) << markets.error();
  std::size_t krw = 0;
  for (std::size_t at = body.find(R"("market":"KRW-)"); at != std::string::npos;
       at = body.find(R"("market":"KRW-)", at + 1)) {
    ++krw;
  }
  ASSERT_GT(krw, 100U);
  EXPECT_EQ(markets->size(), krw);
  EXPECT_EQ(markets->front(),
            (UpbitMarket{model::Symbol::create("KRW-BTC").value(), "BTC", "Bitcoin", false}));
  for (const UpbitMarket& market : *markets) {
    EXPECT_TRUE(market.market.view().starts_with("KRW-")) << market.market.view();
  }
}

TEST(UpbitParseRest, OldMarketWarningField_ReadAsWarning) {
  const auto markets = parse_markets(
      200, R"([{"market":"KRW-XRP","english_name":"XRP","market_warning":"CAUTION"},{"market":"BTC-XRP"}])");
  ASSERT_TRUE(markets.has_value()) << markets.error();
  ASSERT_EQ(markets->size(), 1U);
  EXPECT_TRUE(markets->front().warning);
}

TEST(UpbitParseRest, TradeHistoryFixture_TradeAtItsTimestamp) {
  const auto trades = parse_trade_ticks(200, rest_fixture_body("GetTradeHistory.txt"));
  ASSERT_TRUE(trades.has_value()) << trades.error();
  ASSERT_EQ(trades->size(), 1U);
  const model::Trade& trade = trades->front();
  EXPECT_EQ(trade.symbol.view(), "KRW-BTC");
  EXPECT_EQ(trade.ts_event, ms(1'751'068'799'336));
  EXPECT_EQ(trade.price, dec("147058000"));
  EXPECT_EQ(trade.qty, dec("0.00006043"));
  EXPECT_EQ(trade.taker_side, model::Side::kBuy);
  EXPECT_EQ(trade.sequence, 17'510'687'993'360'000U);
}

TEST(UpbitParseRest, SymbolConfigFixture_TickSizes) {
  const auto ticks = parse_orderbook_instruments(200, rest_fixture_body("GetSymbolConfig.txt"));
  ASSERT_TRUE(ticks.has_value()) << ticks.error();
  EXPECT_EQ(*ticks, (std::vector<UpbitTickSize>{{model::Symbol::create("KRW-BTC").value(), dec("1000")},
                                                {model::Symbol::create("KRW-ETH").value(), dec("1000")}}));
  EXPECT_FALSE(parse_orderbook_instruments(200, R"([{"market":"KRW-BTC","tick_size":0}])").has_value());
}

TEST(UpbitParseRest, EveryParserOnMalformedBodies_RefusesWithInvalidArgument) {
  for (const std::string_view body : {"", "{", "[", "[1]", "nope", R"([{"market":5}])", "[[]]"}) {
    EXPECT_EQ(parse_accounts(200, body).error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parse_order_chance(200, body).error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parse_order(200, body).error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parse_orderbook(200, body).error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parse_tickers(200, body).error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parse_markets(200, body).error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parse_trade_ticks(200, body).error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parse_orderbook_instruments(200, body).error().code, ErrorCode::kInvalidArgument) << body;
  }
}

TEST(UpbitParseRest, EveryTruncationOfTheTickersFixture_Refused) {
  const std::string body = rest_fixture_body("GetTickers.txt");
  const std::size_t end = body.rfind(']');
  for (std::size_t length = 0; length <= end; ++length) {
    ASSERT_FALSE(parse_tickers(200, std::string_view(body).substr(0, length)).has_value()) << length;
  }
  EXPECT_TRUE(parse_tickers(200, std::string_view(body).substr(0, end + 1)).has_value());
}

TEST(UpbitParseRest, ServerErrorAndRateLimit_RetryableCodes) {
  EXPECT_EQ(parse_tickers(503, "").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(
      parse_orderbook(429, R"({"error":{"name":"too_many_requests","message":"slow down"}})").error().code,
      ErrorCode::kResourceExhausted);
}

}  // namespace
}  // namespace kimp::venues::upbit
