// PositionStore on real files: transitions survive reopening, torn tails and corruption are repaired or
// reported, compaction loses and repeats nothing, and a failed write changes nothing.
#include "execution/position_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "core/durable_file.hpp"

namespace kimp::execution {
namespace {

Decimal decimal(std::string_view text) {
  return Decimal::parse(text).value();
}

StoredPosition position_of(std::uint64_t id, PositionState state, std::string coin = "BTC") {
  StoredPosition position;
  position.id = id;
  position.coin = std::move(coin);
  position.state = state;
  position.upbit_qty = decimal("0.00125");
  position.bybit_qty = decimal("0.00125");
  position.upbit_entry_price = decimal("150389000");
  position.bybit_entry_price = decimal("104250.5");
  position.upbit_entry_fee = decimal("93.99312500");
  position.bybit_entry_fee = decimal("0.07168");
  position.usdt_krw = decimal("1391.5");
  position.adjustment_usdt = decimal("-0.00000001");
  position.opened_at = Timestamp::from_ns(1'767'000'000'123'456'789);
  position.updated_at = Timestamp::from_ns(1'767'000'005'000'000'001);
  position.note = "entry \"filled\" on both legs";
  position.orders.push_back(StoredOrder{.leg = Leg::kUpbit,
                                        .purpose = OrderPurpose::kEntry,
                                        .side = model::Side::kBuy,
                                        .client_order_id = "kimp-5-1-u",
                                        .venue_order_id = "c0ffee",
                                        .qty = decimal("0.00125"),
                                        .filled_qty = decimal("0.00125"),
                                        .avg_price = decimal("150389000"),
                                        .fee = decimal("93.993125"),
                                        .done = true});
  position.orders.push_back(StoredOrder{.leg = Leg::kBybit,
                                        .purpose = OrderPurpose::kEmergency,
                                        .side = model::Side::kSell,
                                        .client_order_id = "kimp-5-1-b",
                                        .venue_order_id = {},
                                        .qty = decimal("0.00125"),
                                        .filled_qty = {},
                                        .avg_price = {},
                                        .fee = {},
                                        .done = false});
  return position;
}

class PositionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kimp-positions-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<PositionStore> open_store(PositionStoreOptions options = {}) {
    Result<std::unique_ptr<PositionStore>> store = PositionStore::open(dir_, options);
    EXPECT_TRUE(store) << store.error().describe();
    return store ? std::move(*store) : nullptr;
  }

  [[nodiscard]] std::filesystem::path journal() const { return dir_ / "positions.journal"; }
  [[nodiscard]] std::filesystem::path snapshot() const { return dir_ / "positions.snapshot"; }

  static std::string content_of(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static void write_raw(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  }
  // The files of the store directory whose name starts with `prefix`.
  [[nodiscard]] std::vector<std::filesystem::path> files_starting(std::string_view prefix) const {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      if (entry.path().filename().string().starts_with(prefix)) {
        found.push_back(entry.path());
      }
    }
    return found;
  }
  [[nodiscard]] std::vector<std::string> journal_lines() const {
    std::vector<std::string> lines;
    std::ifstream in(journal(), std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
    }
    return lines;
  }

