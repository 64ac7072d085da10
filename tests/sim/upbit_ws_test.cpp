// Tests of the emulated Upbit WebSocket: message shapes against the recorded fixtures, the SIMPLE capture
// and websocket.yaml; snapshots and pushes, subscription options, errors, PING, the upgrade limit.
#include "sim/server/upbit_ws.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>

#include "json_shape.hpp"
#include "recording_ws_session.hpp"
#include "sim/auth/digest.hpp"
#include "upbit_test_venue.hpp"

namespace kimp::sim {
namespace {

namespace json = boost::json;

using testing::must;
using testing::read_text_file;
using testing::RecordingWsSession;
using testing::shape_differences;
using testing::UpbitTestVenue;

const std::string kData = KIMP_SOURCE_DIR "/../shared/data";

// A recorded exchange of fixtures/upbit/ws: the request after "> ", the pushed message after "= ".
struct WsFixture {
  std::string request;
  json::value message;
};

WsFixture read_ws_fixture(const std::string& name) {
  const std::string text = read_text_file(kData + "/fixtures/upbit/ws/" + name);
  const auto sent = text.find("> ");
  const auto pushed = text.find("\n= ");
  if (sent == std::string::npos || pushed == std::string::npos) {
    throw std::runtime_error("malformed fixture " + name);
  }
  return {text.substr(sent + 2, text.find('\n', sent) - sent - 2), json::parse(text.substr(pushed + 3))};
}

// The SIMPLE capture: the subscription request it sent and every message it received, by "ty".
struct Capture {
  std::string request;
  std::map<std::string, json::array> received;
};

Capture read_capture() {
  Capture capture;
  std::istringstream lines(read_text_file(kData + "/capture/upbit_ws_simple_2021-04-17.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const json::object record = json::parse(line).as_object();
    const auto kind = record.at("t").as_string();
    if (kind == "send") {
      capture.request = std::string(record.at("data").as_string());
    } else if (kind == "recv") {
      // Binary frames are stored base64-encoded.
      std::string encoded(record.at("b64").as_string());
      std::replace(encoded.begin(), encoded.end(), '+', '-');
      std::replace(encoded.begin(), encoded.end(), '/', '_');
      encoded.erase(encoded.find_last_not_of('=') + 1);
      const json::value message = json::parse(base64url_decode(encoded).value());
      capture.received[std::string(message.at("ty").as_string())].push_back(message);
    }
  }
  return capture;
}

// One message schema of websocket.yaml (components.schemas): each property's JSON type, SIMPLE key,
// whether it may be null, and for arrays the schema of the items.
struct SpecProperty {
  std::string name;
  std::string type;
  std::string simple;
  bool nullable = false;
  std::string items;
};

std::vector<SpecProperty> spec_schema(const std::string& name) {
  static const YAML::Node spec = YAML::LoadFile(kData + "/../specs/upbit/websocket.yaml");
  const YAML::Node schema = spec["components"]["schemas"][name];
  if (!schema || !schema["properties"]) {
    throw std::runtime_error("no schema " + name + " in websocket.yaml");
  }
  std::vector<SpecProperty> properties;
  for (const auto& member : schema["properties"]) {
    const YAML::Node& definition = member.second;
    SpecProperty property{member.first.as<std::string>(), definition["type"].as<std::string>(""),
                          definition["x-simple-key"].as<std::string>(""),
                          definition["nullable"].as<bool>(false), ""};
    if (const YAML::Node items = definition["items"]; items && items["$ref"]) {
      const auto ref = items["$ref"].as<std::string>();
      property.items = ref.substr(ref.rfind('/') + 1);
    }
    properties.push_back(std::move(property));
  }
  return properties;
}

// A value of the shape websocket.yaml gives `schema`, under DEFAULT or SIMPLE keys. Nullable
// properties are null: the emulator has no value for them (delisting_date).
json::value spec_shape(const std::string& schema, bool simple) {
  json::object out;
  for (const SpecProperty& property : spec_schema(schema)) {
    json::value value;
    if (property.nullable) {
      value = nullptr;
    } else if (property.type == "number" || property.type == "integer") {
      value = 0;
    } else if (property.type == "string") {
      value = "";
    } else if (property.type == "boolean") {
      value = false;
    } else if (property.type == "array") {
      value = json::array{spec_shape(property.items, simple)};
    } else {
      throw std::runtime_error("unexpected type " + property.type + " of " + property.name);
    }
    out[simple ? property.simple : property.name] = std::move(value);
  }
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) {
    text += line + "\n";
  }
  return text;
}

class UpbitWsTest : public ::testing::Test {
 protected:
  std::shared_ptr<RecordingWsSession> open() {
    HttpRequest upgrade;
    upgrade.path = "/websocket/v1";
    auto session = std::make_shared<RecordingWsSession>(++last_session_, upgrade, exchange().now());
    ws_.on_open(session);
    return session;
  }

