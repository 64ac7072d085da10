// UpbitRestClient against the `kimp venue-sim` process over loopback: orders placed, looked up and
// cancelled with balances checked in accounts() and GET /ledger, quotation calls, and rate limits.
#include "venues/upbit/rest_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <regex>
#include <vector>

#include "net/http_client.hpp"
#include "net/rate_limiter.hpp"
#include "venues/upbit/emulator_process.hpp"
#include "venues/upbit/parse_rest.hpp"
#include "venues/upbit/recording_proxy.hpp"
#include "venues/upbit/tick_size.hpp"

namespace kimp::venues::upbit {
namespace {

using namespace std::chrono_literals;

const model::Symbol krw_btc = model::Symbol::create("KRW-BTC").value();
const model::Symbol krw_eth = model::Symbol::create("KRW-ETH").value();

Decimal dec(std::string_view text) {
  return Decimal::parse(text).value();
}

std::optional<Decimal> balance_of(const std::vector<model::Balance>& balances, std::string_view currency) {
  for (const auto& balance : balances) {
    if (balance.currency == currency) {
      return balance.total;
    }
  }
  return std::nullopt;
}

class UpbitRestClientEmulator : public testing::EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    connect(venue_->upbit_url());
  }

  void connect(const std::string& url, std::vector<net::RateGroupConfig> groups = net::upbit_rate_groups(),
               bool with_credential = true) {
    http_ = net::HttpClient::create(io_.get_executor(), url).value();
    limiter_ = std::make_unique<net::RateLimiter>(net::RateLimiter::create(clock_, groups).value());
    std::optional<UpbitCredential> credential;
    if (with_credential) {
      credential.emplace(std::string(e2e::kDemoUpbitAccessKey), std::string(e2e::kDemoUpbitSecretKey));
    }
    client_ = std::make_unique<UpbitRestClient>(*http_, *limiter_, std::move(credential));
  }

  // The best ask of KRW-BTC as the REST book gives it.
  model::BookLevel best_ask() {
    const std::array markets{krw_btc};
    auto books = run(client_->orderbook(markets));
    EXPECT_TRUE(books.has_value()) << books.error();
    EXPECT_EQ(books->books.size(), 1U);
    EXPECT_FALSE(books->books.front().asks.empty());
    return books->books.front().asks.front();
  }

  // The order once it has ended, looked up by identifier.
  model::OrderReport ended(std::string_view identifier) {
    std::optional<model::OrderReport> report;
    EXPECT_TRUE(run_until([&] {
      auto found = run(client_->order(UpbitOrderRef{{}, std::string(identifier)}));
      EXPECT_TRUE(found.has_value()) << found.error();
      report = found && *found ? **found : model::OrderReport{};
      return found && *found && model::is_terminal((*found)->status);
    })) << "order "
        << identifier << " did not end";
    return report.value_or(model::OrderReport{});
  }

  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<net::RateLimiter> limiter_;
  std::unique_ptr<UpbitRestClient> client_;
};

TEST_F(UpbitRestClientEmulator, Accounts_GiveTheDemoKrwBalanceThatTheLedgerHolds) {
  const auto balances = run(client_->accounts());
  ASSERT_TRUE(balances.has_value()) << balances.error();
  EXPECT_EQ(balance_of(*balances, "KRW"), dec("100000000"));
  const auto ledger = ledger_balance("KRW");
  ASSERT_TRUE(ledger.has_value());
  EXPECT_EQ(ledger->first, dec("100000000"));
  EXPECT_EQ(ledger->second, Decimal());
}

TEST_F(UpbitRestClientEmulator, OrderChance_GivesFeesMinimumsAndBothAccounts) {
  const auto chance = run(client_->order_chance(krw_btc));
  ASSERT_TRUE(chance.has_value()) << chance.error();
  EXPECT_EQ(chance->market, krw_btc);
  EXPECT_EQ(chance->bid_fee, dec("0.0005"));
  EXPECT_EQ(chance->bid_min_total, dec("5000"));
  EXPECT_EQ(chance->bid_account.currency, "KRW");
  EXPECT_EQ(chance->bid_account.available, dec("100000000"));
  EXPECT_EQ(chance->ask_account.currency, "BTC");
}