  std::filesystem::path dir_;
};

TEST_F(PositionStoreTest, EveryTransition_SurvivesReopening_AndClosedPositionsVanish) {
  const std::vector<PositionState> transitions = {
      PositionState::kOpening, PositionState::kOpen, PositionState::kClosing,
      PositionState::kPartiallyClosedOneLeg, PositionState::kOpen};
  const StoredPosition other = position_of(7, PositionState::kOpen, "ETH");
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(other));
  }
  for (const PositionState state : transitions) {
    StoredPosition position = position_of(3, state);
    position.note = std::string(to_string(state));
    {
      std::unique_ptr<PositionStore> store = open_store();
      ASSERT_NE(store, nullptr);
      ASSERT_TRUE(store->put(position));
    }
    std::unique_ptr<PositionStore> reopened = open_store();
    ASSERT_NE(reopened, nullptr);
    ASSERT_NE(reopened->find(3), nullptr) << to_string(state);
    EXPECT_EQ(*reopened->find(3), position) << to_string(state);
    EXPECT_EQ(reopened->positions().size(), 2U);
    EXPECT_FALSE(reopened->load_report().load_failure);
  }
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(position_of(3, PositionState::kClosed)));
    EXPECT_EQ(store->find(3), nullptr);
  }
  std::unique_ptr<PositionStore> reopened = open_store();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->find(3), nullptr);
  ASSERT_EQ(reopened->positions().size(), 1U);
  EXPECT_EQ(reopened->positions().at(7), other);
  EXPECT_EQ(reopened->load_report().journal_records, transitions.size() + 2);
  EXPECT_EQ(reopened->load_report().snapshot_positions, 0U);
}

TEST_F(PositionStoreTest, Journal_HoldsOneCheckedLinePerRecord_WithExactDecimalsAndIntegerTimes) {
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->put(position_of(1, PositionState::kOpening)));
  ASSERT_TRUE(store->set_kill_state("manual stop"));
  const std::vector<std::string> lines = journal_lines();
  ASSERT_EQ(lines.size(), 2U);
  Result<std::string_view> first = checked_text(lines[0]);
  ASSERT_TRUE(first) << lines[0];
  const boost::json::object record = boost::json::parse(*first).as_object();
  EXPECT_EQ(record.at("sequence").as_int64(), 1);
  const boost::json::object& position = record.at("position").as_object();
  EXPECT_EQ(position.at("state").as_string(), "opening");
  EXPECT_EQ(position.at("upbit_entry_fee").as_string(), "93.993125");
  EXPECT_EQ(position.at("adjustment_usdt").as_string(), "-0.00000001");
  EXPECT_EQ(position.at("opened_at").as_int64(), 1'767'000'000'123'456'789);
  EXPECT_EQ(position.at("orders").as_array().at(1).at("purpose").as_string(), "emergency");
  Result<std::string_view> second = checked_text(lines[1]);
  ASSERT_TRUE(second) << lines[1];
  EXPECT_EQ(*second, R"({"sequence":2,"kill_reason":"manual stop"})");
}

TEST_F(PositionStoreTest, NextId_NeverRepeats_AfterReopenAndCompaction) {
  std::vector<std::uint64_t> handed_out;
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    handed_out.push_back(store->next_id());
    handed_out.push_back(store->next_id());
    EXPECT_EQ(handed_out[0], 1U);
    ASSERT_TRUE(store->put(position_of(handed_out[0], PositionState::kOpening)));
    ASSERT_TRUE(store->put(position_of(handed_out[1], PositionState::kClosed)));
  }
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    handed_out.push_back(store->next_id());
    // Handed out, never put: the compaction's counter keeps it.
    handed_out.push_back(store->next_id());
    ASSERT_TRUE(store->put(position_of(handed_out[2], PositionState::kClosed)));
    ASSERT_TRUE(store->put(position_of(handed_out[0], PositionState::kClosed)));
    ASSERT_TRUE(store->compact());
  }
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->positions().empty());
  handed_out.push_back(store->next_id());
  std::vector<std::uint64_t> distinct = handed_out;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  EXPECT_EQ(distinct.size(), handed_out.size());
  EXPECT_EQ(handed_out.back(), 5U);
}