  void send(const std::shared_ptr<RecordingWsSession>& session, std::string_view text) {
    ws_.on_message(session, text, WsFrame::kText);
  }

  // Everything `session` received since the last call, parsed.
  static std::vector<json::value> received(RecordingWsSession& session) {
    std::vector<json::value> out;
    for (const auto& message : session.take()) {
      out.push_back(json::parse(message.text));
    }
    return out;
  }

  // One market step: new books and a new ticker on every market.
  void step() {
    must(venue_.clock().advance_by(std::chrono::milliseconds(100)));
    must(exchange().sync());
  }

  // A fill that puts one trade on `market`'s tape: an IOC bid at the best ask.
  void trade(std::string_view market = "KRW-BTC", std::string_view volume = "0.001") {
    const OrderBook& book = *exchange().market().book(Venue::kUpbit, market);
    const auto placed = venue_.post_order({{"market", std::string(market)},
                                           {"side", "bid"},
                                           {"volume", std::string(volume)},
                                           {"price", book.asks.front().price.to_string()},
                                           {"time_in_force", "ioc"}});
    ASSERT_EQ(placed.status, 201U) << placed.body;
  }

  Exchange& exchange() { return venue_.exchange(); }
  const OrderBook& book(std::string_view market) { return *exchange().market().book(Venue::kUpbit, market); }

  UpbitTestVenue venue_;
  UpbitWebSocket ws_{venue_.exchange()};
  std::uint64_t last_session_ = 0;
};

void expect_shape(const json::value& expected, const json::value& actual, const std::string& what) {
  EXPECT_EQ(join(shape_differences(expected, actual)), "") << what << "\n" << json::serialize(actual);
}

// ---- Conformance ----

TEST_F(UpbitWsTest, TickerFixtureRequest_GetsASnapshotShapedLikeTheRecording) {
  const WsFixture fixture = read_ws_fixture("Tickers.txt");
  const auto session = open();
  send(session, fixture.request);
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U);
  expect_shape(fixture.message, messages[0], "ticker");
  EXPECT_EQ(messages[0].at("stream_type"), "SNAPSHOT");
}

TEST_F(UpbitWsTest, TradeFixtureRequest_GetsASnapshotShapedLikeTheRecording) {
  trade();
  const WsFixture fixture = read_ws_fixture("Trades.txt");
  const auto session = open();
  send(session, fixture.request);
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U);
  expect_shape(fixture.message, messages[0], "trade");
  EXPECT_EQ(messages[0].at("stream_type"), "SNAPSHOT");
}

TEST_F(UpbitWsTest, OrderbookFixtureRequest_GetsASnapshotShapedLikeTheRecording) {
  WsFixture fixture = read_ws_fixture("OrderBook.txt");
  // The recording leaves out two members websocket.yaml requires of every orderbook message.
  fixture.message.as_object()["level"] = 0;
  fixture.message.as_object()["stream_type"] = "SNAPSHOT";
  const auto session = open();
  send(session, fixture.request);
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U);
  expect_shape(fixture.message, messages[0], "orderbook");
}

