// SessionRecorder: turns what a session's PairTrader reports into storage records — one minutes row per
// coin per bar, a positions row per transition, orders for both legs, a trades row per closed pair —
// and hands them to a RecordSink (the DbWriter) without waiting.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"
#include "runtime/pair_trader.hpp"
#include "storage/records.hpp"

namespace kimp::runtime {

struct RecorderCounters {
  std::uint64_t minutes = 0;
  std::uint64_t positions = 0;
  std::uint64_t orders = 0;
  std::uint64_t trades = 0;
  std::uint64_t funding = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t trades_without_position = 0;  // closes of a pair never recorded as opened: skipped
};

// One venue balance for a snapshot.
struct BalanceLine {
  std::string cex;       // UPBIT | BYBIT
  std::string currency;  // KRW | USDT
  Decimal available{};
  Decimal locked{};
  Decimal coin_value{};  // open positions' value in `currency`
  Decimal total{};
};

class SessionRecorder {
 public:
  // `coin_name` maps a trader's coin index to its name ("BTC"). `sink` must outlive the recorder.
  SessionRecorder(storage::RecordSink& sink, std::int64_t session_id,
                  std::function<std::string(std::uint32_t coin)> coin_name);

  // The listeners to give the PairTrader; `next` are called after the recorder with the same event.
  [[nodiscard]] TraderListeners listeners(TraderListeners next = {});

  void on_series(const SeriesRow& row);
  void on_opened(const OpenPair& pair);
  // A pair that was never recorded as opened has no db id: its trade is skipped with a warning and
  // counted in trades_without_position, never written with an invented position id.
  void on_closed(const ClosedPair& pair);
  // A funding_schedules row when the coin's rate or next funding time differs from the last one recorded.
  void on_funding(const std::string& coin, Decimal rate, Timestamp next_funding_time, Timestamp now);
  // A balance snapshot of `record_type` (INITIAL | PERIODIC | FINAL): one row per line, one group id.
  void snapshot(const std::string& record_type, const std::vector<BalanceLine>& lines, Decimal usd_krw,
                Decimal usdt_krw, Timestamp now);

  [[nodiscard]] const RecorderCounters& counters() const { return counters_; }

 private:
  // The positions row of `pair` as it was opened; state, close and revision are the caller's.
  [[nodiscard]] storage::PositionRow position_row(std::int64_t position_id, const std::string& coin,
                                                  const OpenPair& pair) const;
  void record_legs(std::int64_t position_id, const strategy::PairLegs& legs,
                   const std::string& upbit_order_id, const std::string& bybit_order_id, bool entry);

  storage::RecordSink* sink_;
  std::int64_t session_id_ = 0;
  std::function<std::string(std::uint32_t)> coin_name_;
  storage::RowIdAllocator position_ids_;
  storage::RowIdAllocator trade_ids_;
  std::int64_t snapshot_groups_ = 0;
  std::unordered_map<std::uint64_t, std::int64_t> position_of_pair_;  // trader pair id -> positions.id
  std::unordered_map<std::string, std::pair<Decimal, Timestamp>> last_funding_;  // coin -> rate, next time
  RecorderCounters counters_{};
  log::Logger log_{"recorder"};
};

}  // namespace kimp::runtime
