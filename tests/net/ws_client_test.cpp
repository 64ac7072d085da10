// WebSocket client against a loopback server: delivery, pings, staleness, reconnect with resubscription,
// one connection at a time, resync, stop() releasing every callback.
#include "net/ws_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/clock.hpp"
#include "net/loopback_servers.hpp"

namespace kimp::net {
namespace {

using std::chrono::milliseconds;
using testing::LoopbackWsServer;

constexpr Timestamp kRecvTime = Timestamp::from_ns(1'760'000'000'123'456'789);

// Counts its live copies, so a test can tell that every callback holding one was destroyed.
struct LiveCounter {
  explicit LiveCounter(int& live) : live_(&live) { ++*live_; }
  LiveCounter(const LiveCounter& other) : live_(other.live_) { ++*live_; }
  LiveCounter& operator=(const LiveCounter&) = delete;
  ~LiveCounter() { --*live_; }
  int* live_;
};

struct Received {
  std::string frame;
  bool binary;
  Timestamp ts_recv;
};

class WsClientTest : public ::testing::Test {
 protected:
  static WsClientOptions fast_options() {
    WsClientOptions options;
    options.ping_interval = Duration::zero();
    options.stale_after = milliseconds{2000};
    options.stale_check_interval = milliseconds{50};
    options.connect_timeout = milliseconds{2000};
    options.backoff = BackoffConfig{milliseconds{20}, 2.0, milliseconds{100}, 0.2};
    return options;
  }

  std::unique_ptr<WsClient> make_client(WsClientOptions options = fast_options(),
                                        const std::vector<std::string>& subscriptions = {"sub-a", "sub-b"}) {
    WsCallbacks callbacks;
    callbacks.on_message = [this](std::string_view frame, bool binary, Timestamp ts_recv) {
      received_.push_back(Received{std::string(frame), binary, ts_recv});
    };
    callbacks.subscriptions = [subscriptions] { return subscriptions; };
    auto client =
        WsClient::create(io_.get_executor(), clock_, server_.url(), std::move(options), std::move(callbacks));
    EXPECT_TRUE(client) << client.error();
    if (!client) {
      return nullptr;
    }
    subscription_ = (*client)->subscribe_state([this](WsState state, std::string_view detail) {
      states_.push_back(state);
      details_.emplace_back(detail);
    });
    return std::move(*client);
  }

  bool run_until_state(WsState state, int occurrences = 1) {
    return testing::run_until(
        io_, [&] { return std::count(states_.begin(), states_.end(), state) >= occurrences; });
  }

