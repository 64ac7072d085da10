// Capture replays: merged frames, books, bars and the PairTrader on a SimClock.
#include "runtime/capture_replay.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>

#include "core/clock.hpp"
#include "execution/sim_executor.hpp"
#include "market/bar_aggregator.hpp"
#include "market/capture_file.hpp"
#include "risk/risk_manager.hpp"
#include "runtime/candle_replay.hpp"
#include "runtime/capture_books.hpp"
#include "runtime/pair_trader.hpp"
#include "runtime/replay_report.hpp"
#include "venues/bybit/parse_rest.hpp"
#include "venues/fx/fx_rate.hpp"

namespace kimp::runtime {
namespace {

constexpr Duration kDay = std::chrono::hours(24);

// The Bybit linear rules recorded in the captures (instruments-info answers), by symbol.
std::map<model::Symbol, model::Instrument> recorded_linear_rules(
    const std::vector<market::Capture>& captures) {
  std::map<model::Symbol, model::Instrument> rules;
  for (const market::Capture& capture : captures) {
    for (const market::CaptureHttp& answer : capture.http) {
      if (answer.url.find("instruments-info") == std::string::npos ||
          answer.url.find("category=linear") == std::string::npos) {
        continue;
      }
      const auto page = venues::bybit::parse_instruments(200, answer.body);
      if (!page) {
        continue;
      }
      for (const model::Instrument& instrument : page->instruments) {
        rules[instrument.symbol] = instrument;
      }
    }
  }
  return rules;
}

class CaptureReplay {
 public:
  CaptureReplay(const config::Config& config, const CaptureFx& fx,
                const std::vector<market::Capture>& captures, ReplayReport& report)
      : config_(config), fx_(fx), report_(&report), bars_(config.engine.bar_interval, 0) {
    for (const market::Capture& capture : captures) {
      books_.push_back(std::make_unique<CaptureBooks>(capture, "capture-replay"));
    }
    execution::SimExecutorOptions sim = execution::SimExecutorOptions::from(config);
    sim.books = [this](const std::string& coin) {
      const Coin& found =
          *std::find_if(coins_.begin(), coins_.end(), [&](const Coin& held) { return held.name == coin; });
      return execution::CoinBooks{find(model::Venue::kUpbit, "spot", found.upbit),
                                  find(model::Venue::kBybit, "linear", found.bybit)};
    };
    executor_ = std::make_unique<execution::SimExecutor>(clock_, std::move(sim));
    TraderListeners listeners;
    listeners.on_series = [this](const SeriesRow& row) {
      if (report_->run.bars == 0) {
        report_->run.first_open = row.bar.open_time;
      }
      ++report_->run.bars;
      report_->run.last_close = row.bar.open_time + config_.engine.bar_interval;
      report_->series.push_back(row);
    };
    trader_ = std::make_unique<PairTrader>(config, strategy::GateLimits::from(config), clock_, *executor_,
                                           risk_, io_.get_executor(), std::move(listeners));
    const std::map<model::Symbol, model::Instrument> recorded = recorded_linear_rules(captures);
    for (const std::string& name : config.strategy.coins) {
      Coin coin{name, model::Symbol::create("KRW-" + name).value_or(model::Symbol{}),
                model::Symbol::create(name + "USDT").value_or(model::Symbol{}), 0};
      const auto rules = recorded.find(coin.bybit);
      recorded_rules_ = recorded_rules_ && rules != recorded.end();
      coin.index = trader_->add_coin({name, replay_upbit_rules(name),
                                      rules != recorded.end() ? rules->second : replay_bybit_rules(name)});
      bars_.add_coin();
      coins_.push_back(coin);
    }
  }

  void frame(std::size_t capture, const market::CaptureFrame& frame) {
    if (frame.ts_recv > clock_.now()) {
      (void)clock_.advance_to(frame.ts_recv);
    }
    close_bars(clock_.now());
    CaptureListeners listeners;
    listeners.on_book = [this](const CaptureBook& book) { on_book(book); };
    listeners.on_ticker = [this](std::string_view category, const model::Ticker& ticker) {
      on_ticker(category, ticker);
    };
    books_[capture]->replay(frame, listeners);
  }

  void finish() {
    close_bars(bars_.bar_open(clock_.now()) + config_.engine.bar_interval);
    std::vector<std::optional<CoinQuote>> quotes(coins_.size());
    for (const Coin& coin : coins_) {
      const CoinQuote quote = quote_of(coin);
      if (quote.upbit.whole && quote.bybit.whole) {
        quotes[coin.index] = quote;
      }
    }
    trader_->close_all(quotes, fx_view(), strategy::ExitReason::kEndOfData);
    run_executions();
    report_->run.trader = trader_.get();
    report_->run.executor = executor_.get();
    CaptureTotals totals;
    std::uint64_t books = 0;
    for (const auto& held : books_) {
      totals.frames += held->totals().frames;
      totals.skipped += held->totals().skipped;
      totals.malformed += held->totals().malformed;
      totals.rejected += held->totals().rejected;
      books += held->books().size();
    }
    report_->input = {{"frames", totals.frames},
                      {"frames_skipped", totals.skipped},
                      {"frames_malformed", totals.malformed},
                      {"book_updates_rejected", totals.rejected},
                      {"books", books},
                      {"bybit_rules_recorded", recorded_rules_ ? 1U : 0U}};
  }

 private:
  struct Coin {
    std::string name;
    model::Symbol upbit;
    model::Symbol bybit;
    std::uint32_t index = 0;
  };
  struct Funding {
    std::optional<Decimal> rate;
    std::optional<Timestamp> next;
    std::optional<Decimal> mark;
  };