TEST_F(UpbitWsTest, CandleFixtureRequest_IsRefusedAsNotEmulated) {
  const auto session = open();
  send(session, read_ws_fixture("Kline.txt").request);
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].at("error").at("name"), "INVALID_PARAM");
}

// The capture's own request, pointed at an emulated market, gets realtime SIMPLE messages shaped like
// the ones it recorded. Upbit added members since 2021 (websocket.yaml): the best prices beside each
// trade and the orderbook's level.
TEST_F(UpbitWsTest, CapturedSimpleRequest_GetsRealtimeMessagesShapedLikeTheCapture) {
  Capture capture = read_capture();
  json::value request = json::parse(capture.request);
  for (auto& element : request.as_array()) {
    if (element.as_object().contains("codes")) {
      element.as_object()["codes"] = json::array{"KRW-BTC"};
    }
  }
  for (auto& message : capture.received.at("trade")) {
    for (const char* added : {"bap", "bas", "bbp", "bbs"}) {
      message.as_object()[added] = 0;
    }
  }
  for (auto& message : capture.received.at("orderbook")) {
    message.as_object()["lv"] = 0;
  }
  const auto session = open();
  send(session, json::serialize(request));
  EXPECT_TRUE(received(*session).empty()) << "isOnlyRealtime: no snapshot";
  trade();
  step();
  ws_.publish();
  std::map<std::string, int> seen;
  for (const auto& message : received(*session)) {
    const std::string type(message.at("ty").as_string());
    ++seen[type];
    expect_shape(capture.received.at(type), json::array{message}, type);
    EXPECT_EQ(message.at("st"), "REALTIME");
  }
  EXPECT_EQ(seen, (std::map<std::string, int>{{"orderbook", 1}, {"trade", 1}}));
}

// Every member websocket.yaml defines, with its type, under both key sets (x-simple-key for SIMPLE).
TEST_F(UpbitWsTest, EveryMessageType_HasTheSpecsMembersInBothFormats) {
  trade();
  for (const bool simple : {false, true}) {
    const auto session = open();
    send(session, std::string(R"([{"ticket":"spec"},{"type":"ticker","codes":["KRW-BTC"]},)") +
                      R"({"type":"trade","codes":["KRW-BTC"]},{"type":"orderbook","codes":["KRW-BTC"]},)" +
                      (simple ? R"({"format":"SIMPLE"}])" : R"({"format":"DEFAULT"}])"));
    const auto messages = received(*session);
    ASSERT_EQ(messages.size(), 3U);
    const char* type_key = simple ? "ty" : "type";
    expect_shape(spec_shape("TickerMessage", simple), messages[0], "ticker");
    EXPECT_EQ(messages[0].at(type_key), "ticker");
    expect_shape(spec_shape("TradeMessage", simple), messages[1], "trade");
    EXPECT_EQ(messages[1].at(type_key), "trade");
    expect_shape(spec_shape("OrderbookMessage", simple), messages[2], "orderbook");
    EXPECT_EQ(messages[2].at(type_key), "orderbook");
  }
}

// ---- Streams ----

TEST_F(UpbitWsTest, Subscription_SendsABinarySnapshotThenBinaryRealtimePushes) {
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC"]}])");
  auto sent = session->take();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].frame, WsFrame::kBinary);
  EXPECT_EQ(sent[0].kind, WsMessageKind::kSnapshot);
  EXPECT_EQ(json::parse(sent[0].text).at("stream_type"), "SNAPSHOT");
  EXPECT_EQ(json::parse(sent[0].text).at("timestamp"), exchange().now().ms());

  step();
  ws_.publish();
  sent = session->take();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].frame, WsFrame::kBinary);
  EXPECT_EQ(sent[0].kind, WsMessageKind::kDelta);
  EXPECT_EQ(json::parse(sent[0].text).at("stream_type"), "REALTIME");
  EXPECT_EQ(json::parse(sent[0].text).at("timestamp"), exchange().now().ms());
}