TEST_F(PositionStoreTest, TornTail_IsSkipped_AndTheStoreStaysUsable) {
  const StoredPosition first = position_of(1, PositionState::kOpen);
  const StoredPosition second = position_of(2, PositionState::kOpen, "XRP");
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(first));
    ASSERT_TRUE(store->put(second));
  }
  const std::vector<std::string> lines = journal_lines();
  ASSERT_EQ(lines.size(), 2U);
  std::ofstream(journal(), std::ios::binary | std::ios::app) << lines[1].substr(0, lines[1].size() / 2);

  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->load_report().torn_tail);
    EXPECT_FALSE(store->load_report().load_failure);
    EXPECT_EQ(store->load_report().journal_records, 2U);
    EXPECT_FALSE(store->needs_reconciliation());
    EXPECT_EQ(store->positions().at(1), first);
    EXPECT_EQ(store->positions().at(2), second);
    EXPECT_TRUE(files_starting("positions.journal.corrupt").empty());
    ASSERT_TRUE(store->put(position_of(3, PositionState::kOpen, "SOL")));
  }
  std::unique_ptr<PositionStore> reopened = open_store();
  ASSERT_NE(reopened, nullptr);
  EXPECT_FALSE(reopened->load_report().torn_tail);
  EXPECT_FALSE(reopened->load_report().load_failure);
  ASSERT_EQ(reopened->positions().size(), 3U);
  EXPECT_EQ(reopened->positions().at(1), first);
  EXPECT_EQ(reopened->positions().at(3), position_of(3, PositionState::kOpen, "SOL"));
}

TEST_F(PositionStoreTest, CorruptRecordInTheMiddle_IsReported_KeptAside_AndTheRestLoaded) {
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpen)));
    ASSERT_TRUE(store->put(position_of(2, PositionState::kOpen, "XRP")));
    ASSERT_TRUE(store->put(position_of(3, PositionState::kOpen, "SOL")));
  }
  std::string bytes = content_of(journal());
  const std::size_t xrp = bytes.find("XRP");
  ASSERT_NE(xrp, std::string::npos);
  bytes[xrp] = 'Y';
  write_raw(journal(), bytes);

  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->load_report().load_failure);
  EXPECT_NE(store->load_report().load_failure->find("positions.journal"), std::string::npos)
      << *store->load_report().load_failure;
  EXPECT_FALSE(store->load_report().torn_tail);
  EXPECT_TRUE(store->needs_reconciliation());
  ASSERT_EQ(store->positions().size(), 2U);
  EXPECT_EQ(store->positions().at(1), position_of(1, PositionState::kOpen));
  EXPECT_EQ(store->positions().at(3), position_of(3, PositionState::kOpen, "SOL"));
  const std::vector<std::filesystem::path> aside = files_starting("positions.journal.corrupt-");
  ASSERT_EQ(aside.size(), 1U);
  EXPECT_EQ(content_of(aside[0]), bytes);
}

TEST_F(PositionStoreTest, RecordWithAnUnknownStateOrAMissingField_IsABadRecord) {
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpen)));
    ASSERT_TRUE(store->put(position_of(2, PositionState::kOpen, "XRP")));
    ASSERT_TRUE(store->put(position_of(3, PositionState::kOpen, "SOL")));
  }
  const std::vector<std::string> lines = journal_lines();
  ASSERT_EQ(lines.size(), 3U);
  std::string unknown_state(checked_text(lines[0]).value());
  unknown_state.replace(unknown_state.find(R"("state":"open")"), 14, R"("state":"flying")");
  std::string missing_note(checked_text(lines[1]).value());
  const std::size_t note = missing_note.find(R"("note":)");
  missing_note.erase(note, missing_note.find(R"("orders")") - note);
  write_raw(journal(),
            checked_line(unknown_state) + "\n" + checked_line(missing_note) + "\n" + lines[2] + "\n");

  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->load_report().load_failure);
  EXPECT_NE(store->load_report().load_failure->find("2 unreadable record"), std::string::npos)
      << *store->load_report().load_failure;
  ASSERT_EQ(store->positions().size(), 1U);
  EXPECT_EQ(store->positions().at(3), position_of(3, PositionState::kOpen, "SOL"));
  EXPECT_TRUE(store->needs_reconciliation());
}