TEST_F(UpbitRestClientEmulator, LimitIocBuy_FillsAndIsFoundByIdentifier_BalancesMoveInBothViews) {
  const model::BookLevel ask = best_ask();
  // Two percent above the best ask, so the order still crosses when the book has moved meanwhile.
  const Decimal price =
      round_to_upbit_tick(krw_btc, ask.price.mul(dec("1.02")).value(), RoundingMode::kUp).value();
  const Decimal volume = dec("0.001");
  const auto placed = run(client_->place_limit_order(krw_btc, model::Side::kBuy, price, volume,
                                                     model::TimeInForce::kIoc, "ioc-buy-1"));
  ASSERT_TRUE(placed.has_value()) << placed.error();
  EXPECT_EQ(placed->client_order_id, "ioc-buy-1");
  EXPECT_EQ(placed->time_in_force, model::TimeInForce::kIoc);

  const model::OrderReport report = ended("ioc-buy-1");
  EXPECT_EQ(report.venue_order_id, placed->venue_order_id);
  EXPECT_EQ(report.status, model::OrderStatus::kFilled);
  EXPECT_EQ(report.filled_qty, volume);
  EXPECT_TRUE(report.avg_fill_price.is_positive());
  EXPECT_LE(report.avg_fill_price, price);

  const auto balances = run(client_->accounts());
  ASSERT_TRUE(balances.has_value()) << balances.error();
  EXPECT_EQ(balance_of(*balances, "BTC"), volume);
  const Decimal spent = report.avg_fill_price.mul(volume).value();
  const Decimal krw = balance_of(*balances, "KRW").value_or(Decimal());
  EXPECT_EQ(dec("100000000").sub(krw).value(), spent.add(report.fee_paid).value());
  ASSERT_TRUE(ledger_balance("BTC").has_value());
  EXPECT_EQ(ledger_balance("BTC")->first, volume);
  EXPECT_EQ(ledger_balance("KRW")->first, krw);
}

TEST_F(UpbitRestClientEmulator, RestingLimitBuy_CancelledByUuid_ReleasesTheLockedKrw) {
  const model::BookLevel ask = best_ask();
  const Decimal price =
      round_to_upbit_tick(krw_btc, ask.price.mul(dec("0.5")).value(), RoundingMode::kDown).value();
  const Decimal volume = dec("0.0002");
  const auto placed = run(client_->place_limit_order(krw_btc, model::Side::kBuy, price, volume,
                                                     model::TimeInForce::kGtc, "resting-buy-1"));
  ASSERT_TRUE(placed.has_value()) << placed.error();
  EXPECT_EQ(placed->status, model::OrderStatus::kNew);
  ASSERT_TRUE(ledger_balance("KRW").has_value());
  EXPECT_TRUE(ledger_balance("KRW")->second.is_positive()) << "the order's KRW is locked while it rests";

  const auto cancelled = run(client_->cancel(UpbitOrderRef{placed->venue_order_id, {}}));
  ASSERT_TRUE(cancelled.has_value()) << cancelled.error();
  EXPECT_EQ(cancelled->venue_order_id, placed->venue_order_id);
  const model::OrderReport report = ended("resting-buy-1");
  EXPECT_EQ(report.status, model::OrderStatus::kCancelled);
  EXPECT_EQ(report.filled_qty, Decimal());

  const auto balances = run(client_->accounts());
  ASSERT_TRUE(balances.has_value()) << balances.error();
  EXPECT_EQ(balance_of(*balances, "KRW"), dec("100000000"));
  EXPECT_EQ(ledger_balance("KRW")->first, dec("100000000"));
  EXPECT_EQ(ledger_balance("KRW")->second, Decimal());

  const auto again = run(client_->cancel(UpbitOrderRef{placed->venue_order_id, {}}));
  EXPECT_FALSE(again.has_value()) << "an order that has ended cannot be cancelled again";
}

