// BarAggregator: keeps the last sample of each coin's open bar and closes it at the interval's end.
#include "market/bar_aggregator.hpp"

#include "market/premium.hpp"

namespace kimp::market {

BarAggregator::BarAggregator(Duration interval, std::size_t coins) : interval_(interval), coins_(coins) {}

Timestamp BarAggregator::bar_open(Timestamp at) const {
  const std::int64_t width = interval_.count();
  std::int64_t ns = at.ns();
  std::int64_t remainder = ns % width;
  if (remainder < 0) {
    remainder += width;
  }
  ns -= remainder;
  return Timestamp::from_ns(ns);
}

Bar BarAggregator::close(Open& slot) {
  if (slot.closed_any) {
    const std::int64_t gap = (slot.bar.open_time - slot.last_closed_open) / interval_;
    if (gap > 1) {
      skipped_ += static_cast<std::uint64_t>(gap - 1);
    }
  }
  slot.closed_any = true;
  slot.last_closed_open = slot.bar.open_time;
  slot.open = false;
  Bar bar = slot.bar;
  bar.premium = premium(bar.upbit_close, bar.bybit_close, bar.usd_krw);
  return bar;
}

std::optional<Bar> BarAggregator::sample(std::uint32_t coin, Timestamp at, Decimal upbit_mid,
                                         Decimal bybit_mid, Decimal usd_krw) {
  Open& slot = coins_[coin];
  const Timestamp open_time = bar_open(at);
  // Time never goes back: neither before the last sample nor into an interval already closed.
  if (at < slot.last_sample || (slot.closed_any && open_time <= slot.last_closed_open)) {
    return std::nullopt;
  }
  std::optional<Bar> closed;
  if (slot.open && open_time != slot.bar.open_time) {
    closed = close(slot);
  }
  if (!slot.open) {
    slot.open = true;
    slot.bar = Bar{};
    slot.bar.coin = coin;
    slot.bar.open_time = open_time;
  }
  slot.last_sample = at;
  slot.bar.upbit_close = upbit_mid;
  slot.bar.bybit_close = bybit_mid;
  slot.bar.usd_krw = usd_krw;
  ++slot.bar.samples;
  return closed;
}

void BarAggregator::close_through(Timestamp now, std::vector<Bar>& closed) {
  for (Open& slot : coins_) {
    if (slot.open && slot.bar.open_time + interval_ <= now) {
      closed.push_back(close(slot));
    }
  }
}

std::uint32_t BarAggregator::add_coin() {
  coins_.emplace_back();
  return static_cast<std::uint32_t>(coins_.size() - 1);
}

void BarAggregator::reset_coin(std::uint32_t coin) {
  coins_[coin] = Open{};
}

}  // namespace kimp::market