TEST_F(PositionStoreTest, CorruptSnapshot_IsReported_KeptAside_AndTheJournalStillReplayed) {
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpen)));
    ASSERT_TRUE(store->compact());
    ASSERT_TRUE(store->put(position_of(2, PositionState::kOpen, "XRP")));
  }
  write_raw(snapshot(), R"({"last_sequence":1,"next_id":2,"kill_reason":null,"positions":[{"id":1})");

  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->load_report().load_failure);
  EXPECT_NE(store->load_report().load_failure->find("positions.snapshot"), std::string::npos)
      << *store->load_report().load_failure;
  EXPECT_TRUE(store->needs_reconciliation());
  ASSERT_EQ(store->positions().size(), 1U);
  EXPECT_EQ(store->positions().at(2), position_of(2, PositionState::kOpen, "XRP"));
  const std::vector<std::filesystem::path> aside = files_starting("positions.snapshot.corrupt-");
  ASSERT_EQ(aside.size(), 1U);
  EXPECT_EQ(content_of(aside[0]),
            R"({"last_sequence":1,"next_id":2,"kill_reason":null,"positions":[{"id":1})");
  EXPECT_GE(store->next_id(), 3U);
}

TEST_F(PositionStoreTest, LeftoverSnapshotTemp_IsRemoved_AndTheRealFilesLoaded) {
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpen)));
    ASSERT_TRUE(store->compact());
    ASSERT_TRUE(store->put(position_of(2, PositionState::kOpening, "XRP")));
  }
  write_raw(dir_ / "positions.snapshot.tmp", R"({"last_sequence":9,"next_id":)");

  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->load_report().leftover_temp);
  EXPECT_FALSE(store->load_report().load_failure);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "positions.snapshot.tmp"));
  EXPECT_EQ(store->load_report().snapshot_positions, 1U);
  EXPECT_EQ(store->load_report().journal_records, 1U);
  ASSERT_EQ(store->positions().size(), 2U);
  EXPECT_EQ(store->positions().at(1), position_of(1, PositionState::kOpen));
  EXPECT_EQ(store->positions().at(2), position_of(2, PositionState::kOpening, "XRP"));
}

TEST_F(PositionStoreTest, Compact_EmptiesTheJournal_AndReopensEqual) {
  std::map<std::uint64_t, StoredPosition> before;
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpening)));
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpen)));
    ASSERT_TRUE(store->put(position_of(2, PositionState::kClosing, "XRP")));
    ASSERT_TRUE(store->put(position_of(4, PositionState::kClosed, "SOL")));
    ASSERT_TRUE(store->set_kill_state("daily loss limit"));
    ASSERT_TRUE(store->compact());
    before = store->positions();
  }
  EXPECT_FALSE(std::filesystem::exists(journal()));
  EXPECT_TRUE(std::filesystem::exists(snapshot()));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "positions.snapshot.tmp"));
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->positions(), before);
  EXPECT_EQ(before.size(), 2U);
  EXPECT_EQ(store->kill_reason(), "daily loss limit");
  EXPECT_EQ(store->load_report().snapshot_positions, 2U);
  EXPECT_EQ(store->load_report().journal_records, 0U);
  EXPECT_EQ(store->next_id(), 5U);
}

TEST_F(PositionStoreTest, CrashBeforeTheJournalIsEmptied_ReplaysNothingTwice) {
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpening)));
    ASSERT_TRUE(store->set_kill_state("stale reason"));
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpen)));
    ASSERT_TRUE(store->put(position_of(2, PositionState::kOpen, "XRP")));
    const std::string journal_before = content_of(journal());
    ASSERT_TRUE(store->compact());
    write_raw(journal(), journal_before);
  }
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->load_report().journal_records, 0U);
    EXPECT_EQ(store->load_report().snapshot_positions, 2U);
    EXPECT_EQ(store->positions().at(1), position_of(1, PositionState::kOpen));
    EXPECT_EQ(store->kill_reason(), "stale reason");
    EXPECT_FALSE(store->load_report().load_failure);
    // Records after the stale ones are numbered above them and replayed.
    ASSERT_TRUE(store->put(position_of(3, PositionState::kOpen, "SOL")));
  }
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->load_report().journal_records, 1U);
  EXPECT_EQ(store->positions().size(), 3U);
}