  [[nodiscard]] const market::OrderBook* find(model::Venue venue, std::string_view category,
                                              const model::Symbol& symbol) const {
    for (const auto& held : books_) {
      if (const market::OrderBook* book = held->find(venue, category, symbol)) {
        return book;
      }
    }
    return nullptr;
  }

  [[nodiscard]] CoinQuote quote_of(const Coin& coin) const {
    return quote_from_books(find(model::Venue::kUpbit, "spot", coin.upbit),
                            find(model::Venue::kBybit, "linear", coin.bybit));
  }

  [[nodiscard]] FxView fx_view() const {
    FxView view;
    view.usdt_krw = usdt_krw_;
    if (fx_.fixed) {
      view.usd_krw = fx_.fixed;
      view.usd_krw_age = Duration::zero();
      return view;
    }
    const Timestamp now = clock_.now();
    const auto known =
        std::upper_bound(fx_.daily.begin(), fx_.daily.end(), now,
                         [](Timestamp at, const market::DailyRate& rate) { return at < rate.date + kDay; });
    if (known == fx_.daily.begin()) {
      return view;
    }
    const market::DailyRate& rate = *std::prev(known);
    const Duration age = now - (rate.date + kDay);
    if (age <= kDay * config_.replay.daily_fx_max_age_days) {
      view.usd_krw = rate.close;
      view.usd_krw_age = age;
    }
    return view;
  }

  void on_book(const CaptureBook& book) {
    const bool upbit = book.book.venue() == model::Venue::kUpbit && book.category == "spot";
    const bool bybit = book.book.venue() == model::Venue::kBybit && book.category == "linear";
    const auto coin = std::find_if(coins_.begin(), coins_.end(), [&](const Coin& held) {
      return (upbit && held.upbit == book.book.symbol()) || (bybit && held.bybit == book.book.symbol());
    });
    if (coin == coins_.end()) {
      return;
    }
    trader_->on_book_update(coin->index, quote_of(*coin), fx_view(), bars_, clock_.now());
    run_executions();
  }

  void on_ticker(std::string_view category, const model::Ticker& ticker) {
    if (ticker.venue == model::Venue::kUpbit && ticker.symbol == venues::fx::usdt_krw_market() &&
        ticker.last_price) {
      usdt_krw_ = ticker.last_price;
      return;
    }
    if (ticker.venue != model::Venue::kBybit || category != "linear") {
      return;
    }
    const auto coin = std::find_if(coins_.begin(), coins_.end(),
                                   [&](const Coin& held) { return held.bybit == ticker.symbol; });
    if (coin == coins_.end()) {
      return;
    }
    // Linear tickers are deltas: keep what each field last said.
    Funding& funding = funding_[ticker.symbol];
    funding.rate = ticker.funding_rate ? ticker.funding_rate : funding.rate;
    funding.next = ticker.next_funding_time ? ticker.next_funding_time : funding.next;
    funding.mark = ticker.mark_price ? ticker.mark_price : funding.mark;
    if (funding.rate && funding.next && funding.mark) {
      trader_->on_funding(coin->index, *funding.rate, *funding.next, *funding.mark);
    }
  }

  void close_bars(Timestamp now) {
    closed_.clear();
    bars_.close_through(now, closed_);
    for (const market::Bar& bar : closed_) {
      trader_->on_bar(bar);
    }
  }

  void run_executions() {
    if (trader_->in_flight() > 0) {
      io_.restart();
      io_.poll();
    }
  }

  const config::Config& config_;
  const CaptureFx& fx_;
  ReplayReport* report_;
  SimClock clock_;
  boost::asio::io_context io_;
  std::vector<std::unique_ptr<CaptureBooks>> books_;
  std::unique_ptr<execution::SimExecutor> executor_;
  risk::RiskManager risk_{config_.risk, Timestamp{}};
  std::unique_ptr<PairTrader> trader_;
  market::BarAggregator bars_;
  std::vector<market::Bar> closed_;
  std::vector<Coin> coins_;
  std::map<model::Symbol, Funding> funding_;
  std::optional<Decimal> usdt_krw_;
  bool recorded_rules_ = true;
};

}  // namespace

Result<std::string> replay_captures(const config::Config& config, const std::vector<std::string>& captures,
                                    const CaptureFx& fx, const std::string& out_dir) {
  if (config.strategy.coins.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a capture replay needs strategy.coins");
  }
  std::vector<market::Capture> loaded;
  struct FrameRef {
    Timestamp at;
    std::size_t capture;
    std::size_t frame;
  };
  std::vector<FrameRef> order;
  for (const std::string& path : captures) {
    KIMP_TRY_ASSIGN(market::Capture capture, market::read_capture(path));
    if (capture.frames.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("{}: the capture holds no received frame", path));
    }
    for (std::size_t i = 0; i < capture.frames.size(); ++i) {
      order.push_back({capture.frames[i].ts_recv, loaded.size(), i});
    }
    loaded.push_back(std::move(capture));
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const FrameRef& left, const FrameRef& right) { return left.at < right.at; });
  ReplayReport report;
  report.fill_model = "book_walk";
  report.sizing = "book_depth";
  report.config = &config;
  CaptureReplay replay(config, fx, loaded, report);
  for (const FrameRef& ref : order) {
    replay.frame(ref.capture, loaded[ref.capture].frames[ref.frame]);
  }
  replay.finish();
  KIMP_TRY(write_replay_report(out_dir, report));
  return replay_summary_json(report);
}

}  // namespace kimp::runtime
