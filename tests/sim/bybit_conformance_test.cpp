// Conformance of the emulated Bybit API: every answer has the field names and JSON types of the recorded
// fixtures and of the documentation's response examples.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bybit_api_harness.hpp"
#include "json_shape.hpp"

namespace kimp::sim::testing {
namespace {

namespace json = boost::json;

const std::string kFixtureDir = KIMP_SOURCE_DIR "/../shared/data/fixtures/bybit/rest";
const std::string kSpecDir = KIMP_SOURCE_DIR "/../shared/specs/bybit";

// The JSON documents of a spec page's "### Response Example" section: each ```json block, split where
// a // comment line separates two documents, comments dropped.
std::vector<json::value> response_examples(const std::string& page) {
  std::ifstream in(kSpecDir + "/" + page);
  if (!in) {
    throw std::runtime_error("cannot open " + page);
  }
  std::vector<json::value> documents;
  std::string line;
  bool in_section = false;
  bool in_block = false;
  std::string current;
  const auto flush = [&] {
    if (current.find_first_not_of(" \n\t") != std::string::npos) {
      documents.push_back(json::parse(current));
    }
    current.clear();
  };
  while (std::getline(in, line)) {
    const auto start = line.find_first_not_of(' ');
    const std::string trimmed = start == std::string::npos ? "" : line.substr(start);
    if (trimmed.rfind("### Response Example", 0) == 0) {
      in_section = true;
    } else if (in_section && trimmed.rfind("```json", 0) == 0) {
      in_block = true;
    } else if (in_block && trimmed.rfind("```", 0) == 0) {
      flush();
      in_block = false;
    } else if (in_block && trimmed.rfind("//", 0) == 0) {
      flush();
    } else if (in_block) {
      current += line + "\n";
    }
  }
  return documents;
}

class BybitConformanceTest : public BybitApiHarness {
 protected:
  void SetUp() override {
    BybitApiHarness::SetUp();
    // Past the next funding hour, so funding/history has a settlement to list.
    ASSERT_TRUE(clock_.advance_by(std::chrono::minutes(54)).has_value());
    ASSERT_TRUE(exchange_->sync().has_value());
    ASSERT_FALSE(exchange_->funding_history().empty());
    // A short BTC position (positions, executions, order history) and a resting order (order/realtime).
    ASSERT_EQ(place(R"("symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"0.001")"), 0)
        << last_.body;
    resting_price_ = book("BTCUSDT").bids.back().price.to_string();
    ASSERT_EQ(place(R"("symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":")" +
                    resting_price_ + R"(","timeInForce":"GTC")"),
              0)
        << last_.body;
  }

  std::int64_t place(const std::string& fields) {
    const std::string body =
        R"({"category":"linear",)" + fields + R"(,"orderLinkId":"c-)" + std::to_string(++orders_) + R"("})";
    return call(signed_post("/v5/order/create", body)).at("retCode").as_int64();
  }