TEST_F(PositionStoreTest, StaleJournalBehindANewerSnapshot_DoesNotRollStateBack) {
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpening)));
    ASSERT_TRUE(store->set_kill_state("old reason"));
    const std::string older_journal = content_of(journal());
    ASSERT_TRUE(store->put(position_of(1, PositionState::kClosing)));
    ASSERT_TRUE(store->set_kill_state(std::nullopt));
    ASSERT_TRUE(store->compact());
    write_raw(journal(), older_journal);
  }
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->load_report().journal_records, 0U);
  EXPECT_EQ(store->positions().at(1), position_of(1, PositionState::kClosing));
  EXPECT_EQ(store->kill_reason(), std::nullopt);
}

TEST_F(PositionStoreTest, Put_CompactsByItselfAfterTheConfiguredRecords) {
  const PositionStoreOptions options{.compact_after_records = 3};
  {
    std::unique_ptr<PositionStore> store = open_store(options);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpening)));
    ASSERT_TRUE(store->put(position_of(1, PositionState::kOpen)));
    EXPECT_EQ(journal_lines().size(), 2U);
    EXPECT_FALSE(std::filesystem::exists(snapshot()));
    ASSERT_TRUE(store->set_kill_state("spread feed stale"));
    EXPECT_FALSE(std::filesystem::exists(journal()));
    EXPECT_TRUE(std::filesystem::exists(snapshot()));
    ASSERT_TRUE(store->put(position_of(2, PositionState::kOpen, "XRP")));
    EXPECT_EQ(journal_lines().size(), 1U);
  }
  std::unique_ptr<PositionStore> store = open_store(options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->load_report().snapshot_positions, 1U);
  EXPECT_EQ(store->load_report().journal_records, 1U);
  EXPECT_EQ(store->positions().at(1), position_of(1, PositionState::kOpen));
  EXPECT_EQ(store->positions().at(2), position_of(2, PositionState::kOpen, "XRP"));
  EXPECT_EQ(store->kill_reason(), "spread feed stale");
}

TEST_F(PositionStoreTest, KillState_PersistsAcrossReopen_AndClears) {
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->kill_reason(), std::nullopt);
    ASSERT_TRUE(store->set_kill_state("naked leg on BTC"));
    EXPECT_EQ(store->kill_reason(), "naked leg on BTC");
  }
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->kill_reason(), "naked leg on BTC");
    ASSERT_TRUE(store->compact());
  }
  {
    std::unique_ptr<PositionStore> store = open_store();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->kill_reason(), "naked leg on BTC");
    ASSERT_TRUE(store->set_kill_state(std::nullopt));
  }
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->kill_reason(), std::nullopt);
}

TEST_F(PositionStoreTest, PutFailing_WhenTheJournalIsADirectory_ChangesNothing_AndRecoversAfterwards) {
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->put(position_of(1, PositionState::kOpen)));
  ASSERT_TRUE(store->compact());
  std::filesystem::create_directories(journal() / "blocker");
  const std::map<std::uint64_t, StoredPosition> before = store->positions();

  const Status put = store->put(position_of(1, PositionState::kClosing));
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(put.error().message.find("positions.journal"), std::string::npos) << put.error().message;
  EXPECT_EQ(store->positions(), before);
  const Status killed = store->set_kill_state("disk trouble");
  ASSERT_FALSE(killed);
  EXPECT_EQ(store->kill_reason(), std::nullopt);

  std::filesystem::remove_all(journal());
  ASSERT_TRUE(store->put(position_of(1, PositionState::kClosing)));
  store.reset();
  std::unique_ptr<PositionStore> reopened = open_store();
  ASSERT_NE(reopened, nullptr);
  EXPECT_FALSE(reopened->load_report().load_failure);
  EXPECT_EQ(reopened->positions().at(1), position_of(1, PositionState::kClosing));
  EXPECT_EQ(reopened->kill_reason(), std::nullopt);
}

