// Durable files on disk: checked lines round-trip, torn tails and corruption are told apart, replacements
// leave no temp file, and failures name the file and the step.
#include "core/durable_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kimp {
namespace {

class DurableFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kimp-durable-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string content_of(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static void write_raw(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  }
  // A regular file standing where a test expects a directory.
  std::filesystem::path regular_file() {
    std::filesystem::create_directories(dir_);
    write_raw(dir_ / "plain", "x");
    return dir_ / "plain";
  }

  std::filesystem::path dir_;
};

TEST_F(DurableFileTest, CheckedLine_IsCrc32InHexThenText) {
  EXPECT_EQ(checked_line("123456789"), "cbf43926 123456789");
  Result<std::string_view> text = checked_text("cbf43926 123456789");
  ASSERT_TRUE(text) << text.error().describe();
  EXPECT_EQ(*text, "123456789");
}

TEST_F(DurableFileTest, CheckedText_RefusesTornAndAlteredLines) {
  for (const std::string_view line : {"", "cbf43926", "cbf43926 ", "garbage", "cbf43926 123456780"}) {
    const Result<std::string_view> text = checked_text(line);
    ASSERT_FALSE(text) << line;
    EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument) << line;
  }
}

TEST_F(DurableFileTest, AppendedLines_ReadBackInOrder) {
  const std::filesystem::path file = dir_ / "sub" / "lines";
  ASSERT_TRUE(append_durably(file, checked_line("first") + "\n"));
  ASSERT_TRUE(append_durably(file, checked_line("second") + "\n" + checked_line("third") + "\n"));
  EXPECT_EQ(content_of(file),
            checked_line("first") + "\n" + checked_line("second") + "\n" + checked_line("third") + "\n");
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Result<CheckedLines> lines = read_checked_lines(file);
  ASSERT_TRUE(lines) << lines.error().describe();
  EXPECT_EQ(lines->texts, (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_EQ(lines->bad_lines, 0U);
  EXPECT_FALSE(lines->bad_tail);
}

TEST_F(DurableFileTest, AbsentFile_HoldsNoLines) {
  Result<CheckedLines> lines = read_checked_lines(dir_ / "absent");
  ASSERT_TRUE(lines) << lines.error().describe();
  EXPECT_TRUE(lines->texts.empty());
  EXPECT_EQ(lines->bad_lines, 0U);
  EXPECT_FALSE(lines->bad_tail);
}

TEST_F(DurableFileTest, HalfWrittenLastLine_IsATornTail) {
  const std::filesystem::path file = dir_ / "lines";
  const std::string last = checked_line("third");
  ASSERT_TRUE(append_durably(file, checked_line("first") + "\n" + checked_line("second") + "\n"));
  ASSERT_TRUE(append_durably(file, last.substr(0, last.size() / 2)));
  Result<CheckedLines> lines = read_checked_lines(file);
  ASSERT_TRUE(lines) << lines.error().describe();
  EXPECT_EQ(lines->texts, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(lines->bad_lines, 1U);
  EXPECT_TRUE(lines->bad_tail);
}

TEST_F(DurableFileTest, WholeLastLineWithoutItsNewline_IsATornTail) {
  const std::filesystem::path file = dir_ / "lines";
  ASSERT_TRUE(append_durably(file, checked_line("first") + "\n" + checked_line("second")));
  Result<CheckedLines> lines = read_checked_lines(file);
  ASSERT_TRUE(lines) << lines.error().describe();
  EXPECT_EQ(lines->texts, (std::vector<std::string>{"first"}));
  EXPECT_EQ(lines->bad_lines, 1U);
  EXPECT_TRUE(lines->bad_tail);
}

TEST_F(DurableFileTest, CorruptLineInTheMiddle_IsCountedAndTheTailIsSound) {
  const std::filesystem::path file = dir_ / "lines";
  std::string altered = checked_line("second");
  altered.back() = 'X';
  std::filesystem::create_directories(dir_);
  write_raw(file, checked_line("first") + "\n" + altered + "\n" + checked_line("third") + "\n");
  Result<CheckedLines> lines = read_checked_lines(file);
  ASSERT_TRUE(lines) << lines.error().describe();
  EXPECT_EQ(lines->texts, (std::vector<std::string>{"first", "third"}));
  EXPECT_EQ(lines->bad_lines, 1U);
  EXPECT_FALSE(lines->bad_tail);
}

TEST_F(DurableFileTest, CorruptLineAndTornTail_AreBothCounted) {
  const std::filesystem::path file = dir_ / "lines";
  std::filesystem::create_directories(dir_);
  write_raw(file, checked_line("first") + "\ngarbage\n" + checked_line("third") + "\n0123");
  Result<CheckedLines> lines = read_checked_lines(file);
  ASSERT_TRUE(lines) << lines.error().describe();
  EXPECT_EQ(lines->texts, (std::vector<std::string>{"first", "third"}));
  EXPECT_EQ(lines->bad_lines, 2U);
  EXPECT_TRUE(lines->bad_tail);
}

TEST_F(DurableFileTest, ReplaceDurably_LeavesOnlyTheNewContent) {
  const std::filesystem::path file = dir_ / "sub" / "snapshot";
  ASSERT_TRUE(replace_durably(file, "old content"));
  ASSERT_TRUE(replace_durably(file, "new"));
  EXPECT_EQ(content_of(file), "new");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "sub" / "snapshot.tmp"));
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(DurableFileTest, ReplaceDurably_OverwritesAStaleTempFile) {
  const std::filesystem::path file = dir_ / "snapshot";
  std::filesystem::create_directories(dir_);
  write_raw(dir_ / "snapshot.tmp", "half of an interrupted replacement");
  ASSERT_TRUE(replace_durably(file, "whole"));
  EXPECT_EQ(content_of(file), "whole");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "snapshot.tmp"));
}

