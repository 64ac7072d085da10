// Candle and daily-rate files: the shared recordings read exactly; malformed files refused with FILE:LINE.
#include "market/candle_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace kimp::market {
namespace {

constexpr const char* kUpbitCandles =
    KIMP_SOURCE_DIR "/../shared/data/candles/upbit_KRW-BTC_5m_2025-05-28_2025-08-23.csv";
constexpr const char* kBinanceCandles =
    KIMP_SOURCE_DIR "/../shared/data/candles/binance_BTCUSDT_5m_2025-05-25_2025-08-23.csv";
constexpr const char* kUsdKrwDaily = KIMP_SOURCE_DIR "/../shared/data/candles/usdkrw_daily.csv";

constexpr const char* kCandleHeader = "timestamp,open,high,low,close,volume\n";
constexpr const char* kRateHeader = "date,open,high,low,close\n";

Decimal dec(const char* text) {
  return Decimal::parse(text).value();
}

Timestamp at(const char* iso) {
  return Timestamp::parse_iso8601(iso).value();
}

TEST(CandleFile, SharedUpbitCandles_Has5200RowsWithExactPrices) {
  const Result<std::vector<Candle>> candles = read_candles(kUpbitCandles);
  ASSERT_TRUE(candles) << candles.error().describe();
  ASSERT_EQ(candles->size(), 5200U);
  // "2025-05-28 18:10:00,150362000.0,150399000.0,150362000.0,150389000.0,1.0798105"
  EXPECT_EQ(candles->front(), (Candle{at("2025-05-28T18:10:00Z"), dec("150389000")}));
  EXPECT_EQ(candles->back(), (Candle{at("2025-08-23T23:25:00Z"), dec("159560000")}));
}

TEST(CandleFile, SharedBinanceCandles_Has25920RowsWithExactPrices) {
  const Result<std::vector<Candle>> candles = read_candles(kBinanceCandles);
  ASSERT_TRUE(candles) << candles.error().describe();
  ASSERT_EQ(candles->size(), 25920U);
  // "2025-05-25 23:30:00,108642.56,108772.73,108590.91,108726.01,53.08696"
  EXPECT_EQ(candles->front(), (Candle{at("2025-05-25T23:30:00Z"), dec("108726.01")}));
  EXPECT_EQ(candles->back(), (Candle{at("2025-08-23T23:25:00Z"), dec("115306")}));
  // Five minutes apart all through: 90 days of 288 candles.
  EXPECT_EQ(candles->back().open_time - candles->front().open_time, std::chrono::minutes(5) * 25919);
}

TEST(CandleFile, SharedUsdKrwDaily_FirstAndLastRowsReadExactly) {
  const Result<std::vector<DailyRate>> rates = read_daily_rates(kUsdKrwDaily);
  ASSERT_TRUE(rates) << rates.error().describe();
  ASSERT_EQ(rates->size(), 3806U);
  // "2011-01-03,1121.25,1132.30,1121.25,1124.30" ... "2025-08-01,1392.93,1406.77,1383.50,1389.03"
  EXPECT_EQ(rates->front(), (DailyRate{at("2011-01-03T00:00:00Z"), dec("1124.3")}));
  EXPECT_EQ(rates->back(), (DailyRate{at("2025-08-01T00:00:00Z"), dec("1389.03")}));
}

class CandleFileErrors : public ::testing::Test {
 public:
  ~CandleFileErrors() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