  // The emulator's answer to the linear request matching `method` `path`.
  json::value answer(const std::string& method, const std::string& path) {
    static const std::map<std::string, std::string> kQueries{
        {"/v5/market/time", ""},
        {"/v5/market/instruments-info", "category=linear&symbol=BTCUSDT"},
        {"/v5/market/orderbook", "category=linear&symbol=BTCUSDT&limit=1"},
        {"/v5/market/funding/history", "category=linear&symbol=BTCUSDT"},
        {"/v5/market/tickers", "category=linear&symbol=BTCUSDT"},
        {"/v5/account/wallet-balance", "accountType=UNIFIED"},
        {"/v5/account/fee-rate", "category=linear&symbol=ETHUSDT"},
        {"/v5/position/list", "category=linear&symbol=BTCUSDT"},
        {"/v5/order/realtime", "category=linear&limit=1"},
        {"/v5/order/history", "category=linear&limit=1"},
    };
    static const std::map<std::string, std::string> kBodies{
        {"/v5/position/set-leverage",
         R"({"category":"linear","symbol":"XRPUSDT","buyLeverage":"4","sellLeverage":"4"})"},
        {"/v5/position/switch-isolated",
         R"({"category":"linear","symbol":"BTCUSDT","tradeMode":1,"buyLeverage":"10","sellLeverage":"10"})"},
        {"/v5/account/set-margin-mode", R"({"setMarginMode":"ISOLATED_MARGIN"})"},
        {"/v5/position/switch-mode", R"({"category":"linear","coin":"USDT","mode":0})"},
        {"/v5/order/create",
         R"({"category":"linear","symbol":"ETHUSDT","side":"Buy","orderType":"Market","qty":"0.01"})"},
    };
    if (method == "GET" && kQueries.contains(path)) {
      const bool is_public = path.rfind("/v5/market/", 0) == 0;
      return call(is_public ? unsigned_get(path, kQueries.at(path)) : signed_get(path, kQueries.at(path)));
    }
    if (method == "POST" && kBodies.contains(path)) {
      return call(signed_post(path, kBodies.at(path)));
    }
    if (method == "POST" && path == "/v5/order/cancel") {
      EXPECT_EQ(place(R"("symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":")" +
                      resting_price_ + R"(","timeInForce":"GTC")"),
                0);
      return call(signed_post(path, R"({"category":"linear","symbol":"BTCUSDT","orderLinkId":"c-)" +
                                        std::to_string(orders_) + R"("})"));
    }
    ADD_FAILURE() << "no emulator request for " << method << " " << path;
    return {};
  }

  std::int32_t orders_ = 0;
  std::string resting_price_;
};

// Fixtures of products the emulator does not serve, and the refusal each gets.
struct Unserved {
  std::string query;
  unsigned status;
  std::int64_t ret_code;
};

const std::map<std::string, Unserved>& unserved_fixtures() {
  static const std::map<std::string, Unserved> kUnserved{
      {"GetSpotSymbols.txt", {"category=spot&symbol=BTCUSDT", 200, 10001}},
      {"GetSpotTickers.txt", {"category=spot&symbol=BTCUSDT", 200, 10001}},
  };
  return kUnserved;
}

// Fields Bybit added after a fixture was recorded (the spec pages show them), and cumFeeDetail, which is
// keyed by fee coin: the recording paid MNT, the emulator pays USDT.
const std::map<std::string, std::set<std::string>>& newer_fields() {
  static const std::map<std::string, std::set<std::string>> kNewer{
      {"GetBalances.txt",
       {"$.result.list[0].accountIMRateByMp: not in the reference",
        "$.result.list[0].totalInitialMarginByMp: not in the reference",
        "$.result.list[0].accountMMRateByMp: not in the reference",
        "$.result.list[0].totalMaintenanceMarginByMp: not in the reference",
        "$.result.list[0].coin[0].spotBorrow: not in the reference"}},
      {"GetLinearInverseSymbols.txt",
       {"$.result.list[0].symbolId: not in the reference",
        "$.result.list[0].isPreListing: not in the reference",
        "$.result.list[0].preListingInfo: not in the reference",
        "$.result.list[0].riskParameters: not in the reference",
        "$.result.list[0].symbolType: not in the reference"}},
      {"GetLinearInverseTickers.txt",
       {"$.result.list[0].preOpenPrice: not in the reference",
        "$.result.list[0].preQty: not in the reference",
        "$.result.list[0].curPreListingPhase: not in the reference",
        "$.result.list[0].fundingIntervalHour: not in the reference",
        "$.result.list[0].basisRateYear: not in the reference",
        "$.result.list[0].fundingCap: not in the reference"}},
      {"GetOrderbook.txt", {"$.result.cts: not in the reference"}},
      {"GetOrders.txt", {"$.result.list[0].cumFeeDetail: not in the reference"}},
      {"GetPositions.txt",
       {"$.result.list[0].breakEvenPrice: not in the reference",
        "$.result.list[0].positionMMByMp: not in the reference",
        "$.result.list[0].positionIMByMp: not in the reference"}},
  };
  return kNewer;
}