TEST_F(UpbitRestClientEmulator, MarketBuyByKrwAmount_ThenMarketSellOfTheFill_LeavesNoCoin) {
  const auto bought = run(client_->place_market_buy(krw_btc, dec("10000"), "market-buy-1"));
  ASSERT_TRUE(bought.has_value()) << bought.error();
  EXPECT_EQ(bought->type, model::OrderType::kMarketKrw);
  EXPECT_EQ(bought->quote_amount, dec("10000"));
  const model::OrderReport buy = ended("market-buy-1");
  ASSERT_TRUE(buy.filled_qty.is_positive());
  const auto after_buy = run(client_->accounts());
  ASSERT_TRUE(after_buy.has_value()) << after_buy.error();
  EXPECT_EQ(balance_of(*after_buy, "BTC"), buy.filled_qty);
  EXPECT_EQ(ledger_balance("BTC")->first, buy.filled_qty);

  const auto sold = run(client_->place_market_sell(krw_btc, buy.filled_qty, "market-sell-1"));
  ASSERT_TRUE(sold.has_value()) << sold.error();
  EXPECT_EQ(sold->type, model::OrderType::kMarket);
  const model::OrderReport sell = ended("market-sell-1");
  EXPECT_EQ(sell.status, model::OrderStatus::kFilled);
  EXPECT_EQ(sell.filled_qty, buy.filled_qty);
  const auto after_sell = run(client_->accounts());
  ASSERT_TRUE(after_sell.has_value()) << after_sell.error();
  EXPECT_EQ(balance_of(*after_sell, "BTC").value_or(Decimal()), Decimal());
  const auto ledger_btc = ledger_balance("BTC");
  EXPECT_TRUE(!ledger_btc || ledger_btc->first.is_zero());
}

TEST_F(UpbitRestClientEmulator, OrderLookup_UnknownIdentifier_IsNullopt) {
  const auto found = run(client_->order(UpbitOrderRef{{}, "never-placed"}));
  ASSERT_TRUE(found.has_value()) << found.error();
  EXPECT_FALSE(found->has_value());
}

TEST_F(UpbitRestClientEmulator, Quotation_BooksTickersAndMarkets) {
  const std::array markets{krw_btc, krw_eth};
  const auto books = run(client_->orderbook(markets));
  ASSERT_TRUE(books.has_value()) << books.error();
  ASSERT_EQ(books->books.size(), 2U);
  for (const auto& book : books->books) {
    ASSERT_FALSE(book.bids.empty());
    ASSERT_FALSE(book.asks.empty());
    EXPECT_LT(book.bids.front().price, book.asks.front().price) << book.symbol.view();
  }
  const auto tickers = run(client_->tickers(markets));
  ASSERT_TRUE(tickers.has_value()) << tickers.error();
  ASSERT_EQ(tickers->size(), 2U);
  for (const auto& ticker : *tickers) {
    EXPECT_TRUE(ticker.last_price.value_or(Decimal()).is_positive()) << ticker.symbol.view();
    EXPECT_TRUE(ticker.volume_24h.has_value()) << ticker.symbol.view();
  }
  const auto listed = run(client_->markets());
  ASSERT_TRUE(listed.has_value()) << listed.error();
  EXPECT_TRUE(std::any_of(listed->begin(), listed->end(), [](const UpbitMarket& market) {
    return market.market == krw_btc && market.base == "BTC";
  }));
}

TEST_F(UpbitRestClientEmulator, Ticker_Volume24hIsTheEmulatorsDecimalTextExactly) {
  // The emulator's volume grows from zero as its market trades.
  e2e::HttpAnswer raw;
  std::string text;
  ASSERT_TRUE(run_until([&] {
    raw =
        e2e::http_request(venue_->upbit_port(), boost::beast::http::verb::get, "/v1/ticker?markets=KRW-BTC");
    std::smatch match;
    const std::regex volume(R"("acc_trade_volume_24h":([^,}]+))");
    text = std::regex_search(raw.body, match, volume) ? match[1].str() : std::string();
    return raw.status == 200U && !text.empty() && text != "0";
  })) << raw.body;
  EXPECT_EQ(text.find_first_of("eE"), std::string::npos) << "written with an exponent: " << text;
  const auto exact = Decimal::parse(text);
  ASSERT_TRUE(exact.has_value()) << "not an exact decimal of at most 8 fractional digits: " << text;
  const auto tickers = parse_tickers(raw.status, raw.body);
  ASSERT_TRUE(tickers.has_value()) << tickers.error();
  EXPECT_EQ(tickers->front().volume_24h, *exact);
}

