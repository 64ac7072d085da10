// Tests of read_capture on the shared Bybit capture and on broken files.
#include "market/capture_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace kimp::market {
namespace {

constexpr const char* kBybitCapture =
    KIMP_SOURCE_DIR "/../shared/data/capture/bybit_v5_public_ws_2026-08-09.jsonl";
constexpr const char* kUpbitCapture =
    KIMP_SOURCE_DIR "/../shared/data/capture/upbit_ws_simple_2021-04-17.jsonl";

TEST(CaptureFile, BybitCapture_HasEveryRecvFrameWithItsConnection) {
  const auto capture = read_capture(kBybitCapture);
  ASSERT_TRUE(capture) << capture.error().describe();
  ASSERT_EQ(capture->connections.size(), 2U);
  EXPECT_EQ(capture->connections[0].id, "BYBIT.ws.2");
  EXPECT_EQ(capture->connections[0].address, "wss://stream.bybit.com/v5/public/linear");
  EXPECT_EQ(capture->connections[1].id, "BYBIT.ws.3");
  EXPECT_EQ(capture->connections[1].address, "wss://stream.bybit.com/v5/public/spot");
  // 2,546 frames on the linear connection and 681 on the spot one; 3,256 lines in all (a header, 2 http, 2
  // connect, 24 send).
  ASSERT_EQ(capture->frames.size(), 3227U);
  EXPECT_EQ(capture->lines, 3256U);
  std::size_t linear = 0;
  for (const auto& frame : capture->frames) {
    linear += frame.connection == 0 ? 1 : 0;
  }
  EXPECT_EQ(linear, 2546U);
  // The first frame is unescaped from its line, and its receive time is read exactly.
  EXPECT_EQ(capture->frames.front().data.rfind(R"({"topic":"tickers.BTCUSDT","type":"snapshot",)", 0), 0U);
}

TEST(CaptureFile, UpbitCapture_DecodesBase64BinaryFrames) {
  const auto capture = read_capture(kUpbitCapture);
  ASSERT_TRUE(capture) << capture.error().describe();
  ASSERT_EQ(capture->connections.size(), 1U);
  EXPECT_EQ(capture->connections[0].address, "wss://api.upbit.com/websocket/v1");
  ASSERT_EQ(capture->frames.size(), 449U);
  EXPECT_EQ(capture->frames.front().data.rfind(R"({"ty":"trade","cd":"KRW-LAMB","tms":1618678262712,)", 0),
            0U);
  EXPECT_EQ(capture->frames.front().ts_recv, Timestamp::from_ns(1'618'678'263'010'785'000));
}

class CaptureFileErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::path(testing::TempDir()) / ("capture_" + std::to_string(::getpid()) + ".jsonl");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void write(const std::string& text) const { std::ofstream(path_) << text; }
  std::filesystem::path path_;
};

TEST_F(CaptureFileErrors, MissingFile_IsUnavailable) {
  const auto capture = read_capture("/nonexistent/capture.jsonl");
  ASSERT_FALSE(capture);
  EXPECT_EQ(capture.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(capture.error().message.find("/nonexistent/capture.jsonl"), std::string::npos);
}

TEST_F(CaptureFileErrors, BrokenLine_NamesFileAndLine) {
  write(
      "{\"t\":\"connect\",\"conn\":\"c\",\"ts\":1.5,\"addr\":\"wss://"
      "x\"}\n{\"t\":\"recv\",\"conn\":\"c\",\"ts\":2,\"da\n");
  const auto capture = read_capture(path_.string());
  ASSERT_FALSE(capture);
  EXPECT_EQ(capture.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(capture.error().message.find(path_.string() + ":2: not a capture line"), std::string::npos)
      << capture.error().message;
}

TEST_F(CaptureFileErrors, RecvWithoutData_OrWithBadTs_IsRefused) {
  write("{\"t\":\"recv\",\"conn\":\"c\",\"ts\":1}\n");
  EXPECT_FALSE(read_capture(path_.string()));
  write("{\"t\":\"recv\",\"conn\":\"c\",\"ts\":1.0000000001,\"data\":\"{}\"}\n");
  const auto capture = read_capture(path_.string());
  ASSERT_FALSE(capture);
  EXPECT_NE(capture.error().message.find(":1: \"ts\" is not epoch seconds"), std::string::npos)
      << capture.error().message;
}

TEST_F(CaptureFileErrors, Base64Frame_IsDecoded_AndBrokenBase64Refused) {
  // "eyJhIjoxfQ" is {"a":1} without its padding.
  write(
      "{\"t\":\"recv\",\"conn\":\"c\",\"ts\":1,\"b64\":\"eyJhIjoxfQ==\"}\n"
      "{\"t\":\"recv\",\"conn\":\"c\",\"ts\":1,\"b64\":\"eyJhIjoxfQ\"}\n");
  const auto capture = read_capture(path_.string());
  ASSERT_TRUE(capture) << capture.error().describe();
  ASSERT_EQ(capture->frames.size(), 2U);
  EXPECT_EQ(capture->frames[0].data, "{\"a\":1}");
  EXPECT_EQ(capture->frames[1].data, "{\"a\":1}");
  for (const char* broken : {"eyJhIj*xfQ==", "eyJhI"}) {
    write(std::string("{\"t\":\"recv\",\"conn\":\"c\",\"ts\":1,\"b64\":\"") + broken + "\"}\n");
    const auto refused = read_capture(path_.string());
    ASSERT_FALSE(refused) << broken;
    EXPECT_NE(refused.error().message.find(":1: \"b64\" is not base64"), std::string::npos)
        << refused.error().message;
  }
  write("{\"t\":\"recv\",\"conn\":\"c\",\"ts\":1,\"b64\":\"e30=\",\"data\":\"{}\"}\n");
  EXPECT_FALSE(read_capture(path_.string()));
}

TEST_F(CaptureFileErrors, RecvBeforeConnect_AndExactSeconds) {
  write("{\"t\":\"recv\",\"conn\":\"c\",\"ts\":1786310818.2235148,\"data\":\"{\\\"a\\\":1}\"}\n\n");
  const auto capture = read_capture(path_.string());
  ASSERT_TRUE(capture) << capture.error().describe();
  ASSERT_EQ(capture->frames.size(), 1U);
  EXPECT_EQ(capture->frames[0].data, "{\"a\":1}");
  EXPECT_EQ(capture->frames[0].ts_recv, Timestamp::from_ns(1'786'310'818'223'514'800));
  ASSERT_EQ(capture->connections.size(), 1U);
  EXPECT_EQ(capture->connections[0].address, "");
}

}  // namespace
}  // namespace kimp::market
