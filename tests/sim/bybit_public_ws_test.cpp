// Tests of the emulated Bybit public WebSocket: replies, book snapshots and deltas, cadence, tickers,
// trades and klines, against the recorded capture, fixtures and the market model.
#include "sim/server/bybit_public_ws.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/clock.hpp"
#include "core/decimal.hpp"
#include "json_shape.hpp"
#include "recording_ws_session.hpp"
#include "sim/server/exchange.hpp"

namespace kimp::sim::testing {
namespace {

namespace json = boost::json;

using std::chrono::milliseconds;
using std::chrono::seconds;
using Messages = std::vector<RecordingWsSession::Message>;

constexpr std::string_view kCapture =
    KIMP_SOURCE_DIR "/../shared/data/capture/bybit_v5_public_ws_2026-08-09.jsonl";
constexpr std::string_view kFixtureDir = KIMP_SOURCE_DIR "/../shared/data/fixtures/bybit/ws";
constexpr std::string_view kLinearConn = "BYBIT.ws.2";  // the capture's /v5/public/linear connection
constexpr std::string_view kSpotConn = "BYBIT.ws.3";    // its /v5/public/spot connection

// Pong examples of websocket_wss-authentication.mdx ("Pong message example of public channels").
constexpr std::string_view kSpotPong =
    R"({"success":true,"ret_msg":"pong","conn_id":"0970e817-426e-429a-a679-ff7f55e0b16a","op":"ping"})";
constexpr std::string_view kLinearPong =
    R"({"success":true,"ret_msg":"pong","conn_id":"465772b1-7630-4fdc-a492-e003e6f0f260","req_id":"","op":"ping"})";

json::value parse_json(std::string_view text) {
  boost::system::error_code error;
  auto value = json::parse(text, error);
  if (error) {
    throw std::runtime_error(fmt::format("not JSON: {}", text));
  }
  return value;
}

std::string_view str(const json::value& text) {
  return text.as_string();
}

// The frames the capture received, by connection, in order.
const std::vector<std::pair<std::string, json::value>>& captured_frames() {
  static const auto frames = [] {
    std::ifstream in{std::string(kCapture)};
    if (!in) {
      throw std::runtime_error(fmt::format("cannot open {}", kCapture));
    }
    std::vector<std::pair<std::string, json::value>> out;
    std::string line;
    while (std::getline(in, line)) {
      const auto entry = parse_json(line);
      if (entry.at("t") == "recv") {
        out.emplace_back(std::string(entry.at("conn").as_string()), parse_json(entry.at("data").as_string()));
      }
    }
    return out;
  }();
  return frames;
}

// The first frame received on `conn` whose topic starts with `topic_prefix` and whose type is `type`;
// an empty prefix selects the first reply (a frame with "op").
const json::value& recorded(std::string_view conn, std::string_view topic_prefix,
                            std::string_view type = "") {
  for (const auto& [frame_conn, frame] : captured_frames()) {
    const auto& object = frame.as_object();
    if (frame_conn != conn) {
      continue;
    }
    if (topic_prefix.empty()
            ? object.contains("op")
            : object.contains("topic") &&
                  std::string_view(object.at("topic").as_string()).starts_with(topic_prefix) &&
                  str(object.at("type")) == type) {
      return frame;
    }
  }
  throw std::runtime_error(fmt::format("the capture has no {} {} {}", conn, topic_prefix, type));
}

// A fixtures/bybit/ws file: `<` the acknowledgement, `=` then the pushed message over the next lines.
struct WsFixture {
  json::value ack;
  json::value pushed;
};

WsFixture read_ws_fixture(const std::string& name) {
  std::ifstream in(fmt::format("{}/{}", kFixtureDir, name));
  if (!in) {
    throw std::runtime_error("cannot open " + name);
  }
  WsFixture fixture;
  std::string line;
  std::string pushed;
  bool in_push = false;
  while (std::getline(in, line)) {
    if (in_push) {
      pushed += line + "\n";
    } else if (line.starts_with("<")) {
      fixture.ack = parse_json(line.substr(1));
    } else if (line.starts_with("=")) {
      in_push = true;
      pushed = line.substr(1);
    }
  }
  fixture.pushed = parse_json(pushed);
  return fixture;
}

void expect_shape(const json::value& expected, const json::value& actual) {
  const auto differences = shape_differences(expected, actual);
  EXPECT_TRUE(differences.empty()) << fmt::format("{}", fmt::join(differences, "\n"))
                                   << "\nactual: " << json::serialize(actual);
}

Decimal dec(const json::value& text) {
  auto value = Decimal::parse(text.as_string());
  if (!value) {
    throw std::runtime_error(fmt::format("not a decimal: {}", json::serialize(text)));
  }
  return *value;
}

// A client's copy of one book topic, built from the snapshot and deltas as the orderbook page says.
class LocalBook {
 public:
  // Applies one message, failing the test when `u` does not follow on (level 1 may repeat its `u`).
  void apply(const json::object& message) {
    const auto& data = message.at("data").as_object();
    const auto u = data.at("u").to_number<std::uint64_t>();
    if (message.at("type") == "snapshot") {
      if (snapshots_ > 0) {
        EXPECT_TRUE(u == u_ || u == u_ + 1) << "snapshot u " << u << " after " << u_;
      }
      ++snapshots_;
      bids_.clear();
      asks_.clear();
    } else {
      EXPECT_GT(snapshots_, 0) << "a delta before any snapshot";
      EXPECT_EQ(u, u_ + 1) << "delta u does not follow on";
      ++deltas_;
    }
    u_ = u;
    seq_ = data.at("seq").to_number<std::uint64_t>();
    side(data.at("b").as_array(), bids_);
    side(data.at("a").as_array(), asks_);
  }