TEST_F(UpbitWsTest, IsOnlySnapshot_SendsTheSnapshotAndNoPushes) {
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"],"isOnlySnapshot":true}])");
  EXPECT_EQ(received(*session).size(), 1U);
  step();
  ws_.publish();
  EXPECT_TRUE(received(*session).empty());
}

TEST_F(UpbitWsTest, IsOnlyRealtime_SendsNoSnapshotButThePushes) {
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"],"is_only_realtime":true}])");
  EXPECT_TRUE(received(*session).empty());
  step();
  ws_.publish();
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].at("stream_type"), "REALTIME");
}

TEST_F(UpbitWsTest, NewRequest_ReplacesTheSessionsSubscriptionsAndFormat) {
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"]}])");
  send(session, R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-ETH"]},{"format":"SIMPLE"}])");
  session->take();
  step();
  ws_.publish();
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].at("ty"), "orderbook");
  EXPECT_EQ(messages[0].at("cd"), "KRW-ETH");
}

TEST_F(UpbitWsTest, Books_ArePushedOnlyWhenTheyChanged) {
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC","KRW-ETH"]}])");
  EXPECT_EQ(received(*session).size(), 2U);
  ws_.publish();
  EXPECT_TRUE(received(*session).empty()) << "no step, no change";
  step();
  ws_.publish();
  EXPECT_EQ(received(*session).size(), 2U);
  ws_.publish();
  EXPECT_TRUE(received(*session).empty());
}

TEST_F(UpbitWsTest, Tickers_ArePushedOnlyWhenTheyChanged) {
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"]}])");
  EXPECT_EQ(received(*session).size(), 1U);
  ws_.publish();
  EXPECT_TRUE(received(*session).empty());
  step();
  ws_.publish();
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].at("trade_timestamp"), exchange().market().now().ms());
}

// Values in the message are the model's book digit for digit: units best first, totals over the units
// shown, 30 units by default and the depth a ".N" suffix asks for.
TEST_F(UpbitWsTest, OrderbookMessage_CarriesTheModelsBookExactly) {
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC","KRW-ETH.5"]}])");
  const auto sent = session->take();
  ASSERT_EQ(sent.size(), 2U);
  for (const auto& [message, market, depth] :
       {std::tuple{sent[0].text, "KRW-BTC", 30U}, std::tuple{sent[1].text, "KRW-ETH", 5U}}) {
    const OrderBook& model = book(market);
    ASSERT_GE(model.bids.size(), depth);
    ASSERT_GE(model.asks.size(), depth);
    Decimal total_ask;
    Decimal total_bid;
    for (std::size_t i = 0; i < depth; ++i) {
      const auto& ask = model.asks[i];
      const auto& bid = model.bids[i];
      const std::string unit = fmt::format(R"({{"ask_price":{},"bid_price":{},"ask_size":{},"bid_size":{}}})",
                                           ask.price.to_string(), bid.price.to_string(),
                                           ask.quantity.to_string(), bid.quantity.to_string());
      EXPECT_NE(message.find(unit), std::string::npos) << market << " unit " << i << ": " << unit;
      total_ask = total_ask.add(ask.quantity).value();
      total_bid = total_bid.add(bid.quantity).value();
    }
    EXPECT_NE(message.find(fmt::format(R"("total_ask_size":{},)", total_ask.to_string())), std::string::npos);
    EXPECT_NE(message.find(fmt::format(R"("total_bid_size":{},)", total_bid.to_string())), std::string::npos);
    const json::value parsed = json::parse(message);
    EXPECT_EQ(parsed.at("code"), market);
    EXPECT_EQ(parsed.at("orderbook_units").as_array().size(), depth);
    EXPECT_EQ(parsed.at("level"), 0);
  }
}

