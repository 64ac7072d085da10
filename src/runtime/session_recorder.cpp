// SessionRecorder: the PairTrader's events as storage rows.
#include "runtime/session_recorder.hpp"

#include <utility>

#include <fmt/format.h>

#include "strategy/exit_rules.hpp"

namespace kimp::runtime {
namespace {

Decimal sum(Decimal a, Decimal b) {
  return a.add(b).value_or(a);
}

}  // namespace

SessionRecorder::SessionRecorder(storage::RecordSink& sink, std::int64_t session_id,
                                 std::function<std::string(std::uint32_t coin)> coin_name)
    : sink_(&sink),
      session_id_(session_id),
      coin_name_(std::move(coin_name)),
      position_ids_(session_id),
      trade_ids_(session_id) {}

TraderListeners SessionRecorder::listeners(TraderListeners next) {
  TraderListeners listeners;
  listeners.on_opened = [this, then = std::move(next.on_opened)](const OpenPair& pair) {
    on_opened(pair);
    if (then) {
      then(pair);
    }
  };
  listeners.on_closed = [this, then = std::move(next.on_closed)](const ClosedPair& pair) {
    on_closed(pair);
    if (then) {
      then(pair);
    }
  };
  listeners.on_series = [this, then = std::move(next.on_series)](const SeriesRow& row) {
    on_series(row);
    if (then) {
      then(row);
    }
  };
  return listeners;
}

void SessionRecorder::on_series(const SeriesRow& row) {
  storage::MinuteRow minute;
  minute.session_id = session_id_;
  minute.coin = coin_name_(row.bar.coin);
  minute.ts = row.bar.open_time;
  minute.upbit_close = row.bar.upbit_close;
  minute.bybit_close = row.bar.bybit_close;
  minute.usd_krw = row.bar.usd_krw;
  minute.premium = row.bar.premium;
  minute.mean = row.mean;
  minute.std = row.stddev;
  minute.z = row.z;
  sink_->enqueue(std::move(minute));
  ++counters_.minutes;
}

void SessionRecorder::record_legs(std::int64_t position_id, const strategy::PairLegs& legs,
                                  const std::string& upbit_order_id, const std::string& bybit_order_id,
                                  bool entry) {
  const auto leg = [&](const strategy::LegFill& fill, std::string_view venue,
                       const std::string& venue_order_id, bool buy, std::string_view fee_currency) {
    storage::OrderRow order;
    order.client_order_id = fmt::format("{}-{}-{}", position_id, venue, entry ? "entry" : "exit");
    order.session_id = session_id_;
    order.position_id = position_id;
    order.venue = std::string(venue);
    order.venue_order_id = venue_order_id;
    order.side = buy ? "buy" : "sell";
    order.order_type = "market";
    order.qty = fill.qty;
    order.state = "filled";
    order.filled_qty = fill.qty;
    order.avg_fill_price = fill.avg_price;
    order.fee = fill.fee;
    order.fee_currency = std::string(fee_currency);
    order.created_at = fill.at;
    order.updated_at = fill.at;
    order.revision = 1;
    sink_->enqueue(std::move(order));
    ++counters_.orders;
  };
  leg(legs.upbit, "upbit", upbit_order_id, entry, "KRW");
  leg(legs.bybit, "bybit", bybit_order_id, !entry, "USDT");
}

storage::PositionRow SessionRecorder::position_row(std::int64_t position_id, const std::string& coin,
                                                   const OpenPair& pair) const {
  storage::PositionRow position;
  position.id = position_id;
  position.session_id = session_id_;
  position.coin = coin;
  position.upbit_qty = pair.entry.upbit.qty;
  position.upbit_avg_price = pair.entry.upbit.avg_price;
  position.bybit_qty = pair.entry.bybit.qty;
  position.bybit_avg_price = pair.entry.bybit.avg_price;
  position.upbit_order_id = pair.upbit_order_id;
  position.bybit_order_id = pair.bybit_order_id;
  position.opened_at = pair.opened_at;
  return position;
}

void SessionRecorder::on_opened(const OpenPair& pair) {
  const std::int64_t position_id = position_ids_.next();
  position_of_pair_[pair.id] = position_id;
  const std::string coin = coin_name_(pair.coin);
  storage::PositionRow position = position_row(position_id, coin, pair);
  position.state = "open";
  position.revision = 1;
  sink_->enqueue(std::move(position));
  ++counters_.positions;
  record_legs(position_id, pair.entry, pair.upbit_order_id, pair.bybit_order_id, true);
}

void SessionRecorder::on_closed(const ClosedPair& pair) {
  const auto found = position_of_pair_.find(pair.open.id);
  const std::string coin = coin_name_(pair.open.coin);
  if (found == position_of_pair_.end()) {
    ++counters_.trades_without_position;
    log_.warn("closed pair has no position row; trade not recorded",
              {{"coin", coin}, {"pair", pair.open.id}, {"net_usdt", pair.pnl.net_usdt}});
    return;
  }
  const std::int64_t position_id = found->second;
  position_of_pair_.erase(found);
  const OpenPair& open = pair.open;

  storage::PositionRow position = position_row(position_id, coin, open);
  position.state = "closed";
  position.closed_at = pair.closed_at;
  position.realised_pnl = pair.pnl.net_usdt;
  position.revision = 2;
  sink_->enqueue(std::move(position));
  ++counters_.positions;
  record_legs(position_id, pair.exit, pair.upbit_order_id, pair.bybit_order_id, false);

  storage::TradeRow trade;
  trade.id = trade_ids_.next();
  trade.position_id = position_id;
  trade.session_id = session_id_;
  trade.coin = coin;
  trade.side = "exit";
  trade.reason = std::string(strategy::to_string(pair.reason));
  trade.qty = open.entry.upbit.qty;
  trade.upbit_entry_price = open.entry.upbit.avg_price;
  trade.upbit_exit_price = pair.exit.upbit.avg_price;
  trade.bybit_entry_price = open.entry.bybit.avg_price;
  trade.bybit_exit_price = pair.exit.bybit.avg_price;
  trade.entry_usdt_krw = open.entry.usdt_krw;
  trade.exit_usdt_krw = pair.exit.usdt_krw;
  trade.upbit_fee_krw = sum(open.entry.upbit.fee, pair.exit.upbit.fee);
  trade.bybit_fee_usdt = sum(open.entry.bybit.fee, pair.exit.bybit.fee);
  trade.funding_usdt = pair.pnl.funding_usdt;
  trade.pnl = pair.pnl.net_usdt;
  trade.opened_at = open.opened_at;
  trade.closed_at = pair.closed_at;
  sink_->enqueue(std::move(trade));
  ++counters_.trades;
}

void SessionRecorder::on_funding(const std::string& coin, Decimal rate, Timestamp next_funding_time,
                                 Timestamp now) {
  auto [last, first] = last_funding_.try_emplace(coin, rate, next_funding_time);
  if (!first && last->second == std::pair{rate, next_funding_time}) {
    return;
  }
  last->second = {rate, next_funding_time};
  sink_->enqueue(storage::FundingRow{
      .coin = coin, .funding_rate = rate, .next_funding_time = next_funding_time, .updated_at = now});
  ++counters_.funding;
}

void SessionRecorder::snapshot(const std::string& record_type, const std::vector<BalanceLine>& lines,
                               Decimal usd_krw, Decimal usdt_krw, Timestamp now) {
  const std::int64_t group = ++snapshot_groups_;
  for (const BalanceLine& line : lines) {
    storage::BalanceSnapshotRow row;
    row.created_at = now;
    row.snapshot_group_id = group;
    row.session_id = session_id_;
    row.record_type = record_type;
    row.cex = line.cex;
    row.currency = line.currency;
    row.available = line.available;
    row.locked = line.locked;
    row.coin_value = line.coin_value;
    row.total = line.total;
    row.usd_krw = usd_krw;
    row.usdt_krw = usdt_krw;
    const bool krw = line.currency == "KRW";
    row.total_usd = krw && usd_krw.is_positive() ? line.total.div(usd_krw).value_or(Decimal{}) : line.total;
    row.total_usdt =
        krw && usdt_krw.is_positive() ? line.total.div(usdt_krw).value_or(Decimal{}) : line.total;
    sink_->enqueue(std::move(row));
    ++counters_.snapshots;
  }
}

}  // namespace kimp::runtime