  LoopbackWsServer server_;
  boost::asio::io_context io_;
  SimClock clock_{kRecvTime};
  std::vector<Received> received_;
  std::vector<WsState> states_;
  std::vector<std::string> details_;
  WsStateSubscription subscription_;
};

TEST_F(WsClientTest, Connect_SendsSubscriptionsThenDeliversTextAndBinaryFrames) {
  auto client = make_client();
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->send("early").error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(run_until_state(WsState::kConnected));
  EXPECT_TRUE(client->connected());
  ASSERT_TRUE(testing::run_until(io_, [&] { return server_.received().size() >= 2; }));
  EXPECT_EQ(server_.received(), (std::vector<std::string>{"sub-a", "sub-b"}));
  EXPECT_EQ(server_.last_header("User-Agent"), "kimp");

  server_.push(R"({"topic":"orderbook.50.BTCUSDT"})");
  server_.push(std::string("\x01\x00\x02", 3), true);
  ASSERT_TRUE(testing::run_until(io_, [&] { return received_.size() >= 2; }));
  EXPECT_EQ(received_[0].frame, R"({"topic":"orderbook.50.BTCUSDT"})");
  EXPECT_FALSE(received_[0].binary);
  EXPECT_EQ(received_[0].ts_recv, kRecvTime);
  EXPECT_EQ(received_[1].frame, std::string("\x01\x00\x02", 3));
  EXPECT_TRUE(received_[1].binary);

  ASSERT_TRUE(client->send("hello"));
  ASSERT_TRUE(testing::run_until(io_, [&] { return server_.count_received("hello") == 1; }));
  EXPECT_EQ(states_, (std::vector<WsState>{WsState::kConnected}));
  EXPECT_EQ(client->stats().connects, 1U);
  EXPECT_EQ(client->stats().messages, 2U);
}

TEST_F(WsClientTest, HandshakeHeaders_AreAskedForOnEveryConnect) {
  int asked = 0;
  WsCallbacks callbacks;
  callbacks.handshake_headers = [&asked] {
    ++asked;
    return HttpHeaders{{"Authorization", "Bearer token-" + std::to_string(asked)}};
  };
  auto client =
      WsClient::create(io_.get_executor(), clock_, server_.url(), fast_options(), std::move(callbacks));
  ASSERT_TRUE(client);
  auto events =
      (*client)->subscribe_state([this](WsState state, std::string_view) { states_.push_back(state); });
  ASSERT_TRUE((*client)->start());
  ASSERT_TRUE(run_until_state(WsState::kConnected));
  EXPECT_EQ(server_.last_header("Authorization"), "Bearer token-1");
  server_.drop_all();
  ASSERT_TRUE(run_until_state(WsState::kResynced));
  EXPECT_EQ(server_.last_header("Authorization"), "Bearer token-2");
}

TEST_F(WsClientTest, PingInterval_SendsPingPayloadRepeatedly) {
  WsClientOptions options = fast_options();
  options.ping_interval = milliseconds{30};
  auto client = make_client(options);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(testing::run_until(io_, [&] { return server_.count_received(R"({"op":"ping"})") >= 3; }));
  // The server's pongs are messages like any other.
  ASSERT_TRUE(testing::run_until(io_, [&] { return !received_.empty(); }));
  EXPECT_EQ(received_.front().frame, R"({"op":"pong"})");
  EXPECT_GE(client->stats().pings_sent, 3U);
}

TEST(WsClientOptions, VenueDefaults_MatchTheirKeepAliveRules) {
  const WsClientOptions bybit = bybit_ws_options();
  EXPECT_EQ(bybit.ping_interval, std::chrono::seconds{20});
  EXPECT_EQ(bybit.ping_payload, R"({"op":"ping"})");
  const WsClientOptions upbit = upbit_ws_options();
  EXPECT_EQ(upbit.ping_interval, std::chrono::seconds{60});
  EXPECT_EQ(upbit.ping_payload, "PING");
  for (const WsClientOptions& options : {bybit, upbit}) {
    EXPECT_EQ(options.stale_after, std::chrono::seconds{10});
    EXPECT_LE(options.stale_check_interval, std::chrono::seconds{5});
    EXPECT_EQ(options.backoff.initial, std::chrono::seconds{1});
    EXPECT_EQ(options.backoff.cap, std::chrono::seconds{30});
  }
}

TEST_F(WsClientTest, ServerStalls_StaleEventThenReconnectAndResubscribe) {
  WsClientOptions options = fast_options();
  options.stale_after = milliseconds{300};
  auto client = make_client(options);
  ASSERT_NE(client, nullptr);
  server_.set_streaming(true);
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(testing::run_until(io_, [&] { return received_.size() >= 3; }));
  server_.set_stalled(true);
  ASSERT_TRUE(run_until_state(WsState::kStale));
  server_.set_stalled(false);
  ASSERT_TRUE(run_until_state(WsState::kResynced));
  ASSERT_GE(states_.size(), 4U);
  EXPECT_EQ(std::vector<WsState>(states_.begin(), states_.begin() + 4),
            (std::vector<WsState>{WsState::kConnected, WsState::kStale, WsState::kDisconnected,
                                  WsState::kResynced}));
  EXPECT_NE(details_[1].find("no message for"), std::string::npos) << details_[1];
  EXPECT_GE(client->stats().stale, 1U);
  EXPECT_GE(server_.count_received("sub-a"), 2);
  EXPECT_EQ(server_.max_open, 1);
}

TEST_F(WsClientTest, ServerDrops_ReconnectsResubscribesWithOneConnectionAtATime) {
  auto client = make_client();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(run_until_state(WsState::kConnected));
  for (int drop = 1; drop <= 4; ++drop) {
    ASSERT_TRUE(testing::run_until(io_, [&] { return server_.count_received("sub-b") == drop; }));
    server_.drop_all();
    ASSERT_TRUE(run_until_state(WsState::kResynced, drop));
  }
  ASSERT_TRUE(testing::run_until(io_, [&] { return server_.count_received("sub-b") == 5; }));
  EXPECT_EQ(server_.count_received("sub-a"), 5);
  EXPECT_EQ(server_.accepted, 5);
  EXPECT_EQ(server_.max_open, 1);
  EXPECT_EQ(std::count(states_.begin(), states_.end(), WsState::kDisconnected), 4);
  EXPECT_EQ(client->stats().connects, 5U);
}

TEST_F(WsClientTest, RequestResync_RebuildsConnectionAtOnceAndResubscribes) {
  auto client = make_client();
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->request_resync("before start").error().code, ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(run_until_state(WsState::kConnected));
  ASSERT_TRUE(client->request_resync("u gap 41 -> 43"));
  ASSERT_TRUE(run_until_state(WsState::kResynced));
  EXPECT_EQ(states_, (std::vector<WsState>{WsState::kConnected, WsState::kDisconnected, WsState::kResynced}));
  EXPECT_NE(details_[1].find("u gap 41 -> 43"), std::string::npos) << details_[1];
  ASSERT_TRUE(testing::run_until(io_, [&] { return server_.count_received("sub-a") == 2; }));
  EXPECT_EQ(server_.max_open, 1);
  EXPECT_EQ(server_.accepted, 2);
}

TEST_F(WsClientTest, Stop_ReleasesEveryCallbackAndNoneRunsAgain) {
  int live = 0;
  int messages = 0;
  int events = 0;
  WsCallbacks callbacks;
  {
    const LiveCounter counter(live);
    callbacks.on_message = [counter, &messages](std::string_view, bool, Timestamp) { ++messages; };
    callbacks.subscriptions = [counter] { return std::vector<std::string>{"sub"}; };
    callbacks.handshake_headers = [counter] { return HttpHeaders{}; };
  }
  auto created =
      WsClient::create(io_.get_executor(), clock_, server_.url(), fast_options(), std::move(callbacks));
  ASSERT_TRUE(created);
  std::unique_ptr<WsClient> client = std::move(*created);
  WsStateSubscription listener;
  {
    const LiveCounter counter(live);
    listener = client->subscribe_state([counter, &events](WsState, std::string_view) { ++events; });
  }
  EXPECT_EQ(live, 4);
  ASSERT_TRUE(client->start());
  server_.set_streaming(true);
  ASSERT_TRUE(testing::run_until(io_, [&] { return messages >= 3; }));

  client->stop();
  EXPECT_EQ(live, 0);
  EXPECT_FALSE(client->connected());
  const int messages_at_stop = messages;
  const int events_at_stop = events;
  ASSERT_TRUE(testing::run_until(io_, [&] { return server_.open == 0; }));
  io_.restart();
  io_.run_for(milliseconds{100});
  EXPECT_EQ(messages, messages_at_stop);
  EXPECT_EQ(events, events_at_stop);
  EXPECT_EQ(client->start().error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(client->send("x").error().code, ErrorCode::kUnavailable);
  listener.reset();
  client.reset();
  EXPECT_EQ(server_.max_open, 1);
}

TEST_F(WsClientTest, StopFromInsideOnMessage_DefersReleaseUntilCallbackReturns) {
  int live = 0;
  int messages = 0;
  std::unique_ptr<WsClient> client;
  WsCallbacks callbacks;
  {
    const LiveCounter counter(live);
    callbacks.on_message = [counter, &messages, &client, &live](std::string_view, bool, Timestamp) {
      ++messages;
      client->stop();
      EXPECT_GT(live, 0);  // this callback's own copy is still alive while it runs
    };
  }
  auto created =
      WsClient::create(io_.get_executor(), clock_, server_.url(), fast_options(), std::move(callbacks));
  ASSERT_TRUE(created);
  client = std::move(*created);
  ASSERT_TRUE(client->start());
  server_.set_streaming(true);
  ASSERT_TRUE(testing::run_until(io_, [&] { return messages >= 1; }));
  EXPECT_EQ(live, 0);
  io_.restart();
  io_.run_for(milliseconds{100});
  EXPECT_EQ(messages, 1);
}

TEST_F(WsClientTest, DestroyedWhileConnected_ClosesConnection) {
  auto client = make_client();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(run_until_state(WsState::kConnected));
  client.reset();
  ASSERT_TRUE(testing::run_until(io_, [&] { return server_.open == 0; }));
  EXPECT_EQ(states_, (std::vector<WsState>{WsState::kConnected}));
}

TEST_F(WsClientTest, SubscriptionHandleDestroyed_ListenerHearsNothingMore) {
  auto client = make_client();
  ASSERT_NE(client, nullptr);
  int heard = 0;
  auto extra = client->subscribe_state([&heard](WsState, std::string_view) { ++heard; });
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(run_until_state(WsState::kConnected));
  EXPECT_EQ(heard, 1);
  extra.reset();
  server_.drop_all();
  ASSERT_TRUE(run_until_state(WsState::kResynced));
  EXPECT_EQ(heard, 1);
}

TEST_F(WsClientTest, NothingListening_KeepsRetryingWithoutEvents) {
  std::uint16_t port = 0;
  {
    boost::asio::ip::tcp::acceptor probe(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  auto client = WsClient::create(io_.get_executor(), clock_, "ws://127.0.0.1:" + std::to_string(port) + "/ws",
                                 fast_options());
  ASSERT_TRUE(client);
  auto events =
      (*client)->subscribe_state([this](WsState state, std::string_view) { states_.push_back(state); });
  ASSERT_TRUE((*client)->start());
  io_.run_for(milliseconds{200});
  EXPECT_TRUE(states_.empty());
  EXPECT_EQ((*client)->stats().connects, 0U);
  EXPECT_FALSE((*client)->connected());
}

TEST(WsClient, BadOptions_AreInvalidArgument) {
  boost::asio::io_context io;
  SimClock clock;
  EXPECT_EQ(WsClient::create(io.get_executor(), clock, "https://127.0.0.1:1/ws", {}).error().code,
            ErrorCode::kInvalidArgument);
  WsClientOptions slow_check;
  slow_check.stale_check_interval = std::chrono::seconds{11};
  EXPECT_EQ(WsClient::create(io.get_executor(), clock, "ws://127.0.0.1:1/ws", slow_check).error().code,
            ErrorCode::kInvalidArgument);
  WsClientOptions bad_backoff;
  bad_backoff.backoff.factor = 0.5;
  EXPECT_EQ(WsClient::create(io.get_executor(), clock, "ws://127.0.0.1:1/ws", bad_backoff).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kimp::net