TEST_F(DurableFileTest, RemoveDurably_RemovesTheFile_AndAnAbsentFileIsFine) {
  const std::filesystem::path file = dir_ / "lines";
  ASSERT_TRUE(append_durably(file, "x\n"));
  ASSERT_TRUE(remove_durably(file));
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_TRUE(remove_durably(file));
  EXPECT_TRUE(remove_durably(dir_ / "absent" / "lines"));
}

TEST_F(DurableFileTest, RegularFileWhereADirectoryBelongs_FailsNamingThePathAndStep) {
  const std::filesystem::path plain = regular_file();
  const std::filesystem::path file = plain / "lines";

  const Status appended = append_durably(file, "x\n");
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(appended.error().message.find(plain.string()), std::string::npos) << appended.error().message;
  EXPECT_NE(appended.error().message.find("create directory"), std::string::npos) << appended.error().message;

  const Status replaced = replace_durably(file, "x");
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(replaced.error().message.find("create directory"), std::string::npos) << replaced.error().message;

  const Status synced = sync_directory(plain);
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(synced.error().message.find("open directory"), std::string::npos) << synced.error().message;
  EXPECT_NE(synced.error().message.find("Not a directory"), std::string::npos) << synced.error().message;

  EXPECT_EQ(content_of(plain), "x");
}

TEST_F(DurableFileTest, DirectoryWhereLinesBelong_IsUnavailable) {
  std::filesystem::create_directories(dir_ / "lines");
  const Result<CheckedLines> lines = read_checked_lines(dir_ / "lines");
  ASSERT_FALSE(lines);
  EXPECT_EQ(lines.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(lines.error().message.find("not a regular file"), std::string::npos) << lines.error().message;

  const Status appended = append_durably(dir_ / "lines", "x\n");
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(appended.error().message.find("open for appending"), std::string::npos)
      << appended.error().message;
}

}  // namespace
}  // namespace kimp
