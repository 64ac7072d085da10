// The configuration schema, stated once: each section's keys, members and rules, walked by both the
// reader (TOML -> Config) and the renderer (Config -> TOML). Internal to kimp_config.
//
// A visitor provides field(key, member, rule), required(key, member, rule), table(key, section) and
// required_table(key, section). Defaults are the member initialisers in config.hpp.
#pragma once

#include <concepts>
#include <type_traits>

#include "config/config.hpp"
#include "config/rules.hpp"

namespace kimp::config {

// Lets one visit function serve the reader (mutable section) and the renderer (const section).
template <class S, class T>
concept SectionOf = std::same_as<std::remove_const_t<S>, T>;

template <class V, SectionOf<EngineConfig> S>
void visit_fields(V& v, S& c) {
  v.required("mode", c.mode);
  v.required("session", c.session, &check_session_name);
  v.field("data_dir", c.data_dir, &check_path);
  v.field("bar_interval", c.bar_interval, BarIntervalText{});
  v.field("secrets_file", c.secrets_file, &check_path);
}

template <class V, SectionOf<UpbitRateLimits> S>
void visit_fields(V& v, S& c) {
  v.field("order", c.order, IntRange{1, 8});
  v.field("default", c.default_group, IntRange{1, 30});
  v.field("quotation", c.quotation, IntRange{1, 10});
  v.field("ws_connect", c.ws_connect, IntRange{1, 5});
}

template <class V, SectionOf<UpbitConfig> S>
void visit_fields(V& v, S& c) {
  v.field("rest_url", c.rest_url, &check_http_url);
  v.field("ws_public_url", c.ws_public_url, &check_ws_url);
  v.field("ws_private_url", c.ws_private_url, &check_ws_url);
  v.field("connect_timeout_ms", c.connect_timeout, IntRange{1, 60'000});
  v.field("request_timeout_ms", c.request_timeout, IntRange{1, 60'000});
  v.table("rate_limits", c.rate_limits);
}

template <class V, SectionOf<BybitRateLimits> S>
void visit_fields(V& v, S& c) {
  v.field("public", c.public_rest, IntRange{1, 120});
  v.field("private", c.private_rest, IntRange{1, 10});
}

template <class V, SectionOf<BybitConfig> S>
void visit_fields(V& v, S& c) {
  v.field("rest_url", c.rest_url, &check_http_url);
  v.field("ws_public_url", c.ws_public_url, &check_ws_url);
  v.field("ws_private_url", c.ws_private_url, &check_ws_url);
  v.field("connect_timeout_ms", c.connect_timeout, IntRange{1, 60'000});
  v.field("request_timeout_ms", c.request_timeout, IntRange{1, 60'000});
  v.field("recv_window_ms", c.recv_window, IntRange{1, 60'000});
  v.table("rate_limits", c.rate_limits);
}

template <class V, SectionOf<FxConfig> S>
void visit_fields(V& v, S& c) {
  v.field("rest_url", c.rest_url, &check_http_url);
  v.field("poll_interval_sec", c.poll_interval, IntRange{1, 3600});
  v.field("connect_timeout_ms", c.connect_timeout, IntRange{1, 60'000});
  v.field("request_timeout_ms", c.request_timeout, IntRange{1, 60'000});
}

template <class V, SectionOf<VenuesConfig> S>
void visit_fields(V& v, S& c) {
  v.table("upbit", c.upbit);
  v.table("bybit", c.bybit);
  v.table("fx", c.fx);
}

template <class V, SectionOf<CoinSelectionConfig> S>
void visit_fields(V& v, S& c) {
  v.field("enabled", c.enabled);
  v.field("top_n", c.top_n, IntRange{1, 200});
  v.field("min_turnover_24h_krw", c.min_turnover_24h_krw, kPositiveInteger);
  v.field("blacklist", c.blacklist, &check_coin_symbol);
  v.field("refresh_interval_sec", c.refresh_interval, IntRange{60, 86'400});
}

template <class V, SectionOf<StrategyConfig> S>
void visit_fields(V& v, S& c) {
  v.field("execution_mode", c.execution_mode);
  v.field("bybit_category", c.bybit_category);
  v.field("order_timeout_sec", c.order_timeout, IntRange{1, 60});
  v.field("max_retry_count", c.max_retry_count, IntRange{0, 10});
  v.field("order_type", c.order_type);
  v.field("max_slippage_pct", c.max_slippage_pct, kPercent);
  v.field("coins", c.coins, &check_coin_symbol);
  v.table("coin_selection", c.coin_selection);
  v.field("upbit_order_sizing", c.upbit_order_sizing);
  v.field("window_bars", c.window_bars, IntRange{2, 100'000});
  v.field("entry_z", c.entry_z, DoubleAbove{0.0});
  v.field("exit_z", c.exit_z);
  v.field("position_ttl_sec", c.position_ttl, IntRange{60, 30 * 86'400LL});
  v.field("premium_stop_pct", c.premium_stop_pct, kPercent);
  v.field("upbit_fee_pct", c.upbit_fee_pct, kRatePercent);
  v.field("bybit_fee_pct", c.bybit_fee_pct, kRatePercent);
  v.field("min_profit_pct", c.min_profit_pct, kRatePercent);
  v.field("cooldown_sec", c.cooldown, IntRange{0, 86'400});
  v.field("max_position_usdt", c.max_position_usdt, kPositive);
  v.field("max_book_age_ms", c.max_book_age, IntRange{1, 60'000});
  v.field("funding_blackout_sec", c.funding_blackout, IntRange{0, 8 * 3600LL});
  v.field("balance_buffer_pct", c.balance_buffer_pct, kRatePercent);
}

template <class V, SectionOf<RiskConfig> S>
void visit_fields(V& v, S& c) {
  v.field("kill_switch_enabled", c.kill_switch_enabled);
  v.field("max_daily_loss_usdt", c.max_daily_loss_usdt, kPositive);
  v.field("max_drawdown_usdt", c.max_drawdown_usdt, kPositive);
  v.field("max_single_loss_usdt", c.max_single_loss_usdt, kPositive);
  v.field("max_concurrent_positions", c.max_concurrent_positions, IntRange{1, 1000});
  v.field("fx_stale_after_sec", c.fx_stale_after, IntRange{1, 86'400});
  v.field("fx_jump_pct", c.fx_jump_pct, kPercent);
}

template <class V, SectionOf<RuntimeConfig> S>
void visit_fields(V& v, S& c) {
  v.field("shutdown_policy", c.shutdown_policy);
  v.field("reconcile_interval_sec", c.reconcile_interval, IntRange{10, 3600});
  v.field("reconcile_busy_interval_sec", c.reconcile_busy_interval, IntRange{10, 3600});
  v.field("reconcile_busy_positions", c.reconcile_busy_positions, IntRange{1, 1000});
  v.field("exchange_sync_interval_sec", c.exchange_sync_interval, IntRange{10, 3600});
  // The run protocol's heartbeat invariant tolerates gaps up to 65 s.
  v.field("heartbeat_interval_sec", c.heartbeat_interval, IntRange{1, 60});
  v.field("balance_snapshot_interval_sec", c.balance_snapshot_interval, IntRange{10, 86'400});
}

template <class V, SectionOf<StorageConfig> S>
void visit_fields(V& v, S& c) {
  v.field("url", c.url, &check_storage_url);
  v.field("writer_queue_capacity", c.writer_queue_capacity, IntRange{100, 10'000'000});
  v.field("spill_journal", c.spill_journal, &check_path);
  v.field("spill_threshold", c.spill_threshold, IntRange{100, 100'000'000});
  v.field("drain_soft_timeout_sec", c.drain_soft_timeout, IntRange{1, 600});
  v.field("drain_hard_timeout_sec", c.drain_hard_timeout, IntRange{1, 3600});
}

template <class V, SectionOf<AlertsConfig> S>
void visit_fields(V& v, S& c) {
  v.field("telegram_enabled", c.telegram_enabled);
  v.field("telegram_chat_id", c.telegram_chat_id, &check_chat_id);
  v.field("telegram_api_url", c.telegram_api_url, &check_http_base_url);
}

template <class V, SectionOf<ArchiveConfig> S>
void visit_fields(V& v, S& c) {
  v.field("enabled", c.enabled);
  v.field("dir", c.dir, &check_path);
  v.field("rotate_size_mb", c.rotate_size_mb, IntRange{1, 65'536});
  v.field("retention_days", c.retention_days, IntRange{1, 3650});
  v.field("min_free_disk_mb", c.min_free_disk_mb, IntRange{0, 1'000'000});
}

template <class V, SectionOf<OpsConfig> S>
void visit_fields(V& v, S& c) {
  v.field("evidence_dir", c.evidence_dir, &check_path);
  v.field("http_enabled", c.http_enabled);
  v.field("http_bind", c.http_bind, &check_ip_address);
  v.field("http_port", c.http_port, IntRange{0, 65'535});
}

template <class V, SectionOf<SimulationConfig> S>
void visit_fields(V& v, S& c) {
  v.field("upbit_krw", c.upbit_krw, kPositive);
  v.field("bybit_usdt", c.bybit_usdt, kPositive);
}

template <class V, SectionOf<ReplayConfig> S>
void visit_fields(V& v, S& c) {
  v.field("fill_slippage_pct", c.fill_slippage_pct, kRatePercent);
  v.field("daily_fx_max_age_days", c.daily_fx_max_age_days, IntRange{1, 30});
}

template <class V, SectionOf<Config> S>
void visit_fields(V& v, S& c) {
  v.required_table("engine", c.engine);
  v.table("venues", c.venues);
  v.table("strategy", c.strategy);
  v.table("risk", c.risk);
  v.table("runtime", c.runtime);
  v.table("storage", c.storage);
  v.table("alerts", c.alerts);
  v.table("archive", c.archive);
  v.table("ops", c.ops);
  v.table("simulation", c.simulation);
  v.table("replay", c.replay);
}

}  // namespace kimp::config
