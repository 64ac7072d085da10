// Tests of the Bybit private-stream parser over the recorded exchanges and the spec pages' examples.
#include "venues/bybit/parse_private.hpp"

#include <gtest/gtest.h>

#include "venues/bybit/bybit_fixtures.hpp"

namespace kimp::venues::bybit {
namespace {

using testing::read_ws_fixture;
using testing::spec_stream_example;

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

model::Symbol sym(std::string_view text) {
  return model::Symbol::create(text).value();
}

Timestamp ms(std::int64_t value) {
  return Timestamp::from_ms(value).value();
}

template <class T>
T parse_as(BybitPrivateParser& parser, std::string_view frame) {
  auto message = parser.parse(frame);
  EXPECT_TRUE(message.has_value()) << message.error();
  if (!message) {
    return T{};
  }
  EXPECT_TRUE(std::holds_alternative<T>(*message)) << frame;
  return std::holds_alternative<T>(*message) ? std::get<T>(*message) : T{};
}

TEST(BybitPrivateParse, FixtureAcks_AuthThenSubscribe) {
  BybitPrivateParser parser;
  for (const char* name :
       {"Private_Balance.txt", "Private_Order.txt", "Private_Position.txt", "Private_UserTrades.txt"}) {
    const auto fixture = read_ws_fixture(name);
    ASSERT_EQ(fixture.acks.size(), 2U) << name;
    EXPECT_EQ(parse_as<BybitWsAuthAck>(parser, fixture.acks[0]), (BybitWsAuthAck{true, "", "|5|"})) << name;
    EXPECT_EQ(parse_as<BybitWsSubscribeAck>(parser, fixture.acks[1]),
              (BybitWsSubscribeAck{true, "subscribe", "|1|"}))
        << name;
  }
}

TEST(BybitPrivateParse, AuthRefusalAndPongs) {
  BybitPrivateParser parser;
  EXPECT_EQ(parse_as<BybitWsAuthAck>(
                parser, R"({"success":false,"ret_msg":"Params Error","op":"auth","conn_id":"c"})"),
            (BybitWsAuthAck{false, "Params Error", ""}));
  EXPECT_EQ(parse_as<BybitWsPong>(
                parser, R"({"req_id":"test","op":"pong","args":["1675418560633"],"conn_id":"cfcb"})"),
            (BybitWsPong{"test"}));
  EXPECT_EQ(
      parse_as<BybitWsPong>(parser, R"({"success":true,"ret_msg":"pong","conn_id":"0970","op":"ping"})"),
      (BybitWsPong{""}));
}

TEST(BybitPrivateParse, WalletFixture_Ld0001Mapping) {
  BybitPrivateParser parser;
  const auto wallet = parse_as<BybitWsWallet>(parser, read_ws_fixture("Private_Balance.txt").pushed);
  EXPECT_EQ(wallet.ts_event, ms(1'700'034'722'104));
  ASSERT_EQ(wallet.accounts.size(), 1U);
  const BybitWalletBalance& account = wallet.accounts[0];
  EXPECT_EQ(account.account_type, "UNIFIED");
  EXPECT_EQ(account.total_equity, dec("10262.91335023"));
  EXPECT_EQ(account.total_available_balance, dec("9556.6056555"));
  ASSERT_EQ(account.coins.size(), 1U);
  const model::Balance expected{model::Venue::kBybit, "BTC",    dec("0.00102964"), dec("0"), dec("0"),
                                dec("0.00102964"),    Decimal()};
  EXPECT_EQ(account.coins[0], expected);
}

TEST(BybitPrivateParse, OrderFixture_FilledMarketOrder) {
  BybitPrivateParser parser;
  const auto orders = parse_as<BybitWsOrders>(parser, read_ws_fixture("Private_Order.txt").pushed);
  EXPECT_EQ(orders.ts_event, ms(1'672'364'262'474));
  ASSERT_EQ(orders.orders.size(), 1U);
  model::OrderReport expected;
  expected.venue = model::Venue::kBybit;
  expected.symbol = sym("ETH-30DEC22-1400-C");
  expected.venue_order_id = "5cf98598-39a7-459e-97bf-76ca765ee020";
  expected.side = model::Side::kSell;
  expected.type = model::OrderType::kMarket;
  expected.time_in_force = model::TimeInForce::kIoc;
  expected.status = model::OrderStatus::kFilled;
  expected.qty = dec("1");
  expected.filled_qty = dec("1");
  expected.avg_fill_price = dec("75");
  expected.fee_paid = dec("0.358635");
  expected.ts_created = ms(1'672'364'262'444);
  expected.ts_updated = ms(1'672'364'262'457);
  EXPECT_EQ(orders.orders[0], expected);
}

TEST(BybitPrivateParse, PositionFixture_FlatPositionWithEmptySide) {
  BybitPrivateParser parser;
  const auto positions = parse_as<BybitWsPositions>(parser, read_ws_fixture("Private_Position.txt").pushed);
  ASSERT_EQ(positions.positions.size(), 1U);
  const model::PositionReport& position = positions.positions[0];
  EXPECT_EQ(position.symbol, sym("BTCUSDT"));
  EXPECT_EQ(position.size, Decimal());
  EXPECT_EQ(position.avg_entry_price, Decimal());
  EXPECT_EQ(position.mark_price, dec("28184.5"));
  EXPECT_EQ(position.leverage, dec("10"));
  EXPECT_EQ(position.realised_pnl, dec("-25.06579337"));
  EXPECT_EQ(position.liquidation_price, Decimal());
  EXPECT_TRUE(position.isolated_margin);
  EXPECT_EQ(position.ts_updated, ms(1'697'682'317'038));
}

TEST(BybitPrivateParse, ExecutionFixture_OneTakerFill) {
  BybitPrivateParser parser;
  const auto fills = parse_as<BybitWsExecutions>(parser, read_ws_fixture("Private_UserTrades.txt").pushed);
  ASSERT_EQ(fills.executions.size(), 1U);
  model::Execution expected;
  expected.venue = model::Venue::kBybit;
  expected.symbol = sym("XRPUSDT");
  expected.venue_order_id = "f6e324ff-99c2-4e89-9739-3086e47f9381";
  expected.execution_id = "7e2ae69c-4edf-5800-a352-893d52b446aa";
  expected.side = model::Side::kSell;
  expected.price = dec("0.3374");
  expected.qty = dec("25");
  expected.fee = dec("0.005061");
  expected.ts_event = ms(1'672'364'174'443);
  EXPECT_EQ(fills.executions[0], expected);
}

TEST(BybitPrivateParse, SpecExamples_AllFourTopics) {
  BybitPrivateParser parser;
  const auto fills =
      parse_as<BybitWsExecutions>(parser, spec_stream_example("websocket_private_execution.mdx"));
  ASSERT_EQ(fills.executions.size(), 1U);
  EXPECT_EQ(fills.executions[0].fee, dec("26.3725275"));
  EXPECT_EQ(fills.executions[0].price, dec("95900.1"));
  EXPECT_EQ(parse_as<BybitWsOrders>(parser, spec_stream_example("websocket_private_order.mdx"))
                .orders.at(0)
                .fee_paid,
            dec("0.358635"));
  EXPECT_EQ(parse_as<BybitWsPositions>(parser, spec_stream_example("websocket_private_position.mdx"))
                .positions.at(0)
                .realised_pnl,
            dec("-25.06579337"));
  EXPECT_EQ(parse_as<BybitWsWallet>(parser, spec_stream_example("websocket_private_wallet.mdx"))
                .accounts.at(0)
                .coins.at(0)
                .total,
            dec("0.00102964"));
}

TEST(BybitPrivateParse, CategorisedTopic_SameRecords) {
  BybitPrivateParser parser;
  std::string frame = read_ws_fixture("Private_UserTrades.txt").pushed;
  frame.replace(frame.find("\"execution\""), 11, "\"execution.linear\"");
  EXPECT_EQ(parse_as<BybitWsExecutions>(parser, frame).executions.size(), 1U);
}

TEST(BybitPrivateParse, FundingExecution_LeftOut) {
  BybitPrivateParser parser;
  std::string frame = read_ws_fixture("Private_UserTrades.txt").pushed;
  frame.replace(frame.find("\"Trade\""), 7, "\"Funding\"");
  EXPECT_TRUE(parse_as<BybitWsExecutions>(parser, frame).executions.empty());
}

TEST(BybitPrivateParse, MalformedFrames_RefusedWithClearErrors) {
  BybitPrivateParser parser;
  EXPECT_EQ(parser.parse("").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parser.parse("[1,2]").error().message, "Bybit field \"frame\": expected an object, got an array");
  EXPECT_EQ(parser.parse(R"({"conn_id":"x"})").error().message,
            "Bybit private stream: frame has neither topic nor op: \"{\\\"conn_id\\\":\\\"x\\\"}\"");
  EXPECT_EQ(parser.parse(R"({"op":"welcome"})").error().message,
            "Bybit private stream: unknown op \"welcome\"");
  EXPECT_EQ(parser.parse(R"({"topic":"greeks","creationTime":1,"data":[]})").error().message,
            "Bybit private stream: unknown topic \"greeks\"");
  EXPECT_EQ(parser.parse(R"({"topic":"execution.fast","creationTime":1,"data":[]})").error().message,
            "Bybit private stream: unknown topic \"execution.fast\"");
  EXPECT_EQ(parser.parse(R"({"topic":"order","data":[]})").error().message,
            "Bybit field \"creationTime\": missing");
  EXPECT_EQ(parser.parse(R"({"topic":"order","creationTime":1,"data":{}})").error().message,
            "Bybit field \"data\": expected an array, got an object");
  EXPECT_EQ(parser.parse(R"({"success":"yes","ret_msg":"","op":"auth"})").error().message,
            "Bybit field \"success\": expected a boolean, got a string");
  std::string bad_fee = read_ws_fixture("Private_UserTrades.txt").pushed;
  bad_fee.replace(bad_fee.find("\"0.005061\""), 10, "\"0.0050x1\"");
  EXPECT_EQ(parser.parse(bad_fee).error().message, "Bybit field \"execFee\": invalid decimal \"0.0050x1\"");
}

TEST(BybitPrivateParse, TruncatedFixtureFrames_RefusedNeverCrash) {
  BybitPrivateParser parser;
  for (const char* name :
       {"Private_Balance.txt", "Private_Order.txt", "Private_Position.txt", "Private_UserTrades.txt"}) {
    const std::string frame = read_ws_fixture(name).pushed;
    // Every cut before the final '}' leaves the frame incomplete.
    for (std::size_t cut = 0; cut < frame.rfind('}'); cut += 5) {
      const std::string_view part(frame.data(), cut);
      EXPECT_FALSE(parser.parse(part).has_value()) << name << " cut at " << cut;
    }
  }
}

}  // namespace
}  // namespace kimp::venues::bybit