TEST_F(UpbitWsTest, OrderbookLevel_GroupsPricesOnThatStepAndUnofferedLevelsSendNothing) {
  const auto session = open();
  // KRW-BTC's tick is 1,000 KRW at its price, so it offers 10,000 .. 100,000,000.
  send(session, R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC.5"],"level":100000}])");
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].at("level"), 100000);
  for (const auto& unit : messages[0].at("orderbook_units").as_array()) {
    EXPECT_EQ(unit.at("ask_price").to_number<std::int64_t>() % 100000, 0);
    EXPECT_EQ(unit.at("bid_price").to_number<std::int64_t>() % 100000, 0);
  }
  send(session, R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC"],"level":123}])");
  step();
  ws_.publish();
  EXPECT_TRUE(received(*session).empty());
}

// Each trade of the tape is pushed once, in order, with the ledger's price and volume and the
// sequential_id REST /v1/trades/ticks gives it.
TEST_F(UpbitWsTest, Trades_ArePushedOnceEachInOrderWithTheLedgersValues) {
  trade();
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"trade","codes":["KRW-BTC"]}])");
  ASSERT_EQ(received(*session).size(), 1U);  // the snapshot: the newest trade
  trade("KRW-BTC", "0.002");
  trade("KRW-BTC", "0.003");
  ws_.publish();
  const auto sent = session->take();
  ASSERT_EQ(sent.size(), 2U);
  const auto tape = exchange().ledger().upbit_market_trades("KRW-BTC");
  ASSERT_EQ(tape.size(), 3U);
  const auto ticks = json::parse(venue_.get("/v1/trades/ticks", "market=KRW-BTC&count=2").body).as_array();
  for (std::size_t i = 0; i < 2; ++i) {
    const UpbitTrade& expected = tape[i + 1];
    const json::value message = json::parse(sent[i].text);
    EXPECT_EQ(message.at("stream_type"), "REALTIME");
    EXPECT_NE(sent[i].text.find(fmt::format(R"("trade_price":{},"trade_volume":{},)",
                                            expected.price.to_string(), expected.volume.to_string())),
              std::string::npos)
        << sent[i].text;
    EXPECT_EQ(message.at("trade_timestamp"), expected.created_at.ms());
    EXPECT_EQ(message.at("ask_bid"), "BID");
    // REST lists newest first.
    EXPECT_EQ(message.at("sequential_id"), ticks[1 - i].at("sequential_id"));
  }
  ws_.publish();
  EXPECT_TRUE(received(*session).empty()) << "pushed once";
}

TEST_F(UpbitWsTest, TradesBeforeSubscribing_AreNotPushedAsRealtime) {
  const auto first = open();
  send(first, R"([{"ticket":"t"},{"type":"trade","codes":["KRW-BTC"],"isOnlyRealtime":true}])");
  trade();
  const auto second = open();
  send(second, R"([{"ticket":"t"},{"type":"trade","codes":["KRW-BTC"]}])");
  ASSERT_EQ(received(*second).size(), 1U);  // the trade, as its snapshot
  ws_.publish();
  EXPECT_EQ(received(*first).size(), 1U);
  EXPECT_TRUE(received(*second).empty());
}

TEST_F(UpbitWsTest, SubscribersOfOneFormat_GetTheSameText) {
  const auto a = open();
  const auto b = open();
  for (const auto& session : {a, b}) {
    send(session, R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC"]},{"format":"SIMPLE"}])");
    session->take();
  }
  step();
  ws_.publish();
  const auto to_a = a->take();
  const auto to_b = b->take();
  ASSERT_EQ(to_a.size(), 1U);
  ASSERT_EQ(to_b.size(), 1U);
  EXPECT_EQ(to_a[0].text, to_b[0].text);
}

TEST_F(UpbitWsTest, UnknownCodes_AreIgnoredWithoutAnError) {
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-NOPE","krw-btc","KRW-BTC"]}])");
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].at("code"), "KRW-BTC");
}

TEST_F(UpbitWsTest, ClosedSession_IsForgotten) {
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC"]}])");
  session->take();
  EXPECT_EQ(ws_.sessions(), 1U);
  ws_.on_close(*session);
  EXPECT_EQ(ws_.sessions(), 0U);
  step();
  ws_.publish();
  EXPECT_TRUE(session->take().empty());
}

// ---- Control ----

