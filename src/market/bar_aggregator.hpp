// BarAggregator: one bar per coin per interval (Upbit close, Bybit close, USD/KRW, mid premium), from the
// mid prices sampled on every book update.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/decimal.hpp"
#include "core/timestamp.hpp"

namespace kimp::market {

// One closed bar of one coin: the last sample taken inside [open_time, open_time + interval).
struct Bar {
  std::uint32_t coin = 0;  // the coin's index in the strategy's list
  Timestamp open_time{};   // aligned to the interval from the Unix epoch (so to midnight UTC)
  Decimal upbit_close{};   // Upbit mid, KRW
  Decimal bybit_close{};   // Bybit mid, USDT
  Decimal usd_krw{};       // the rate in force at that sample
  double premium = 0.0;    // premium of the closes at usd_krw
  std::uint32_t samples = 0;
  bool operator==(const Bar&) const = default;
};

// Bars close when the clock passes their end: close_through() from a timer at each boundary is the normal
// path, and a sample already past the end of its coin's open bar closes that bar first. An interval in
// which a coin had no sample yields no bar for it (no value is invented); skipped() counts them.
class BarAggregator {
 public:
  // `interval` must be positive (config::EngineConfig::bar_interval divides a day).
  BarAggregator(Duration interval, std::size_t coins);

  // The mids and rate of `coin` at `at`. Returns the coin's previous bar when this sample closed it.
  // Samples of a coin must not go back in time; an earlier one than the last is ignored.
  std::optional<Bar> sample(std::uint32_t coin, Timestamp at, Decimal upbit_mid, Decimal bybit_mid,
                            Decimal usd_krw);
  // Appends to `closed`, in coin order, every open bar that ended at or before `now`.
  void close_through(Timestamp now, std::vector<Bar>& closed);

  // Adds a coin at the end of the list (monitored coins can change without a restart).
  std::uint32_t add_coin();
  // Drops a coin's open bar (it stops being monitored; its index stays reserved).
  void reset_coin(std::uint32_t coin);

  [[nodiscard]] Duration interval() const { return interval_; }
  // Start of the interval holding `at`.
  [[nodiscard]] Timestamp bar_open(Timestamp at) const;
  // Intervals in which a monitored coin had no sample.
  [[nodiscard]] std::uint64_t skipped() const { return skipped_; }

 private:
  struct Open {
    Bar bar{};
    Timestamp last_sample{};
    bool open = false;
    Timestamp last_closed_open{};  // open_time of the last bar closed; to count skipped intervals
    bool closed_any = false;
  };
  Bar close(Open& slot);

  Duration interval_{};
  std::vector<Open> coins_{};
  std::uint64_t skipped_ = 0;
};

}  // namespace kimp::market