TEST_F(UpbitRestClientEmulator, ExchangeCall_WithoutCredential_IsUnauthenticatedAndNotSent) {
  connect(venue_->upbit_url(), net::upbit_rate_groups(), false);
  const auto balances = run(client_->accounts());
  ASSERT_FALSE(balances.has_value());
  EXPECT_EQ(balances.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(http_->stats().responses, 0U);
  EXPECT_EQ(limiter_->counters("default").value().requests, 0U);
}

// A storm of injected 429s on /v1/market/all while many calls are queued at once: every request that
// reaches the wire stays within the quotation group's budget, and each 429 is returned, never resent.
TEST_F(UpbitRestClientEmulator, RateLimitStorm_RequestsOnTheWireNeverExceedTheGroupsBudget) {
  set_faults(R"({"http":[{"venue":"upbit","endpoint":"/v1/market/all","rate_limit_rate":0.3}]})");
  testing::RecordingProxy proxy(venue_->upbit_port());
  auto groups = net::upbit_rate_groups();
  for (auto& group : groups) {
    // Short blocks after each 429 keep the test brief; the budget itself is the real one.
    group.backoff = BackoffConfig{200ms, 2.0, 800ms, 0.2};
  }
  connect(proxy.url(), groups);
  const auto quotation =
      std::find_if(groups.begin(), groups.end(), [](const auto& group) { return group.name == "quotation"; });
  ASSERT_NE(quotation, groups.end());
  const auto budget = static_cast<std::size_t>(quotation->bucket.tokens + quotation->bucket.burst);

  constexpr int kCalls = 40;
  int finished = 0;
  int limited = 0;
  int succeeded = 0;
  for (int i = 0; i < kCalls; ++i) {
    boost::asio::co_spawn(
        io_,
        [&]() -> boost::asio::awaitable<void> {
          const auto listed = co_await client_->markets();
          ++finished;
          if (listed) {
            ++succeeded;
          } else {
            EXPECT_EQ(listed.error().code, ErrorCode::kResourceExhausted) << listed.error();
            ++limited;
          }
        },
        boost::asio::detached);
  }
  ASSERT_TRUE(run_until([&] { return finished == kCalls; }));

  const auto arrivals = proxy.arrivals("/v1/market/all");
  EXPECT_EQ(arrivals.size(), static_cast<std::size_t>(kCalls)) << "each call is sent exactly once";
  EXPECT_GT(limited, 0);
  EXPECT_EQ(limited, proxy.answered("/v1/market/all", 429));
  EXPECT_EQ(static_cast<std::uint64_t>(limited), venue_->injected("rate_limit", "/v1/market/all", "upbit"));
  EXPECT_EQ(limiter_->counters("quotation").value().rejections, static_cast<std::uint64_t>(limited));
  for (std::size_t first = 0; first < arrivals.size(); ++first) {
    const auto in_window = static_cast<std::size_t>(
        std::count_if(arrivals.begin() + static_cast<std::ptrdiff_t>(first), arrivals.end(),
                      [&](const auto& at) { return at < arrivals[first] + 1s; }));
    EXPECT_LE(in_window, budget) << "requests " << first << ".. within one second";
  }
}

// 429 with Retry-After: 2 (the loopback server's answer to /status/NNN): the group is blocked for it.
TEST_F(UpbitRestClientEmulator, TooManyRequestsWithRetryAfter_BlocksTheGroupAndIsReturnedOnce) {
  net::testing::LoopbackHttpServer server(net::testing::HttpMode::kAnswer);
  for (const int status : {429, 418}) {
    connect(server.url() + "/status/" + std::to_string(status));
    const int seen_before = server.requests_seen.load();
    const auto listed = run(client_->markets());
    ASSERT_FALSE(listed.has_value());
    EXPECT_EQ(listed.error().code, ErrorCode::kResourceExhausted) << listed.error();
    EXPECT_EQ(server.requests_seen.load(), seen_before + 1) << "sent once, not repeated";
    EXPECT_GT(limiter_->blocked_until("quotation").value(), clock_.now() + 1s)
        << "Retry-After: 2 blocks the group for two seconds";
    EXPECT_EQ(limiter_->counters("quotation").value().rejections, 1U);
    EXPECT_LE(limiter_->blocked_until("default").value(), clock_.now()) << "other groups stay open";
  }
}

TEST_F(UpbitRestClientEmulator, TooManyRequestsFromTheEmulator_WithoutRetryAfter_BlocksForTheBackoff) {
  set_faults(R"({"http":[{"venue":"upbit","endpoint":"/v1/ticker","rate_limit_rate":1}]})");
  const std::array markets{krw_btc};
  const auto tickers = run(client_->tickers(markets));
  ASSERT_FALSE(tickers.has_value());
  EXPECT_EQ(tickers.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(tickers.error().venue_code, "too_many_requests");
  EXPECT_GT(limiter_->blocked_until("quotation").value(), clock_.now());
}

}  // namespace
}  // namespace kimp::venues::upbit