TEST_F(UpbitWsTest, Ping_IsAnsweredStatusUpAsAControlMessage) {
  const auto session = open();
  send(session, "PING");
  const auto sent = session->take();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].text, R"({"status":"UP"})");
  EXPECT_EQ(sent[0].kind, WsMessageKind::kControl);
}

TEST_F(UpbitWsTest, Open_AsksFor120SecondIdleTimeout) {
  const auto session = open();
  EXPECT_EQ(session->idle_timeout(), std::optional<Duration>(std::chrono::seconds(120)));
}

TEST_F(UpbitWsTest, MalformedRequests_GetUpbitsErrorsAndKeepTheSubscriptions) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"not json", "WRONG_FORMAT"},
      {R"({"ticket":"t"})", "WRONG_FORMAT"},
      {R"([{"ticket":"t"},"ticker"])", "WRONG_FORMAT"},
      {R"([{"ticket":"t"},{"unknown":1}])", "WRONG_FORMAT"},
      {R"([{"ticket":"t"},{"type":"ticker","codes":"KRW-BTC"}])", "WRONG_FORMAT"},
      {R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"],"isOnlySnapshot":"yes"}])", "WRONG_FORMAT"},
      {R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC"],"level":"10000"}])", "WRONG_FORMAT"},
      {R"([{"type":"ticker","codes":["KRW-BTC"]}])", "NO_TICKET"},
      {R"([{"ticket":""},{"type":"ticker","codes":["KRW-BTC"]}])", "NO_TICKET"},
      {R"([{"ticket":"t"}])", "NO_TYPE"},
      {R"([{"ticket":"t"},{"codes":["KRW-BTC"]}])", "NO_TYPE"},
      {R"([{"ticket":"t"},{"type":"ticker"}])", "NO_CODES"},
      {R"([{"ticket":"t"},{"type":"ticker","codes":[]}])", "INVALID_PARAM"},
      {R"([{"ticket":"t"},{"type":"myOrder","codes":["KRW-BTC"]}])", "INVALID_PARAM"},
      {R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC.7"]}])", "INVALID_PARAM"},
      {R"([{"ticket":"t"},{"type":"ticker","codes":["KRW-BTC"]},{"format":"SIMPLE_LIST"}])", "INVALID_PARAM"},
  };
  const auto session = open();
  send(session, R"([{"ticket":"t"},{"type":"orderbook","codes":["KRW-BTC"]}])");
  session->take();
  for (const auto& [request, name] : cases) {
    send(session, request);
    const auto sent = session->take();
    ASSERT_EQ(sent.size(), 1U) << request;
    EXPECT_EQ(sent[0].kind, WsMessageKind::kControl) << request;
    const json::value reply = json::parse(sent[0].text);
    EXPECT_EQ(reply.at("error").at("name").as_string(), name) << request;
    EXPECT_FALSE(reply.at("error").at("message").as_string().empty()) << request;
  }
  step();
  ws_.publish();
  const auto messages = received(*session);
  ASSERT_EQ(messages.size(), 1U) << "the orderbook subscription still stands";
  EXPECT_EQ(messages[0].at("type"), "orderbook");
}

TEST_F(UpbitWsTest, SixthUpgradeWithinASecond_IsRefusedUntilTheSecondHasPassed) {
  HttpRequest upgrade;
  upgrade.path = "/websocket/v1";
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(ws_.admit(upgrade).has_value()) << i;
    must(venue_.clock().advance_by(std::chrono::milliseconds(100)));
  }
  const auto refused = ws_.admit(upgrade);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 429U);
  EXPECT_EQ(json::parse(refused->body).at("error").at("name"), "too_many_requests");
  // The first upgrade leaves the window 1 s after it was made; refusals did not count.
  must(venue_.clock().advance_by(std::chrono::milliseconds(500)));
  EXPECT_FALSE(ws_.admit(upgrade).has_value());
  EXPECT_TRUE(ws_.admit(upgrade).has_value());
}

}  // namespace
}  // namespace kimp::sim