std::set<std::string> as_set(const std::vector<std::string>& differences) {
  return {differences.begin(), differences.end()};
}

TEST_F(BybitConformanceTest, EveryRestFixture_SameShapeExceptFieldsAddedSinceRecording) {
  std::size_t compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtureDir)) {
    const std::string file = entry.path().filename().string();
    const auto fixture = read_rest_fixture(entry.path().string());
    SCOPED_TRACE(file);
    if (const auto unserved = unserved_fixtures().find(file); unserved != unserved_fixtures().end()) {
      const auto refusal = call(unsigned_get(fixture.path, unserved->second.query), unserved->second.status);
      EXPECT_EQ(refusal.at("retCode").as_int64(), unserved->second.ret_code) << last_.body;
      continue;
    }
    const auto actual = answer(fixture.method, fixture.path);
    const auto newer = newer_fields().find(file);
    const std::set<std::string> allowed =
        newer == newer_fields().end() ? std::set<std::string>{} : newer->second;
    EXPECT_EQ(as_set(shape_differences(fixture.body, actual)), allowed) << last_.body;
    ++compared;
  }
  EXPECT_EQ(compared, 13U);
}

struct SpecExample {
  std::string page;
  std::size_t document;  // which JSON document of the page's examples is the linear one
  std::string method;
  std::string path;
};

TEST_F(BybitConformanceTest, EverySpecResponseExample_SameShape) {
  const std::vector<SpecExample> examples{
      {"market_time.mdx", 0, "GET", "/v5/market/time"},
      {"market_instrument.mdx", 0, "GET", "/v5/market/instruments-info"},
      {"market_orderbook.mdx", 0, "GET", "/v5/market/orderbook"},
      // The page's Linear/Inverse example (its first); the others are option and spot.
      {"market_tickers.mdx", 0, "GET", "/v5/market/tickers"},
      {"market_history-fund-rate.mdx", 0, "GET", "/v5/market/funding/history"},
      {"account_wallet-balance.mdx", 0, "GET", "/v5/account/wallet-balance"},
      {"account_fee-rate.mdx", 0, "GET", "/v5/account/fee-rate"},
      {"position_position.mdx", 0, "GET", "/v5/position/list"},
      {"position_leverage.mdx", 0, "POST", "/v5/position/set-leverage"},
      {"abandon_cross-isolate.mdx", 0, "POST", "/v5/position/switch-isolated"},
      {"account_set-margin-mode.mdx", 0, "POST", "/v5/account/set-margin-mode"},
      {"position_position-mode.mdx", 0, "POST", "/v5/position/switch-mode"},
      {"order_create-order.mdx", 0, "POST", "/v5/order/create"},
      {"order_cancel-order.mdx", 0, "POST", "/v5/order/cancel"},
      {"order_open-order.mdx", 0, "GET", "/v5/order/realtime"},
      {"order_order-list.mdx", 0, "GET", "/v5/order/history"},
  };
  // cumFeeDetail is keyed by fee coin: the examples paid MNT, the emulator pays USDT.
  const std::set<std::string> fee_coin{"$.result.list[0].cumFeeDetail.MNT: missing",
                                       "$.result.list[0].cumFeeDetail.USDT: not in the reference"};
  for (const auto& example : examples) {
    SCOPED_TRACE(example.page);
    const auto documents = response_examples(example.page);
    ASSERT_GT(documents.size(), example.document);
    const auto actual = answer(example.method, example.path);
    const bool lists_orders = example.path == "/v5/order/realtime" || example.path == "/v5/order/history";
    EXPECT_EQ(as_set(shape_differences(documents[example.document], actual)),
              lists_orders ? fee_coin : std::set<std::string>{})
        << last_.body;
  }
}

}  // namespace
}  // namespace kimp::sim::testing