TEST_F(PositionStoreTest, PutFailing_WhenTheDirectoryBecameAFile_ChangesNothing) {
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->put(position_of(1, PositionState::kOpening)));
  const std::map<std::uint64_t, StoredPosition> before = store->positions();
  const std::uint64_t id = store->next_id();
  std::filesystem::remove_all(dir_);
  write_raw(dir_, "not a directory");

  const Status put = store->put(position_of(1, PositionState::kOpen));
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store->positions(), before);
  EXPECT_FALSE(store->put(position_of(id, PositionState::kOpening, "XRP")));
  EXPECT_EQ(store->positions(), before);
  EXPECT_EQ(store->next_id(), id + 1);
  EXPECT_EQ(content_of(dir_), "not a directory");
}

TEST_F(PositionStoreTest, Open_OnARegularFile_IsUnavailable) {
  write_raw(dir_, "not a directory");
  const Result<std::unique_ptr<PositionStore>> store = PositionStore::open(dir_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find(dir_.string()), std::string::npos) << store.error().message;
}

TEST_F(PositionStoreTest, Put_RefusesIdZeroAndAnEmptyCoin_WritingNothing) {
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  const Status no_id = store->put(position_of(0, PositionState::kOpening));
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().code, ErrorCode::kInvalidArgument);
  const Status no_coin = store->put(position_of(1, PositionState::kOpening, ""));
  ASSERT_FALSE(no_coin);
  EXPECT_EQ(no_coin.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store->positions().empty());
  EXPECT_FALSE(std::filesystem::exists(journal()));
}

TEST_F(PositionStoreTest, NeedsReconciliation_WhileAPositionIsInTransition) {
  std::unique_ptr<PositionStore> store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->needs_reconciliation());
  ASSERT_TRUE(store->put(position_of(1, PositionState::kOpen)));
  EXPECT_FALSE(store->needs_reconciliation());
  for (const PositionState state :
       {PositionState::kOpening, PositionState::kClosing, PositionState::kPartiallyClosedOneLeg}) {
    ASSERT_TRUE(store->put(position_of(2, state, "XRP")));
    EXPECT_TRUE(store->needs_reconciliation()) << to_string(state);
    store.reset();
    store = open_store();
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->needs_reconciliation()) << to_string(state);
  }
  ASSERT_TRUE(store->put(position_of(2, PositionState::kOpen, "XRP")));
  EXPECT_FALSE(store->needs_reconciliation());
  ASSERT_TRUE(store->put(position_of(2, PositionState::kClosed, "XRP")));
  EXPECT_FALSE(store->needs_reconciliation());
}

TEST_F(PositionStoreTest, EnumNames_AreTheStoredSpellings) {
  EXPECT_EQ(to_string(PositionState::kOpening), "opening");
  EXPECT_EQ(to_string(PositionState::kOpen), "open");
  EXPECT_EQ(to_string(PositionState::kClosing), "closing");
  EXPECT_EQ(to_string(PositionState::kClosed), "closed");
  EXPECT_EQ(to_string(PositionState::kPartiallyClosedOneLeg), "partially_closed_one_leg");
  EXPECT_EQ(to_string(OrderPurpose::kEntry), "entry");
  EXPECT_EQ(to_string(OrderPurpose::kExit), "exit");
  EXPECT_EQ(to_string(OrderPurpose::kExcess), "excess");
  EXPECT_EQ(to_string(OrderPurpose::kEmergency), "emergency");
}

}  // namespace
}  // namespace kimp::execution
