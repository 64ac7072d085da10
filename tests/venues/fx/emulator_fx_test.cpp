// Dunamu quote parsing against the in-process emulator's FX source: its live answer and its outage.
#include <gtest/gtest.h>

#include "sim/server/fx_api.hpp"
#include "sim/upbit_test_venue.hpp"
#include "venues/fx/dunamu.hpp"
#include "venues/fx/fx_rate.hpp"

namespace kimp::venues::fx {
namespace {

sim::HttpRequest usd_krw_request() {
  sim::HttpRequest request;
  request.path = "/v1/forex/recent";
  request.query = "codes=FRX.KRWUSD";
  return request;
}

TEST(DunamuEmulator, LiveAnswer_GivesTheEmulatorsRateAndClock) {
  sim::testing::UpbitTestVenue venue;
  sim::FxApi api(venue.exchange());
  const auto response = api.handle(usd_krw_request());
  ASSERT_EQ(response.status, 200U) << response.body;
  const auto quote = parse_dunamu_quote(response.body);
  ASSERT_TRUE(quote.has_value()) << quote.error() << " " << response.body;
  EXPECT_EQ(quote->usd_krw, venue.exchange().market().usd_krw());
  EXPECT_EQ(quote->ts_event.ms(), venue.exchange().now().ms());
}

TEST(DunamuEmulator, OutageAnswer_RefusedAndTheHeldRateGoesStale) {
  sim::testing::UpbitTestVenue venue;
  sim::FxApi api(venue.exchange());
  const auto good = parse_dunamu_quote(api.handle(usd_krw_request()).body);
  ASSERT_TRUE(good.has_value()) << good.error();
  FxRate rate;
  ASSERT_TRUE(rate.update({good->usd_krw, good->ts_event}, good->ts_event).has_value());

  const auto outage = sim::FxApi::injected_failure(sim::HttpVerdict::Action::kServerError);
  EXPECT_EQ(outage.status, 503U);
  const auto refused = parse_dunamu_quote(outage.body);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  rate.mark_failed(good->ts_event + std::chrono::seconds(5));
  EXPECT_TRUE(rate.stale());
  EXPECT_EQ(rate.rate(), good->usd_krw);
}

}  // namespace
}  // namespace kimp::venues::fx
