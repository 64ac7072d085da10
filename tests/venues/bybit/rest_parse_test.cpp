// Tests of the Bybit REST parsers over every recorded payload, plus refusals of malformed and error answers.
#include "venues/bybit/parse_rest.hpp"

#include <gtest/gtest.h>

#include "venues/bybit/bybit_fixtures.hpp"
#include "venues/bybit/error.hpp"
#include "venues/bybit/urls.hpp"

namespace kimp::venues::bybit {
namespace {

using testing::read_rest_fixture;

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

model::Symbol sym(std::string_view text) {
  return model::Symbol::create(text).value();
}

Timestamp ms(std::int64_t value) {
  return Timestamp::from_ms(value).value();
}

// A success envelope around `result`.
std::string envelope(std::string_view result) {
  return R"({"retCode":0,"retMsg":"OK","result":)" + std::string(result) +
         R"(,"retExtInfo":{},"time":1700000000000})";
}

TEST(BybitRestFixtures, EachNamesTheEndpointItWasRecordedFrom) {
  EXPECT_EQ(read_rest_fixture("GetOrderbook.txt").path, kOrderbookPath);
  EXPECT_EQ(read_rest_fixture("GetBalances.txt").path, kWalletBalancePath);
  EXPECT_EQ(read_rest_fixture("PlaceOrder.txt").path, kOrderCreatePath);
  EXPECT_EQ(read_rest_fixture("CancelOrder.txt").path, kOrderCancelPath);
  EXPECT_EQ(read_rest_fixture("GetOrders.txt").path, kOrderRealtimePath);
  EXPECT_EQ(read_rest_fixture("GetPositions.txt").path, kPositionListPath);
  EXPECT_EQ(read_rest_fixture("SetLeverage.txt").path, kSetLeveragePath);
  EXPECT_EQ(read_rest_fixture("SetMarginMode.txt").path, kSetMarginModePath);
  EXPECT_EQ(read_rest_fixture("SwitchPositionMode.txt").path, kSwitchPositionModePath);
  EXPECT_EQ(read_rest_fixture("GetFundingRateHistory.txt").path, kFundingHistoryPath);
  EXPECT_EQ(read_rest_fixture("GetFeeRate.txt").path, kFeeRatePath);
  EXPECT_TRUE(read_rest_fixture("GetFeeRate.txt").auth_required);
  EXPECT_FALSE(read_rest_fixture("GetOrderbook.txt").auth_required);
}

TEST(BybitParseRest, Orderbook_Fixture_LevelsAndIds) {
  const auto book = parse_orderbook(200, read_rest_fixture("GetOrderbook.txt").body);
  ASSERT_TRUE(book.has_value()) << book.error();
  EXPECT_EQ(book->symbol, sym("BTCUSDT"));
  EXPECT_EQ(book->ts_event, ms(1'709'199'771'584));
  EXPECT_EQ(book->update_id, 243'781U);
  EXPECT_EQ(book->sequence, 3'887'177'875U);
  ASSERT_EQ(book->bids.size(), 1U);
  ASSERT_EQ(book->asks.size(), 1U);
  EXPECT_EQ(book->bids[0], (model::BookLevel{dec("62710.2"), dec("5.52")}));
  EXPECT_EQ(book->asks[0], (model::BookLevel{dec("62710.3"), dec("0.01")}));
  const model::BookUpdate update = book->as_update();
  EXPECT_EQ(update.action, model::BookAction::kSnapshot);
  EXPECT_EQ(update.depth, 1U);
  EXPECT_EQ(update.bids.data(), book->bids.data());
  EXPECT_EQ(update.update_id, 243'781U);
}

TEST(BybitParseRest, Orderbook_UnorderedCrossedOrZeroLevels_Refused) {
  const auto book = [](std::string_view bids, std::string_view asks) {
    return parse_orderbook(200, envelope(R"({"s":"BTCUSDT","b":)" + std::string(bids) + R"(,"a":)" +
                                         std::string(asks) + R"(,"ts":1,"u":1,"seq":1})"));
  };
  EXPECT_TRUE(book(R"([["2","1"],["1","1"]])", R"([["3","1"],["4","1"]])").has_value());
  EXPECT_EQ(book(R"([["1","1"],["2","1"]])", R"([["3","1"]])").error().message,
            "Bybit orderbook \"b\": price 2 out of order after 1");
  EXPECT_EQ(book(R"([["3","1"]])", R"([["3","1"]])").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(book(R"([["2","0"]])", R"([["3","1"]])").error().message,
            "Bybit orderbook \"b\": invalid level [\"2\", \"0\"]");
  EXPECT_EQ(book(R"([[2,1]])", R"([])").error().message,
            "Bybit orderbook \"b\": a level is not a [price, size] string pair");
  EXPECT_EQ(book(R"([["2"]])", R"([])").error().code, ErrorCode::kInvalidArgument);
}

TEST(BybitParseRest, LinearInstruments_Fixture_TickLotAndMinimums) {
  const auto page = parse_instruments(200, read_rest_fixture("GetLinearInverseSymbols.txt").body);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->instruments.size(), 1U);
  model::Instrument expected;
  expected.venue = model::Venue::kBybit;
  expected.symbol = sym("BTCUSDT");
  expected.base = "BTC";
  expected.quote = "USDT";
  expected.trading = true;
  expected.tick_size = dec("0.10");
  expected.qty_step = dec("0.001");
  expected.min_qty = dec("0.001");
  expected.max_qty = dec("100");
  expected.min_notional = dec("5");
  EXPECT_EQ(page->instruments[0], expected);
  EXPECT_EQ(page->next_page_cursor, "");
}

TEST(BybitParseRest, SpotInstruments_Fixture_UseBasePrecisionAndMinOrderAmt) {
  const auto page = parse_instruments(200, read_rest_fixture("GetSpotSymbols.txt").body);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->instruments.size(), 1U);
  const auto& instrument = page->instruments[0];
  EXPECT_EQ(instrument.tick_size, dec("0.01"));
  EXPECT_EQ(instrument.qty_step, dec("0.000001"));
  EXPECT_EQ(instrument.min_qty, dec("0.000048"));
  EXPECT_EQ(instrument.max_qty, dec("71.73956243"));
  EXPECT_EQ(instrument.min_notional, dec("1"));
  EXPECT_TRUE(instrument.trading);
}

TEST(BybitParseRest, Instruments_NonTradingStatusAndUnknownCategory) {
  const std::string closed = envelope(
      R"({"category":"linear","list":[{"symbol":"XUSDT","status":"Closed","baseCoin":"X","quoteCoin":"USDT",)"
      R"("priceFilter":{"tickSize":"0.1"},"lotSizeFilter":{"qtyStep":"1","minOrderQty":"1",)"
      R"("maxMktOrderQty":"10","minNotionalValue":"5"}}],"nextPageCursor":"next%3D2"})");
  const auto page = parse_instruments(200, closed);
  ASSERT_TRUE(page.has_value()) << page.error();
  EXPECT_FALSE(page->instruments[0].trading);
  EXPECT_EQ(page->next_page_cursor, "next%3D2");
  EXPECT_EQ(parse_instruments(200, envelope(R"({"category":"option","list":[]})")).error().message,
            "Bybit instruments: unsupported category \"option\"");
}

TEST(BybitParseRest, LinearTickers_FixtureFundingAndPrices) {
  const auto tickers = parse_tickers(200, read_rest_fixture("GetLinearInverseTickers.txt").body);
  ASSERT_TRUE(tickers.has_value()) << tickers.error();
  ASSERT_EQ(tickers->size(), 1U);
  const model::Ticker& ticker = (*tickers)[0];
  EXPECT_EQ(ticker.symbol, sym("BTCUSD"));
  EXPECT_EQ(ticker.ts_event, ms(1'672'376'496'682));
  EXPECT_EQ(ticker.last_price, dec("16597.00"));
  EXPECT_EQ(ticker.bid_price, dec("16596.00"));
  EXPECT_EQ(ticker.ask_price, dec("16597.50"));
  EXPECT_EQ(ticker.mark_price, dec("16596.00"));
  EXPECT_EQ(ticker.index_price, dec("16598.54"));
  EXPECT_EQ(ticker.funding_rate, dec("-0.001034"));
  EXPECT_EQ(ticker.next_funding_time, ms(1'672'387'200'000));
  EXPECT_EQ(ticker.volume_24h, dec("49337318"));
  EXPECT_EQ(ticker.turnover_24h, dec("2352.94950046"));
}

TEST(BybitParseRest, SpotTickers_Fixture_NoFundingFields) {
  const auto tickers = parse_tickers(200, read_rest_fixture("GetSpotTickers.txt").body);
  ASSERT_TRUE(tickers.has_value()) << tickers.error();
  const model::Ticker& ticker = tickers->at(0);
  EXPECT_EQ(ticker.bid_price, dec("20517.96"));
  EXPECT_EQ(ticker.ask_price, dec("20527.77"));
  EXPECT_EQ(ticker.turnover_24h, dec("243765620.65899866"));
  EXPECT_FALSE(ticker.funding_rate.has_value());
  EXPECT_FALSE(ticker.next_funding_time.has_value());
  EXPECT_FALSE(ticker.mark_price.has_value());
}

TEST(BybitParseRest, FundingHistory_Fixture) {
  const auto rates = parse_funding_history(200, read_rest_fixture("GetFundingRateHistory.txt").body);
  ASSERT_TRUE(rates.has_value()) << rates.error();
  ASSERT_EQ(rates->size(), 1U);
  EXPECT_EQ(rates->at(0), (BybitFundingRate{sym("ETHPERP"), dec("0.0001"), ms(1'672'041'600'000)}));
}

TEST(BybitParseRest, WalletBalance_Fixture_Ld0001Mapping) {
  const auto wallet = parse_wallet_balance(200, read_rest_fixture("GetBalances.txt").body);
  ASSERT_TRUE(wallet.has_value()) << wallet.error();
  EXPECT_EQ(wallet->account_type, "UNIFIED");
  EXPECT_EQ(wallet->total_equity, dec("3.31216591"));
  EXPECT_EQ(wallet->total_wallet_balance, dec("3.00326056"));
  EXPECT_EQ(wallet->total_available_balance, dec("3.00326056"));
  EXPECT_EQ(wallet->total_maintenance_margin, dec("0"));
  ASSERT_EQ(wallet->coins.size(), 1U);
  const model::Balance expected{
      model::Venue::kBybit, "BTC", dec("0"), dec("0"), dec("0"), dec("0"), Decimal()};
  EXPECT_EQ(wallet->coins[0], expected);
}

TEST(BybitParseRest, WalletBalance_AvailableIsWalletBalanceNeverAvailableToWithdraw) {
  // LD-0001: availableToWithdraw "" (UNIFIED) must not turn the whole balance into `locked`.
  const std::string body = envelope(
      R"({"list":[{"accountType":"UNIFIED","totalEquity":"3010.5","totalWalletBalance":"3003.82500044",)"
      R"("totalMarginBalance":"","totalAvailableBalance":"","totalPerpUPL":"6.67499956","totalInitialMargin":"",)"
      R"("totalMaintenanceMargin":"","accountIMRate":"","accountMMRate":"","coin":[{"coin":"USDT",)"
      R"("equity":"3010.5","walletBalance":"3003.82500044","availableToWithdraw":"","locked":"",)"
      R"("unrealisedPnl":"6.67499956"}]}]})");
  const auto wallet = parse_wallet_balance(200, body);
  ASSERT_TRUE(wallet.has_value()) << wallet.error();
  const model::Balance& usdt = wallet->coins.at(0);
  EXPECT_EQ(usdt.currency, "USDT");
  EXPECT_EQ(usdt.total, dec("3010.5"));
  EXPECT_EQ(usdt.available, dec("3003.82500044"));
  EXPECT_EQ(usdt.locked, Decimal());
  EXPECT_EQ(usdt.coin_value, dec("6.67499956"));
  EXPECT_FALSE(wallet->total_margin_balance.has_value());
  EXPECT_FALSE(wallet->total_maintenance_margin.has_value());
}

TEST(BybitParseRest, WalletBalance_LockedTakenAsReported) {
  const std::string body = envelope(
      R"({"list":[{"accountType":"UNIFIED","coin":[{"coin":"USDT","equity":"100","walletBalance":"100",)"
      R"("locked":"12.5","unrealisedPnl":"0"}]}]})");
  EXPECT_EQ(parse_wallet_balance(200, body).value().coins.at(0).locked, dec("12.5"));
}

TEST(BybitParseRest, WalletBalance_EmptyEquityOrNoAccount_Refused) {
  const std::string no_equity = envelope(
      R"({"list":[{"accountType":"UNIFIED","coin":[{"coin":"USDT","equity":"","walletBalance":"1"}]}]})");
  EXPECT_EQ(parse_wallet_balance(200, no_equity).error().message,
            "Bybit field \"equity\": empty, a decimal is required");
  EXPECT_EQ(parse_wallet_balance(200, envelope(R"({"list":[]})")).error().message,
            "Bybit wallet balance: expected one account, got 0");
}

TEST(BybitParseRest, FeeRate_Fixture) {
  const auto rates = parse_fee_rates(200, read_rest_fixture("GetFeeRate.txt").body);
  ASSERT_TRUE(rates.has_value()) << rates.error();
  ASSERT_EQ(rates->size(), 1U);
  EXPECT_EQ(rates->at(0), (BybitFeeRate{sym("ETHUSDT"), dec("0.0006"), dec("0.0001")}));
}

TEST(BybitParseRest, Positions_Fixture_ShortWithCrossMarginAndNoLiqPrice) {
  const auto page = parse_positions(200, read_rest_fixture("GetPositions.txt").body);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->positions.size(), 1U);
  model::PositionReport expected;
  expected.venue = model::Venue::kBybit;
  expected.symbol = sym("BTCUSD");
  expected.side = model::Side::kSell;
  expected.size = dec("300");
  expected.avg_entry_price = dec("27464.50441675");
  expected.mark_price = dec("28224.50");
  expected.unrealised_pnl = dec("-0.00029413");
  expected.realised_pnl = dec("-0.00096902");
  expected.leverage = dec("10");
  expected.liquidation_price = Decimal();
  expected.isolated_margin = false;
  expected.ts_updated = ms(1'697'673'600'012);
  EXPECT_EQ(page->positions[0], expected);
}

TEST(BybitParseRest, Positions_SideMissingOnOpenPosition_Refused) {
  const std::string body = envelope(
      R"({"list":[{"symbol":"BTCUSDT","side":"","size":"1","avgPrice":"1","markPrice":"1","unrealisedPnl":"0",)"
      R"("cumRealisedPnl":"0","leverage":"1","liqPrice":"","tradeMode":1,"updatedTime":"1"}],"nextPageCursor":""})");
  EXPECT_EQ(parse_positions(200, body).error().message,
            "Bybit field \"side\": expected \"Buy\" or \"Sell\", got \"\"");
}

TEST(BybitParseRest, OrderAck_PlaceAndCancelFixtures) {
  EXPECT_EQ(parse_order_ack(200, read_rest_fixture("PlaceOrder.txt").body).value(),
            (BybitOrderAck{"1321003749386327552", "spot-test-postonly"}));
  EXPECT_EQ(parse_order_ack(200, read_rest_fixture("CancelOrder.txt").body).value(),
            (BybitOrderAck{"c6f055d9-7f21-4079-913d-e6523a9cfffa", "linear-004"}));
  EXPECT_EQ(parse_order_ack(200, envelope(R"({"orderId":"","orderLinkId":"x"})")).error().message,
            "Bybit field \"orderId\": empty");
}

TEST(BybitParseRest, Orders_Fixture_ResultingOrderReport) {
  const auto page = parse_orders(200, read_rest_fixture("GetOrders.txt").body);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->orders.size(), 1U);
  model::OrderReport expected;
  expected.venue = model::Venue::kBybit;
  expected.symbol = sym("ETHUSDT");
  expected.venue_order_id = "fd4300ae-7847-404e-b947-b46980a4d140";
  expected.client_order_id = "test-000005";
  expected.side = model::Side::kBuy;
  expected.type = model::OrderType::kLimit;
  expected.time_in_force = model::TimeInForce::kGtc;
  expected.status = model::OrderStatus::kNew;
  expected.price = dec("1600");
  expected.qty = dec("0.1");
  expected.filled_qty = Decimal();
  expected.avg_fill_price = Decimal();
  expected.fee_paid = Decimal();
  expected.ts_created = ms(1'684'738'540'559);
  expected.ts_updated = ms(1'684'738'540'561);
  EXPECT_EQ(page->orders[0], expected);
  EXPECT_EQ(page->next_page_cursor, "page_args%3Dfd4300ae-7847-404e-b947-b46980a4d140%26symbol%3D6%26");
}

// An order record with one field replaced, for the status / enum / malformed cases.
std::string order_with(std::string_view key, std::string_view json_value) {
  std::string record =
      R"({"symbol":"BTCUSDT","orderId":"1","orderLinkId":"a","side":"Sell","orderType":"Market",)"
      R"("timeInForce":"IOC","orderStatus":"Filled","price":"61000","qty":"0.002","cumExecQty":"0.002",)"
      R"("avgPrice":"62000.5","cumExecFee":"0.0682","reduceOnly":true,"createdTime":"1","updatedTime":"2"})";
  const std::string needle = "\"" + std::string(key) + "\":";
  const auto start = record.find(needle) + needle.size();
  const auto end = record.find_first_of(",}", record[start] == '"' ? record.find('"', start + 1) : start);
  record.replace(start, end - start, json_value);
  return envelope(R"({"list":[)" + record + "]}");
}

TEST(BybitParseRest, Orders_StatusMapping) {
  const auto status_of = [](std::string_view wire) {
    return parse_orders(200, order_with("orderStatus", "\"" + std::string(wire) + "\""))
        .value()
        .orders.at(0)
        .status;
  };
  EXPECT_EQ(status_of("New"), model::OrderStatus::kNew);
  EXPECT_EQ(status_of("Untriggered"), model::OrderStatus::kNew);
  EXPECT_EQ(status_of("Triggered"), model::OrderStatus::kNew);
  EXPECT_EQ(status_of("PartiallyFilled"), model::OrderStatus::kPartiallyFilled);
  EXPECT_EQ(status_of("Filled"), model::OrderStatus::kFilled);
  EXPECT_EQ(status_of("Cancelled"), model::OrderStatus::kCancelled);
  EXPECT_EQ(status_of("PartiallyFilledCanceled"), model::OrderStatus::kCancelled);
  EXPECT_EQ(status_of("Deactivated"), model::OrderStatus::kCancelled);
  EXPECT_EQ(status_of("Rejected"), model::OrderStatus::kRejected);
  EXPECT_EQ(parse_orders(200, order_with("orderStatus", R"("Active")")).error().message,
            "Bybit field \"orderStatus\": unknown status \"Active\"");
}

TEST(BybitParseRest, Orders_MarketOrderFilled_PriceZeroAndFillFigures) {
  const auto order = parse_orders(200, order_with("orderStatus", R"("Filled")")).value().orders.at(0);
  EXPECT_EQ(order.type, model::OrderType::kMarket);
  EXPECT_EQ(order.time_in_force, model::TimeInForce::kIoc);
  EXPECT_EQ(order.price, Decimal());
  EXPECT_EQ(order.filled_qty, dec("0.002"));
  EXPECT_EQ(order.avg_fill_price, dec("62000.5"));
  EXPECT_EQ(order.fee_paid, dec("0.0682"));
  EXPECT_TRUE(order.reduce_only);
}

TEST(BybitParseRest, Orders_MalformedFields_RefusedNamingTheField) {
  EXPECT_EQ(parse_orders(200, order_with("qty", R"("1.2.3")")).error().message,
            "Bybit field \"qty\": invalid decimal \"1.2.3\"");
  EXPECT_EQ(parse_orders(200, order_with("qty", "1")).error().message,
            "Bybit field \"qty\": expected a string, got a number");
  EXPECT_EQ(parse_orders(200, order_with("createdTime", R"("12x")")).error().message,
            "Bybit field \"createdTime\": invalid integer \"12x\"");
  EXPECT_EQ(parse_orders(200, order_with("side", R"("buy")")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_orders(200, order_with("orderType", R"("StopLimit")")).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_orders(200, order_with("timeInForce", R"("GTD")")).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_orders(200, order_with("reduceOnly", R"("true")")).error().message,
            "Bybit field \"reduceOnly\": expected a boolean, got a string");
  EXPECT_EQ(parse_orders(200, order_with("symbol", R"("BTC/USDT")")).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_orders(200, order_with("cumExecQty", R"("")")).error().message,
            "Bybit field \"cumExecQty\": empty, a decimal is required");
  EXPECT_EQ(parse_orders(200, order_with("qty", R"("0.000000001")")).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_orders(200, envelope(R"({"list":[{"symbol":"BTCUSDT"}]})")).error().message,
            "Bybit field \"orderId\": missing");
  EXPECT_EQ(parse_orders(200, envelope(R"({"list":{}})")).error().message,
            "Bybit field \"list\": expected an array, got an object");
  EXPECT_EQ(parse_orders(200, envelope(R"({"list":[1]})")).error().message,
            "Bybit field \"list[]\": expected an object, got a number");
}

TEST(BybitParseRest, Executions_FillsParsedFundingSkipped) {
  const std::string body = envelope(
      R"({"list":[{"symbol":"XRPUSDT","orderId":"f6e3","orderLinkId":"XRP_1_1","execId":"7e2a","side":"Sell",)"
      R"("execPrice":"0.3374","execQty":"25","execFee":"0.005061","execType":"Trade","isMaker":false,)"
      R"("execTime":"1672364174443"},{"symbol":"XRPUSDT","orderId":"","orderLinkId":"","execId":"f1",)"
      R"("side":"Sell","execPrice":"0.3374","execQty":"25","execFee":"-0.001","execType":"Funding",)"
      R"("isMaker":false,"execTime":"1672364174443"}],"nextPageCursor":"c%3D1"})");
  const auto page = parse_executions(200, body);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->executions.size(), 1U);
  model::Execution expected;
  expected.venue = model::Venue::kBybit;
  expected.symbol = sym("XRPUSDT");
  expected.venue_order_id = "f6e3";
  expected.client_order_id = "XRP_1_1";
  expected.execution_id = "7e2a";
  expected.side = model::Side::kSell;
  expected.price = dec("0.3374");
  expected.qty = dec("25");
  expected.fee = dec("0.005061");
  expected.is_maker = false;
  expected.ts_event = ms(1'672'364'174'443);
  EXPECT_EQ(page->executions[0], expected);
  EXPECT_EQ(page->next_page_cursor, "c%3D1");
}

TEST(BybitParseRest, ServerTime_NanoPreferredSecondAsFallback) {
  EXPECT_EQ(
      parse_server_time(200, envelope(R"({"timeSecond":"1688639403","timeNano":"1688639403423213947"})"))
          .value(),
      Timestamp::from_ns(1'688'639'403'423'213'947));
  EXPECT_EQ(parse_server_time(200, envelope(R"({"timeSecond":"1688639403","timeNano":""})")).value(),
            Timestamp::from_seconds(1'688'639'403).value());
  EXPECT_EQ(parse_server_time(200, envelope(R"({"timeNano":"abc"})")).error().message,
            "Bybit field \"timeNano\": invalid integer \"abc\"");
  EXPECT_EQ(parse_server_time(200, envelope(R"({})")).error().message, "Bybit field \"timeSecond\": missing");
}

TEST(BybitParseRest, Acks_SuccessFixtures) {
  EXPECT_TRUE(parse_ack(200, read_rest_fixture("SetLeverage.txt").body).has_value());
  EXPECT_TRUE(parse_ack(200, read_rest_fixture("SwitchPositionMode.txt").body).has_value());
}

TEST(BybitParseRest, SetMarginModeFixture_RefusalWithReason) {
  const auto status = parse_ack(200, read_rest_fixture("SetMarginMode.txt").body);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(status.error().venue_code, "3400045");
  EXPECT_EQ(
      status.error().message,
      "Bybit retCode 3400045 (HTTP 200): \"Set margin mode failed\"; reason \"Equity needs to be equal to or "
      "greater t...\" [\"3400000\"]");
}

TEST(BybitParseRest, ErrorEnvelopes_MapThroughErrorTable) {
  const auto refusal = [](std::int64_t code, std::string_view msg) {
    return R"({"retCode":)" + std::to_string(code) + R"(,"retMsg":")" + std::string(msg) +
           R"(","result":{},"retExtInfo":{},"time":1700000000000})";
  };
  const auto limited = parse_order_ack(200, refusal(10006, "Too many visits!"));
  EXPECT_EQ(limited.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(limited.error().retryable());
  const auto poor = parse_order_ack(200, refusal(110007, "Available balance is insufficient"));
  EXPECT_EQ(poor.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_FALSE(poor.error().retryable());
  EXPECT_TRUE(
      is_not_modified(parse_ack(200, refusal(110043, "Set leverage has not been modified.")).error()));
  EXPECT_EQ(parse_wallet_balance(401, refusal(10003, "API key is invalid.")).error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(parse_tickers(503, refusal(10016, "Server error.")).error().code, ErrorCode::kUnavailable);
}

TEST(BybitParseRest, NonEnvelopeBodies_ByStatus) {
  EXPECT_EQ(parse_tickers(502, "<html>bad gateway</html>").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(parse_tickers(429, "").error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(parse_tickers(200, "").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_tickers(200, R"({"retCode":"0"})").error().message,
            "Bybit answer is not an envelope with an integer retCode: \"{\\\"retCode\\\":\\\"0\\\"}\"");
  EXPECT_EQ(parse_tickers(200, R"({"retCode":0,"retMsg":"OK"})").error().message,
            "Bybit field \"result\": missing");
}

TEST(BybitParseRest, TruncatedFixtures_RefusedNeverCrash) {
  for (const char* name : {"GetBalances.txt", "GetOrders.txt", "GetPositions.txt", "GetOrderbook.txt",
                           "GetLinearInverseSymbols.txt", "GetLinearInverseTickers.txt", "GetFeeRate.txt"}) {
    const std::string body = read_rest_fixture(name).body;
    for (std::size_t cut = 0; cut < body.size(); cut += 7) {
      const std::string_view part(body.data(), cut);
      EXPECT_FALSE(parse_wallet_balance(200, part).has_value()) << name << " cut at " << cut;
      EXPECT_FALSE(parse_orders(200, part).has_value()) << name << " cut at " << cut;
      EXPECT_FALSE(parse_positions(200, part).has_value()) << name << " cut at " << cut;
      EXPECT_FALSE(parse_orderbook(200, part).has_value()) << name << " cut at " << cut;
      EXPECT_FALSE(parse_instruments(200, part).has_value()) << name << " cut at " << cut;
      EXPECT_FALSE(parse_tickers(200, part).has_value()) << name << " cut at " << cut;
      EXPECT_FALSE(parse_fee_rates(200, part).has_value()) << name << " cut at " << cut;
    }
  }
}

}  // namespace
}  // namespace kimp::venues::bybit