 protected:
  CandleFileErrors()
      : dir_(std::filesystem::temp_directory_path() /
             ("kimp_candle_file_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::create_directories(dir_);
  }
  CandleFileErrors(const CandleFileErrors&) = delete;
  CandleFileErrors& operator=(const CandleFileErrors&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // The error of reading `text` as a candle file, which must fail with kInvalidArgument.
  std::string candle_error(const std::string& text, std::string& path) const {
    path = write("candles.csv", text);
    const Result<std::vector<Candle>> candles = read_candles(path);
    if (candles) {
      ADD_FAILURE() << "read " << candles->size() << " candles from a malformed file";
      return {};
    }
    EXPECT_EQ(candles.error().code, ErrorCode::kInvalidArgument);
    return candles.error().message;
  }

  std::filesystem::path dir_;
};

TEST_F(CandleFileErrors, WellFormedWithCrLfAndBlankLines_ReadsEveryRow) {
  const std::string path = write("ok.csv", std::string("timestamp,open,high,low,close,volume\r\n") +
                                               "2025-05-28 18:10:00,1.5,2,1,1.75,1e30\r\n\r\n" +
                                               "2025-05-28 18:15:00,1.75,2,1,0.00000001,0\r\n");
  const Result<std::vector<Candle>> candles = read_candles(path);
  ASSERT_TRUE(candles) << candles.error().describe();
  ASSERT_EQ(candles->size(), 2U);
  EXPECT_EQ((*candles)[0], (Candle{at("2025-05-28T18:10:00Z"), dec("1.75")}));
  EXPECT_EQ((*candles)[1], (Candle{at("2025-05-28T18:15:00Z"), dec("0.00000001")}));
}

TEST_F(CandleFileErrors, WrongHeader_NamesLineOneAndBothHeaders) {
  std::string path;
  const std::string message = candle_error("time,open,high,low,close,volume\n", path);
  EXPECT_EQ(message, path +
                         ":1: expected the header \"timestamp,open,high,low,close,volume\", found "
                         "\"time,open,high,low,close,volume\"");
}

TEST_F(CandleFileErrors, RowWithFiveFields_NamesItsLine) {
  std::string path;
  const std::string message = candle_error(
      std::string(kCandleHeader) + "2025-05-28 18:10:00,1,1,1,1,1\n2025-05-28 18:15:00,1,1,1,1\n", path);
  EXPECT_EQ(message, path + ":3: expected 6 fields, found 5");
}

TEST_F(CandleFileErrors, PriceThatDoesNotParse_NamesColumnAndText) {
  std::string path;
  const std::string message =
      candle_error(std::string(kCandleHeader) + "2025-05-28 18:10:00,1,1,abc,1,1\n", path);
  EXPECT_EQ(message, path + ":2: low \"abc\": not a decimal number: \"abc\"");
}

TEST_F(CandleFileErrors, ZeroPrice_IsRefusedAsNotPositive) {
  std::string path;
  const std::string message =
      candle_error(std::string(kCandleHeader) + "2025-05-28 18:10:00,1,1,1,0.0,1\n", path);
  EXPECT_EQ(message, path + ":2: close must be positive, got 0.0");
}

TEST_F(CandleFileErrors, TimeGoingBack_NamesBothTimes) {
  std::string path;
  const std::string message = candle_error(
      std::string(kCandleHeader) + "2025-05-28 18:15:00,1,1,1,1,1\n2025-05-28 18:10:00,1,1,1,1,1\n", path);
  EXPECT_EQ(message,
            path + ":3: 2025-05-28T18:10:00.000Z is not after the previous row's 2025-05-28T18:15:00.000Z");
}

TEST_F(CandleFileErrors, RepeatedTime_IsNotAfterThePreviousRow) {
  std::string path;
  const std::string message = candle_error(
      std::string(kCandleHeader) + "2025-05-28 18:15:00,1,1,1,1,1\n2025-05-28 18:15:00,1,1,1,1,1\n", path);
  EXPECT_EQ(message,
            path + ":3: 2025-05-28T18:15:00.000Z is not after the previous row's 2025-05-28T18:15:00.000Z");
}

TEST_F(CandleFileErrors, TimeThatDoesNotParse_QuotesTheText) {
  std::string path;
  const std::string message =
      candle_error(std::string(kCandleHeader) + "2025-05-28 25:10:00,1,1,1,1,1\n", path);
  EXPECT_EQ(message, path + ":2: invalid ISO-8601 timestamp \"2025-05-28T25:10:00\": no such time of day");
}

TEST_F(CandleFileErrors, EmptyFile_SaysSo) {
  std::string path;
  const std::string message = candle_error("", path);
  EXPECT_EQ(message, path + ": the file is empty");
}

TEST_F(CandleFileErrors, MissingFile_IsUnavailable) {
  const std::string path = (dir_ / "missing.csv").string();
  const Result<std::vector<Candle>> candles = read_candles(path);
  ASSERT_FALSE(candles);
  EXPECT_EQ(candles.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(candles.error().message, path + ": cannot open the file");
  const Result<std::vector<DailyRate>> rates = read_daily_rates(path);
  ASSERT_FALSE(rates);
  EXPECT_EQ(rates.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(rates.error().message, path + ": cannot open the file");
}

TEST_F(CandleFileErrors, DailyRatesWrongHeader_NamesLineOne) {
  const std::string path = write("fx.csv", "day,open,high,low,close\n2025-07-31,1,1,1,1\n");
  const Result<std::vector<DailyRate>> rates = read_daily_rates(path);
  ASSERT_FALSE(rates);
  EXPECT_EQ(rates.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(rates.error().message,
            path + ":1: expected the header \"date,open,high,low,close\", found \"day,open,high,low,close\"");
}

TEST_F(CandleFileErrors, DailyRatesMalformedRows_EachNamesItsLine) {
  struct Case {
    std::string rows;
    std::string message;
  };
  const Case cases[] = {
      {"2025-07-31,1,1,1,1,1\n", ":2: expected 5 fields, found 6"},
      {"2025-07-31,1,1,1\n", ":2: expected 5 fields, found 4"},
      {"2025-07-31,1393.18,x,1385.79,1392.47\n", ":2: high \"x\": not a decimal number: \"x\""},
      {"2025-07-31,1393.18,1398.87,1385.79,-1\n", ":2: close must be positive, got -1"},
      {"2025-07-31,1,1,1,1\n2025-07-30,1,1,1,1\n",
       ":3: 2025-07-30T00:00:00.000Z is not after the previous row's 2025-07-31T00:00:00.000Z"},
  };
  for (const Case& c : cases) {
    const std::string path = write("fx.csv", std::string(kRateHeader) + c.rows);
    const Result<std::vector<DailyRate>> rates = read_daily_rates(path);
    ASSERT_FALSE(rates) << c.rows;
    EXPECT_EQ(rates.error().code, ErrorCode::kInvalidArgument) << c.rows;
    EXPECT_EQ(rates.error().message, path + c.message) << c.rows;
  }
}

}  // namespace
}  // namespace kimp::market
