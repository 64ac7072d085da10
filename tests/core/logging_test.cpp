// Tests of the log line formats, structured fields and secret redaction.
#include "core/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <thread>

namespace kimp::log {
namespace {

class LoggingTest : public ::testing::Test {
 protected:
  void use(Format format) {
    init(format, spdlog::level::debug, std::make_shared<spdlog::sinks::ostream_sink_mt>(out_, true));
  }
  void TearDown() override { init(Format::kHuman, spdlog::level::info); }
  std::ostringstream out_;
};

TEST_F(LoggingTest, HumanLineHasLevelComponentMessageAndFields) {
  use(Format::kHuman);
  Logger("config").info("loaded", {{"path", "config/demo.toml"}, {"coins", 5}, {"note", "two words"}});
  const auto line = out_.str();
  EXPECT_NE(line.find(" info  config: loaded path=config/demo.toml coins=5 note=\"two words\"\n"),
            std::string::npos)
      << line;
}

TEST_F(LoggingTest, JsonLineCarriesEveryFieldAsAKey) {
  use(Format::kJson);
  Logger("upbit.rest").warn("slow \"reply\"", {{"latency_ms", 812}, {"retry", true}, {"venue", "upbit"}});
  const auto line = out_.str();
  EXPECT_EQ(line.rfind("{\"ts\":\"", 0), 0U) << line;
  EXPECT_NE(line.find("\"level\":\"warn\",\"component\":\"upbit.rest\",\"msg\":\"slow \\\"reply\\\"\","
                      "\"latency_ms\":812,\"retry\":true,\"venue\":\"upbit\"}\n"),
            std::string::npos)
      << line;
}

TEST_F(LoggingTest, RegisteredSecretIsMaskedInMessageAndFieldsInBothFormats) {
  const std::string secret = "sk-live-7Hq2ZpX9wL";
  add_redaction(secret);
  for (const auto format : {Format::kHuman, Format::kJson}) {
    out_.str("");
    use(format);
    Logger("bybit.auth").error("signing with " + secret + " failed", {{"key", "prefix" + secret}});
    const auto line = out_.str();
    EXPECT_EQ(line.find(secret), std::string::npos) << line;
    EXPECT_NE(line.find("signing with *** failed"), std::string::npos) << line;
    EXPECT_NE(line.find("prefix***"), std::string::npos) << line;
  }
}

TEST_F(LoggingTest, ControlCharactersAndQuotesInValues_CannotForgeFieldsOrLines) {
  const std::string hostile = "c\x1f\"d\":1\nFAKE error risk: kill switch off";
  for (const auto format : {Format::kHuman, Format::kJson}) {
    out_.str("");
    use(format);
    Logger("config").info(hostile, {{"file", hostile}});
    const auto text = out_.str();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    EXPECT_EQ(text.find('\x1f'), std::string::npos) << text;
    EXPECT_NE(text.find("c\\u001f\\\"d\\\":1\\nFAKE"), std::string::npos) << text;
  }
  EXPECT_NE(out_.str().find(",\"file\":\"c\\u001f\\\"d\\\":1\\nFAKE error risk: kill switch off\"}"),
            std::string::npos)
      << out_.str();
}

TEST_F(LoggingTest, LoggersCreatedWhileAnotherThreadLogs_AllLinesArrive) {
  use(Format::kJson);
  constexpr int kLines = 500;
  std::thread writer([] {
    const Logger logger("writer");
    for (int i = 0; i < kLines; ++i) {
      logger.info("tick", {{"i", i}});
    }
  });
  for (int i = 0; i < kLines; ++i) {
    Logger("component" + std::to_string(i)).debug("created");
    add_redaction("rotating-secret-" + std::to_string(i));
  }
  writer.join();
  const auto text = out_.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2 * kLines);
  EXPECT_NE(text.find("\"component\":\"writer\",\"msg\":\"tick\",\"i\":499}"), std::string::npos);
}

TEST_F(LoggingTest, LevelBelowThresholdIsNotWritten) {
  init(Format::kHuman, spdlog::level::warn, std::make_shared<spdlog::sinks::ostream_sink_mt>(out_, true));
  Logger("risk").info("quiet");
  Logger("risk").warn("loud");
  EXPECT_EQ(out_.str().find("quiet"), std::string::npos);
  EXPECT_NE(out_.str().find("loud"), std::string::npos);
}

}  // namespace
}  // namespace kimp::log