  // True when this copy holds the top `depth` levels of `book` exactly.
  [[nodiscard]] ::testing::AssertionResult matches(const OrderBook& book, std::size_t depth) const {
    const auto compare = [depth](const auto& local, const std::vector<BookLevel>& levels,
                                 std::string_view name) -> ::testing::AssertionResult {
      const std::size_t expected = std::min(depth, levels.size());
      if (local.size() != expected) {
        return ::testing::AssertionFailure() << name << ": " << local.size() << " levels, want " << expected;
      }
      std::size_t i = 0;
      for (const auto& [price, quantity] : local) {
        if (price != levels[i].price || quantity != levels[i].quantity) {
          return ::testing::AssertionFailure() << name << " level " << i << ": " << price << " " << quantity
                                               << ", want " << levels[i].price << " " << levels[i].quantity;
        }
        ++i;
      }
      return ::testing::AssertionSuccess();
    };
    auto bids = compare(bids_, book.bids, "bids");
    return bids ? compare(asks_, book.asks, "asks") : bids;
  }

  [[nodiscard]] std::uint64_t u() const { return u_; }
  [[nodiscard]] std::uint64_t seq() const { return seq_; }
  [[nodiscard]] int deltas() const { return deltas_; }
  [[nodiscard]] int snapshots() const { return snapshots_; }
  bool operator==(const LocalBook& other) const { return bids_ == other.bids_ && asks_ == other.asks_; }

 private:
  template <class Side>
  static void side(const json::array& levels, Side& out) {
    for (const auto& level : levels) {
      const Decimal price = dec(level.as_array().at(0));
      const Decimal quantity = dec(level.as_array().at(1));
      if (quantity.is_zero()) {
        EXPECT_EQ(out.erase(price), 1U) << "removal of an absent level " << price;
      } else {
        out[price] = quantity;
      }
    }
  }

  std::map<Decimal, Decimal, std::greater<>> bids_;
  std::map<Decimal, Decimal> asks_;
  std::uint64_t u_ = 0;
  std::uint64_t seq_ = 0;
  int deltas_ = 0;
  int snapshots_ = 0;
};

class BybitPublicWsTest : public ::testing::Test {
 protected:
  // An exchange whose market steps every `step`, and a linear and a spot endpoint at `speed`.
  void start(Duration step = milliseconds(100), double speed = 1.0) {
    SimConfig config;
    config.market.step = std::chrono::duration_cast<milliseconds>(step);
    auto exchange = Exchange::create(config, clock_);
    ASSERT_TRUE(exchange.has_value()) << exchange.error();
    exchange_ = std::move(*exchange);
    linear_ = std::make_unique<BybitPublicWebSocket>(*exchange_, BybitCategory::kLinear, speed);
    spot_ = std::make_unique<BybitPublicWebSocket>(*exchange_, BybitCategory::kSpot, speed);
  }

  void SetUp() override { start(); }

  BybitPublicWebSocket& endpoint(BybitCategory category) {
    return category == BybitCategory::kLinear ? *linear_ : *spot_;
  }

  std::shared_ptr<RecordingWsSession> open(BybitCategory category = BybitCategory::kLinear) {
    HttpRequest upgrade;
    upgrade.path = category == BybitCategory::kLinear ? "/v5/public/linear" : "/v5/public/spot";
    auto session = std::make_shared<RecordingWsSession>(++last_session_id_, upgrade, exchange_->now());
    endpoint(category).on_open(session);
    categories_[session.get()] = category;
    return session;
  }

  void send(const std::shared_ptr<RecordingWsSession>& session, std::string_view text) {
    endpoint(categories_.at(session.get())).on_message(session, text, WsFrame::kText);
  }

  // Sends `request` and returns the reply, which must be the first message back and a control frame.
  json::object request(const std::shared_ptr<RecordingWsSession>& session, std::string_view text) {
    send(session, text);
    auto messages = session->take();
    if (messages.empty()) {
      ADD_FAILURE() << "no reply to " << text;
      return {};
    }
    EXPECT_EQ(messages.front().kind, WsMessageKind::kControl);
    EXPECT_EQ(messages.front().frame, WsFrame::kText);
    pending_[session.get()] = Messages(messages.begin() + 1, messages.end());
    return parse_json(messages.front().text).as_object();
  }

  // What followed the last reply (snapshots), then forgets it.
  Messages after_reply(const std::shared_ptr<RecordingWsSession>& session) {
    return std::exchange(pending_[session.get()], {});
  }

  // Subscribes to `topics` and expects success.
  void subscribe(const std::shared_ptr<RecordingWsSession>& session, const std::vector<std::string>& topics) {
    const auto reply =
        request(session, fmt::format(R"({{"op":"subscribe","args":["{}"]}})", fmt::join(topics, R"(",")")));
    ASSERT_EQ(reply.at("success"), true) << json::serialize(reply);
  }

  // Moves time by `by`, brings the market up to date and lets both endpoints push.
  void tick(Duration by) {
    ASSERT_TRUE(clock_.advance_by(by).has_value());
    ASSERT_TRUE(exchange_->sync().has_value());
    linear_->publish(exchange_->now());
    spot_->publish(exchange_->now());
  }

  [[nodiscard]] const OrderBook& book(std::string_view symbol) const {
    return *exchange_->market().book(Venue::kBybit, symbol);
  }

  SimClock clock_{Timestamp::from_ns(1'786'000'000'000'000'000)};
  std::unique_ptr<Exchange> exchange_;
  std::unique_ptr<BybitPublicWebSocket> linear_;
  std::unique_ptr<BybitPublicWebSocket> spot_;
  std::uint64_t last_session_id_ = 0;
  std::map<const WsSession*, BybitCategory> categories_;
  std::map<const WsSession*, Messages> pending_;
};

std::string topic_of(const RecordingWsSession::Message& message) {
  return std::string(parse_json(message.text).at("topic").as_string());
}

// ---- replies ----

TEST_F(BybitPublicWsTest, Subscribe_Linear_AcksLikeBybitWithReqIdAlwaysPresent) {
  const auto session = open();
  const auto with_id =
      request(session, R"({"req_id":"|1|","op":"subscribe","args":["orderbook.200.BTCUSDT"]})");
  expect_shape(read_ws_fixture("Linear_Ticker.txt").ack, with_id);
  EXPECT_EQ(with_id.at("success"), true);
  EXPECT_EQ(with_id.at("ret_msg"), "");
  EXPECT_EQ(with_id.at("req_id"), "|1|");
  EXPECT_EQ(with_id.at("op"), "subscribe");
  EXPECT_FALSE(with_id.at("conn_id").as_string().empty());

  const auto without_id = request(session, R"({"op":"subscribe","args":["tickers.BTCUSDT"]})");
  expect_shape(recorded(kLinearConn, ""), without_id);
  EXPECT_EQ(without_id.at("req_id"), "");
  EXPECT_EQ(without_id.at("conn_id"), with_id.at("conn_id"));
}

TEST_F(BybitPublicWsTest, Subscribe_Spot_AcksWithRetMsgSubscribeAndEchoesOnlyAGivenReqId) {
  const auto session = open(BybitCategory::kSpot);
  const auto with_id = request(session, R"({"req_id":"|1|","op":"subscribe","args":["tickers.BTCUSDT"]})");
  expect_shape(read_ws_fixture("Spot_Ticker.txt").ack, with_id);
  EXPECT_EQ(with_id.at("ret_msg"), "subscribe");
  EXPECT_EQ(with_id.at("req_id"), "|1|");

  const auto without_id = request(session, R"({"op":"subscribe","args":["orderbook.200.BTCUSDT"]})");
  expect_shape(recorded(kSpotConn, ""), without_id);
  EXPECT_FALSE(without_id.contains("req_id"));
}

TEST_F(BybitPublicWsTest, Ping_AnswersEachCategorysPong) {
  const auto linear = open();
  const auto linear_pong = request(linear, R"({"op":"ping"})");
  expect_shape(parse_json(kLinearPong), linear_pong);
  EXPECT_EQ(linear_pong.at("ret_msg"), "pong");
  EXPECT_EQ(linear_pong.at("op"), "ping");
  EXPECT_EQ(request(linear, R"({"req_id":"100001","op":"ping"})").at("req_id"), "100001");

  const auto spot = open(BybitCategory::kSpot);
  const auto spot_pong = request(spot, R"({"op":"ping"})");
  expect_shape(parse_json(kSpotPong), spot_pong);
  EXPECT_EQ(spot_pong.at("ret_msg"), "pong");
  EXPECT_NE(spot_pong.at("conn_id"), linear_pong.at("conn_id"));
}

struct Refusal {
  BybitCategory category;
  std::string request;
  std::string ret_msg;
  std::string op;
};

TEST_F(BybitPublicWsTest, Requests_BadOnesAreRefusedAsBybitDoesAndSubscribeNothing) {
  const std::vector<Refusal> cases{
      {BybitCategory::kLinear, R"({"op":"subscribe","args":["orderbook.50.NOPEUSDT"]})",
       "error:handler not found,topic:orderbook.50.NOPEUSDT", "subscribe"},
      {BybitCategory::kLinear, R"({"op":"subscribe","args":["orderbook.30.BTCUSDT"]})",
       "error:handler not found,topic:orderbook.30.BTCUSDT", "subscribe"},
      {BybitCategory::kLinear, R"({"op":"subscribe","args":["orderbook.50.btcusdt"]})",
       "error:handler not found,topic:orderbook.50.btcusdt", "subscribe"},
      {BybitCategory::kLinear, R"({"op":"subscribe","args":["order"]})",
       "error:handler not found,topic:order", "subscribe"},
      // One bad topic refuses the whole request: the good one is not subscribed either.
      {BybitCategory::kLinear, R"({"op":"subscribe","args":["tickers.BTCUSDT","kline.5.BTCUSDT"]})",
       "error:handler not found,topic:kline.5.BTCUSDT", "subscribe"},
      {BybitCategory::kLinear, R"({"op":"subscribe","args":["publicTrade.ETHUSDT","publicTrade.ETHUSDT"]})",
       "error:already subscribed,topic:publicTrade.ETHUSDT", "subscribe"},
      {BybitCategory::kLinear, R"({"op":"nope"})", "error:invalid op", "nope"},
      {BybitCategory::kLinear, "hello",
       "Failed to decode incoming data:readObjectStart: expect { or n, but found h, error found in #1 byte "
       "of "
       "...|hello|..., bigger context ...|hello|...",
       ""},
      {BybitCategory::kLinear, R"({"op":"subscribe","args":"tickers.BTCUSDT"})",
       "Failed to decode incoming data:args: expect array", ""},
      {BybitCategory::kSpot, R"({"op":"subscribe","args":["publicTrade.NOPEUSDT"]})",
       "Invalid symbol :[publicTrade.NOPEUSDT]", "subscribe"},
      {BybitCategory::kSpot, R"({"op":"subscribe","args":["allLiquidation.BTCUSDT"]})",
       "error:handler not found,topic:allLiquidation.BTCUSDT", "subscribe"},
      {BybitCategory::kSpot,
       R"({"op":"subscribe","args":["tickers.BTCUSDT","tickers.ETHUSDT","tickers.SOLUSDT","tickers.XRPUSDT",)"
       R"("tickers.DOGEUSDT","kline.1.BTCUSDT","kline.1.ETHUSDT","kline.1.SOLUSDT","kline.1.XRPUSDT",)"
       R"("kline.1.DOGEUSDT","orderbook.1.BTCUSDT"]})",
       "args size >10", "subscribe"},
  };
  std::vector<std::shared_ptr<RecordingWsSession>> sessions;
  for (const auto& refusal : cases) {
    const auto session = open(refusal.category);
    sessions.push_back(session);
    const auto reply = request(session, refusal.request);
    EXPECT_EQ(reply.at("success"), false) << refusal.request;
    EXPECT_EQ(str(reply.at("ret_msg")), refusal.ret_msg) << refusal.request;
    EXPECT_EQ(str(reply.at("op")), refusal.op) << refusal.request;
    EXPECT_EQ(reply.contains("req_id"), refusal.category == BybitCategory::kLinear) << refusal.request;
    EXPECT_TRUE(after_reply(session).empty()) << refusal.request;
  }
  for (int i = 0; i < 30; ++i) {
    tick(milliseconds(100));
  }
  for (const auto& session : sessions) {
    EXPECT_TRUE(session->take().empty()) << "a refused request subscribed something";
  }
}

TEST_F(BybitPublicWsTest, Subscribe_AnAlreadySubscribedTopicIsRefusedAndTheFirstKeepsDelivering) {
  const auto session = open();
  subscribe(session, {"orderbook.50.ETHUSDT"});
  ASSERT_EQ(after_reply(session).size(), 1U);
  const auto again = request(session, R"({"req_id":"e6","op":"subscribe","args":["orderbook.50.ETHUSDT"]})");
  EXPECT_EQ(again.at("success"), false);
  EXPECT_EQ(again.at("ret_msg"), "error:already subscribed,topic:orderbook.50.ETHUSDT");
  EXPECT_EQ(again.at("req_id"), "e6");
  tick(milliseconds(100));
  const auto pushed = session->take();
  ASSERT_EQ(pushed.size(), 1U);
  EXPECT_EQ(parse_json(pushed.front().text).at("type"), "delta");
}

TEST_F(BybitPublicWsTest, Unsubscribe_AcksAndStopsThePushes) {
  const auto session = open();
  subscribe(session, {"orderbook.50.BTCUSDT", "publicTrade.BTCUSDT"});
  tick(milliseconds(100));
  ASSERT_FALSE(session->take().empty());
  const auto reply = request(
      session, R"({"req_id":"u1","op":"unsubscribe","args":["orderbook.50.BTCUSDT","publicTrade.BTCUSDT"]})");
  EXPECT_EQ(reply.at("success"), true);
  EXPECT_EQ(reply.at("ret_msg"), "");
  EXPECT_EQ(reply.at("op"), "unsubscribe");
  EXPECT_EQ(reply.at("req_id"), "u1");
  for (int i = 0; i < 20; ++i) {
    tick(milliseconds(100));
  }
  EXPECT_TRUE(session->take().empty());
  // Subscribing again starts over with a snapshot.
  subscribe(session, {"orderbook.50.BTCUSDT"});
  const auto snapshot = after_reply(session);
  ASSERT_EQ(snapshot.size(), 1U);
  EXPECT_EQ(parse_json(snapshot.front().text).at("type"), "snapshot");
}

TEST_F(BybitPublicWsTest, Close_ForgetsTheSession) {
  const auto first = open();
  const auto second = open(BybitCategory::kSpot);
  subscribe(first, {"orderbook.50.BTCUSDT"});
  EXPECT_EQ(linear_->sessions(), 1U);
  EXPECT_EQ(spot_->sessions(), 1U);
  linear_->on_close(*first);
  spot_->on_close(*second);
  EXPECT_EQ(linear_->sessions(), 0U);
  EXPECT_EQ(spot_->sessions(), 0U);
  tick(milliseconds(200));
  EXPECT_TRUE(first->take().empty());
}

// ---- books ----

TEST_F(BybitPublicWsTest, Book_SnapshotAndDeltaHaveTheCapturesShape) {
  for (const auto category : {BybitCategory::kLinear, BybitCategory::kSpot}) {
    const auto conn = category == BybitCategory::kLinear ? kLinearConn : kSpotConn;
    const auto session = open(category);
    subscribe(session, {"orderbook.200.BTCUSDT"});
    const auto snapshot = after_reply(session);
    ASSERT_EQ(snapshot.size(), 1U);
    EXPECT_EQ(snapshot.front().kind, WsMessageKind::kSnapshot);
    const auto snapshot_json = parse_json(snapshot.front().text);
    expect_shape(recorded(conn, "orderbook.200.", "snapshot"), snapshot_json);
    // Bybit's field order differs by category: spot puts "ts" before "type", linear after.
    const auto& object = snapshot_json.as_object();
    EXPECT_EQ(object.begin()[1].key(), category == BybitCategory::kSpot ? "ts" : "type");
    tick(milliseconds(100));
    const auto delta = session->take();
    ASSERT_EQ(delta.size(), 1U);
    EXPECT_EQ(delta.front().kind, WsMessageKind::kDelta);
    expect_shape(recorded(conn, "orderbook.200.", "delta"), parse_json(delta.front().text));
  }
}

TEST_F(BybitPublicWsTest, Book_LinearPadsPricesAndSizesToTheInstrumentsPrecisionSpotDoesNot) {
  const auto linear = open();
  const auto spot = open(BybitCategory::kSpot);
  subscribe(linear, {"orderbook.50.BTCUSDT"});
  subscribe(spot, {"orderbook.50.BTCUSDT"});
  const auto linear_levels = parse_json(after_reply(linear).front().text).at("data").at("b").as_array();
  const auto spot_levels = parse_json(after_reply(spot).front().text).at("data").at("b").as_array();
  ASSERT_EQ(linear_levels.size(), spot_levels.size());
  const auto& bids = book("BTCUSDT").bids;
  for (std::size_t i = 0; i < linear_levels.size(); ++i) {
    // BTCUSDT: priceScale 2, qtyStep 0.001.
    const std::string price(linear_levels[i].at(0).as_string());
    const std::string size(linear_levels[i].at(1).as_string());
    EXPECT_EQ(price.size() - price.find('.'), 3U) << price;
    EXPECT_EQ(size.size() - size.find('.'), 4U) << size;
    EXPECT_EQ(dec(linear_levels[i].at(0)), bids[i].price);
    EXPECT_EQ(dec(linear_levels[i].at(1)), bids[i].quantity);
    EXPECT_EQ(str(spot_levels[i].at(0)), bids[i].price.to_string());
    EXPECT_EQ(str(spot_levels[i].at(1)), bids[i].quantity.to_string());
  }
}

struct BookCase {
  BybitCategory category;
  std::size_t depth;
  std::uint64_t pushes;  // expected in 3 s: one per 100 ms market step, or per push interval when longer
};

class BybitPublicWsBookTest : public BybitPublicWsTest, public ::testing::WithParamInterface<BookCase> {};

TEST_P(BybitPublicWsBookTest, Book_SnapshotPlusDeltasReproduceTheModelsTopLevelsWithUFollowingOn) {
  const auto [category, depth, pushes] = GetParam();
  const auto session = open(category);
  const std::string topic = fmt::format("orderbook.{}.SOLUSDT", depth);
  subscribe(session, {topic});
  LocalBook local;
  for (const auto& message : after_reply(session)) {
    local.apply(parse_json(message.text).as_object());
  }
  ASSERT_EQ(local.snapshots(), 1);
  EXPECT_TRUE(local.matches(book("SOLUSDT"), depth));
  int compared = 0;
  for (int i = 0; i < 300; ++i) {
    tick(milliseconds(10));
    const auto messages = session->take();
    EXPECT_LE(messages.size(), 1U) << "more than one message per topic per tick";
    for (const auto& message : messages) {
      EXPECT_EQ(topic_of(message), topic);
      EXPECT_EQ(message.kind, depth == 1 ? WsMessageKind::kSnapshot : WsMessageKind::kDelta);
      local.apply(parse_json(message.text).as_object());
    }
    // Whenever the stream has caught up with the model's book, the copy must be that book.
    if (local.seq() == book("SOLUSDT").update_id) {
      ASSERT_TRUE(local.matches(book("SOLUSDT"), depth)) << "after " << (i + 1) * 10 << " ms";
      ++compared;
    }
  }
  EXPECT_GE(local.u(), pushes);  // `u` starts at 1; allow one push fewer
  // The stream lags the model by up to one push interval (200 ms for .1000, on 100 ms market steps).
  EXPECT_GE(compared, 140);
}

INSTANTIATE_TEST_SUITE_P(
    Depths, BybitPublicWsBookTest,
    ::testing::Values(BookCase{BybitCategory::kLinear, 1, 30}, BookCase{BybitCategory::kLinear, 50, 30},
                      BookCase{BybitCategory::kLinear, 200, 30}, BookCase{BybitCategory::kLinear, 1000, 15},
                      BookCase{BybitCategory::kSpot, 1, 30}, BookCase{BybitCategory::kSpot, 50, 30},
                      BookCase{BybitCategory::kSpot, 200, 30}),
    [](const ::testing::TestParamInfo<BookCase>& param_info) {
      return fmt::format("{}{}", param_info.param.category == BybitCategory::kLinear ? "Linear" : "Spot",
                         param_info.param.depth);
    });

TEST_F(BybitPublicWsTest, Book_TwoSubscribersGetIdenticalDeltas) {
  const auto first = open();
  const auto second = open();
  subscribe(first, {"orderbook.50.ETHUSDT"});
  subscribe(second, {"orderbook.50.ETHUSDT"});
  EXPECT_EQ(after_reply(first).front().text, after_reply(second).front().text);
  int deltas = 0;
  for (int i = 0; i < 100; ++i) {
    tick(milliseconds(10));
    const auto a = first->take();
    const auto b = second->take();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t j = 0; j < a.size(); ++j) {
      EXPECT_EQ(a[j].text, b[j].text);
      ++deltas;
    }
  }
  EXPECT_GE(deltas, 9);
}

TEST_F(BybitPublicWsTest, Book_ALateSubscribersSnapshotContinuesWithTheNextDelta) {
  const auto early = open();
  subscribe(early, {"orderbook.50.BTCUSDT"});
  LocalBook early_book;
  for (const auto& message : after_reply(early)) {
    early_book.apply(parse_json(message.text).as_object());
  }
  for (int i = 0; i < 100; ++i) {
    tick(milliseconds(10));
    for (const auto& message : early->take()) {
      early_book.apply(parse_json(message.text).as_object());
    }
  }
  // A market step nobody has published yet: the late snapshot must be the published state, not this.
  ASSERT_TRUE(clock_.advance_by(milliseconds(100)).has_value());
  ASSERT_TRUE(exchange_->sync().has_value());
  ASSERT_FALSE(early_book.matches(book("BTCUSDT"), 50));
  const auto late = open();
  subscribe(late, {"orderbook.50.BTCUSDT"});
  LocalBook late_book;
  const auto snapshot = after_reply(late);
  ASSERT_EQ(snapshot.size(), 1U);
  late_book.apply(parse_json(snapshot.front().text).as_object());
  EXPECT_EQ(late_book.u(), early_book.u());
  EXPECT_TRUE(late_book == early_book);
  // 101 ticks: the last push (on odd 10 ms since the jump) follows the last market step.
  for (int i = 0; i < 101; ++i) {
    tick(milliseconds(10));
    const auto early_messages = early->take();
    const auto late_messages = late->take();
    ASSERT_EQ(early_messages.size(), late_messages.size());
    for (std::size_t j = 0; j < late_messages.size(); ++j) {
      early_book.apply(parse_json(early_messages[j].text).as_object());
      late_book.apply(parse_json(late_messages[j].text).as_object());
    }
    ASSERT_TRUE(late_book == early_book) << "after " << (i + 1) * 10 << " ms";
  }
  EXPECT_GE(late_book.deltas(), 9);
  EXPECT_TRUE(late_book.matches(book("BTCUSDT"), 50));
}

class BybitPublicWsCadenceTest : public BybitPublicWsTest {
 protected:
  // Pushes per topic over 2 s on a market that changes every 5 ms, publishing every 5 ms, with each
  // consecutive pair at least the depth's interval ÷ speed apart.
  std::map<std::string, std::size_t> pushes(double speed) {
    start(milliseconds(5), speed);
    const auto session = open();
    subscribe(session, {"orderbook.50.BTCUSDT", "orderbook.200.BTCUSDT", "orderbook.1000.BTCUSDT"});
    const std::map<std::string, Duration> intervals{{"orderbook.50.BTCUSDT", milliseconds(20)},
                                                    {"orderbook.200.BTCUSDT", milliseconds(100)},
                                                    {"orderbook.1000.BTCUSDT", milliseconds(200)}};
    std::map<std::string, Timestamp> last;
    std::map<std::string, std::size_t> counts;
    for (int i = 0; i < 400; ++i) {
      tick(milliseconds(5));
      for (const auto& message : session->take()) {
        const auto topic = topic_of(message);
        const Timestamp now = exchange_->now();
        if (last.contains(topic)) {
          EXPECT_GE(now - last[topic], std::chrono::duration_cast<Duration>(intervals.at(topic) / speed))
              << topic << " at speed " << speed;
        }
        last[topic] = now;
        ++counts[topic];
      }
    }
    return counts;
  }
};

TEST_F(BybitPublicWsCadenceTest, Book_EachDepthPushesAtMostOncePerIntervalAndSpeedTwoTwiceAsOften) {
  const auto normal = pushes(1.0);
  EXPECT_GE(normal.at("orderbook.50.BTCUSDT"), 95U);
  EXPECT_LE(normal.at("orderbook.50.BTCUSDT"), 100U);
  EXPECT_GE(normal.at("orderbook.200.BTCUSDT"), 19U);
  EXPECT_LE(normal.at("orderbook.200.BTCUSDT"), 20U);
  EXPECT_LE(normal.at("orderbook.1000.BTCUSDT"), 10U);
  const auto twice = pushes(2.0);
  EXPECT_GE(twice.at("orderbook.50.BTCUSDT"), 190U);
  EXPECT_GE(twice.at("orderbook.200.BTCUSDT"), 38U);
  EXPECT_LE(twice.at("orderbook.200.BTCUSDT"), 40U);
  EXPECT_GE(twice.at("orderbook.1000.BTCUSDT"), 19U);
}

TEST_F(BybitPublicWsTest, Book_NothingIsPushedWhileNothingChangesButLevelOneRepeatsItsSnapshotEvery3s) {
  start(seconds(10));  // the market stands still until t = 10 s
  const auto session = open();
  subscribe(session, {"orderbook.1.BTCUSDT", "orderbook.50.BTCUSDT", "orderbook.200.BTCUSDT",
                      "tickers.BTCUSDT", "publicTrade.BTCUSDT"});
  const auto snapshots = after_reply(session);
  ASSERT_EQ(snapshots.size(), 4U);  // no snapshot for trades
  const auto first_level_one = parse_json(snapshots.front().text);
  std::vector<std::pair<Duration, json::value>> pushed;
  Duration elapsed{};
  while (elapsed < milliseconds(9'990)) {
    tick(milliseconds(10));
    elapsed += milliseconds(10);
    for (const auto& message : session->take()) {
      pushed.emplace_back(elapsed, parse_json(message.text));
    }
  }
  ASSERT_EQ(pushed.size(), 3U);
  for (std::size_t i = 0; i < pushed.size(); ++i) {
    const auto& [at, message] = pushed[i];
    EXPECT_EQ(at, seconds(3 * (i + 1)));
    EXPECT_EQ(message.at("topic"), "orderbook.1.BTCUSDT");
    EXPECT_EQ(message.at("type"), "snapshot");
    EXPECT_EQ(message.at("data"), first_level_one.at("data"));  // same levels, same u
  }
}

// ---- tickers ----

TEST_F(BybitPublicWsTest, Tickers_LinearSendsASnapshotThenOnlyTheFieldsThatChanged) {
  const auto session = open();
  subscribe(session, {"tickers.BTCUSDT"});
  const auto snapshot = after_reply(session);
  ASSERT_EQ(snapshot.size(), 1U);
  EXPECT_EQ(snapshot.front().kind, WsMessageKind::kSnapshot);
  const auto snapshot_json = parse_json(snapshot.front().text);
  expect_shape(recorded(kLinearConn, "tickers.", "snapshot"), snapshot_json);
  json::object state = snapshot_json.at("data").as_object();
  const auto& delta_envelope = recorded(kLinearConn, "tickers.", "delta").as_object();
  int deltas = 0;
  for (int i = 0; i < 300; ++i) {
    tick(milliseconds(10));
    for (const auto& message : session->take()) {
      EXPECT_EQ(message.kind, WsMessageKind::kDelta);
      auto delta = parse_json(message.text).as_object();
      EXPECT_EQ(delta.at("type"), "delta");
      // The envelope has the capture's keys; the data only the symbol and what changed.
      for (const auto& [key, value] : delta_envelope) {
        EXPECT_TRUE(delta.contains(key)) << key;
      }
      EXPECT_EQ(delta.size(), delta_envelope.size());
      const auto& data = delta.at("data").as_object();
      EXPECT_EQ(data.at("symbol"), "BTCUSDT");
      EXPECT_GE(data.size(), 2U);
      for (const auto& [key, value] : data) {
        ASSERT_TRUE(state.contains(key)) << key;
        EXPECT_TRUE(value.is_string()) << key;
        if (key != "symbol") {
          EXPECT_NE(state.at(key), value) << key << " sent unchanged";
        }
        state[key] = value;
      }
      ++deltas;
    }
  }
  EXPECT_GE(deltas, 25);
  // A new subscriber's snapshot is the state the deltas built.
  const auto late = open();
  subscribe(late, {"tickers.BTCUSDT"});
  const auto late_snapshot = parse_json(after_reply(late).front().text);
  EXPECT_EQ(late_snapshot.at("data").as_object(), state);
  // Prices at priceScale 2, sizes at the qty step, from the model's book and ticker.
  const auto& best = book("BTCUSDT");
  EXPECT_EQ(dec(state.at("bid1Price")), best.bids.front().price);
  EXPECT_EQ(dec(state.at("ask1Size")), best.asks.front().quantity);
  const std::string last(state.at("lastPrice").as_string());
  EXPECT_EQ(last.size() - last.find('.'), 3U) << last;
  EXPECT_EQ(dec(state.at("lastPrice")), exchange_->market().ticker(Venue::kBybit, "BTCUSDT")->last_price);
  EXPECT_EQ(dec(state.at("markPrice")), exchange_->market().funding("BTCUSDT")->mark_price);
}

TEST_F(BybitPublicWsTest, Tickers_SpotSendsEveryChangeAsASnapshot) {
  const auto session = open(BybitCategory::kSpot);
  subscribe(session, {"tickers.ETHUSDT"});
  const auto fixture = read_ws_fixture("Spot_Ticker.txt");
  expect_shape(fixture.pushed, parse_json(after_reply(session).front().text));
  int pushes = 0;
  for (int i = 0; i < 100; ++i) {
    tick(milliseconds(10));
    for (const auto& message : session->take()) {
      EXPECT_EQ(message.kind, WsMessageKind::kSnapshot);
      const auto pushed = parse_json(message.text);
      expect_shape(fixture.pushed, pushed);
      EXPECT_EQ(dec(pushed.at("data").at("lastPrice")),
                exchange_->market().ticker(Venue::kBybit, "ETHUSDT")->last_price);
      ++pushes;
    }
  }
  EXPECT_GE(pushes, 9);
}

// ---- trades ----

TEST_F(BybitPublicWsTest, PublicTrade_FollowsTheModelsTapeInTheCapturesShape) {
  for (const auto category : {BybitCategory::kLinear, BybitCategory::kSpot}) {
    const auto conn = category == BybitCategory::kLinear ? kLinearConn : kSpotConn;
    const auto session = open(category);
    subscribe(session, {"publicTrade.BTCUSDT"});
    EXPECT_TRUE(after_reply(session).empty());
    const auto& market = exchange_->market();
    const auto newest_volume = [&market] {
      const auto newest = *market.candles(Venue::kBybit, "BTCUSDT", 1);
      return newest.empty() ? 0.0 : newest.back().volume;
    };
    const double volume_before = newest_volume();
    std::set<std::string> ids;
    Decimal traded;
    std::optional<Decimal> previous_price;
    for (int i = 0; i < 50; ++i) {
      tick(milliseconds(10));
      for (const auto& message : session->take()) {
        EXPECT_EQ(message.kind, WsMessageKind::kDelta);
        const auto pushed = parse_json(message.text);
        expect_shape(recorded(conn, "publicTrade.", "snapshot"), pushed);
        ASSERT_EQ(pushed.at("data").as_array().size(), 1U);
        const auto& trade = pushed.at("data").at(0);
        const Decimal price = dec(trade.at("p"));
        EXPECT_EQ(price, market.ticker(Venue::kBybit, "BTCUSDT")->last_price);
        EXPECT_EQ(trade.at("S"), price >= book("BTCUSDT").asks.front().price ? "Buy" : "Sell");
        EXPECT_EQ(trade.at("T").to_number<std::int64_t>(), market.now().ms());
        EXPECT_TRUE(ids.insert(std::string(trade.at("i").as_string())).second) << "a trade id repeats";
        if (category == BybitCategory::kLinear && previous_price) {
          const std::string_view direction = trade.at("L").as_string();
          EXPECT_EQ(direction == "PlusTick", price > *previous_price) << direction;
          EXPECT_EQ(direction == "MinusTick", price < *previous_price) << direction;
        }
        previous_price = price;
        traded = *traded.add(dec(trade.at("v")));
      }
    }
    // Five market steps, one trade each; together they are the candle's volume growth (the run stays
    // within one minute), each rounded to the 0.001 qty step.
    EXPECT_EQ(ids.size(), 5U);
    const double growth = newest_volume() - volume_before;
    EXPECT_NEAR(traded.to_double(), growth, 5 * 0.0005);
  }
}

// ---- klines ----

TEST_F(BybitPublicWsTest, Kline_PushesTheCurrentCandleAboutOnceASecondAndConfirmsTheClosedOneOnce) {
  const std::map<BybitCategory, std::shared_ptr<RecordingWsSession>> sessions{
      {BybitCategory::kLinear, open()}, {BybitCategory::kSpot, open(BybitCategory::kSpot)}};
  for (const auto& [category, session] : sessions) {
    subscribe(session, {"kline.1.DOGEUSDT"});
    EXPECT_TRUE(after_reply(session).empty());
  }
  // The clock starts 40 s into a minute: 65 s cross exactly one minute's end.
  std::map<BybitCategory, std::vector<json::value>> pushed;
  for (int i = 0; i < 650; ++i) {
    tick(milliseconds(100));
    for (const auto& [category, session] : sessions) {
      for (const auto& message : session->take()) {
        EXPECT_EQ(message.kind, WsMessageKind::kSnapshot);
        pushed[category].push_back(parse_json(message.text));
        expect_shape(
            recorded(category == BybitCategory::kLinear ? kLinearConn : kSpotConn, "kline.1.", "snapshot"),
            pushed[category].back());
      }
    }
  }
  const auto candles = *exchange_->market().candles(Venue::kBybit, "DOGEUSDT", 200);
  for (const auto& [category, messages] : pushed) {
    const bool linear = category == BybitCategory::kLinear;
    EXPECT_GE(messages.size(), 63U);
    EXPECT_LE(messages.size(), 65U);
    int confirms = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const auto& data = messages[i].at("data").as_array();
      if (data.front().at("confirm") != true) {
        EXPECT_EQ(data.size(), 1U);
        EXPECT_EQ(data.front().at("start").to_number<std::int64_t>() % 60'000, 0);
        continue;
      }
      ++confirms;
      const auto closed_start = data.front().at("start").to_number<std::int64_t>();
      const auto closed = std::find_if(candles.begin(), candles.end(),
                                       [&](const Candle& c) { return c.open_time.ms() == closed_start; });
      ASSERT_NE(closed, candles.end());
      EXPECT_EQ(dec(data.front().at("open")), closed->open);
      EXPECT_EQ(dec(data.front().at("close")), closed->close);
      EXPECT_EQ(dec(data.front().at("high")), closed->high);
      EXPECT_EQ(dec(data.front().at("low")), closed->low);
      EXPECT_EQ(data.front().at("end").to_number<std::int64_t>(), closed_start + 59'999);
      // Linear sends the new candle in the same message, as the capture shows; spot in the next one.
      EXPECT_EQ(data.size(), linear ? 2U : 1U);
      ASSERT_LT(i + 1, messages.size());
      const auto& next = linear ? data : messages[i + 1].at("data").as_array();
      EXPECT_EQ(next.back().at("confirm"), false);
      EXPECT_EQ(next.back().at("start").to_number<std::int64_t>(), closed_start + 60'000);
    }
    EXPECT_EQ(confirms, 1) << (linear ? "linear" : "spot");
  }
}

}  // namespace
}  // namespace kimp::sim::testing
