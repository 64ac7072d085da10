// USD/KRW polling loop over HTTP with keep-last-value failures; USDT/KRW from Upbit's ticker stream.
#include "venues/fx/fx_poller.hpp"

#include <utility>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "net/http_client.hpp"

namespace kimp::venues::fx {

struct UsdKrwPoller::State {
  State(const boost::asio::any_io_executor& executor, net::HttpClient& http_client, const Clock& time,
        UsdKrwPollerOptions poll_options)
      : http(&http_client), clock(&time), options(std::move(poll_options)), timer(executor) {}

  net::HttpClient* http;
  const Clock* clock;
  UsdKrwPollerOptions options;
  boost::asio::steady_timer timer;
  FxRate rate;
  FxPollCounters counters;
  bool started = false;
  bool stopped = false;
  log::Logger log{"fx.usd_krw"};
};

namespace {

// The poll's outcome recorded in `state`: a fresh value, or the last one kept and marked stale. The
// first failure after a success is logged; a streak of them only counted.
Status settle(UsdKrwPoller::State& state, Result<DunamuQuote> quote, Timestamp ts_recv) {
  Status outcome = quote ? state.rate.update({quote->usd_krw, quote->ts_event}, ts_recv)
                         : Status(tl::unexpected<Error>(quote.error()));
  ++state.counters.polls;
  if (outcome) {
    if (state.counters.last_error) {
      state.log.info("USD/KRW source answers again", {{"usd_krw", quote->usd_krw.to_string()}});
    }
    state.counters.last_error.reset();
    return outcome;
  }
  ++state.counters.failures;
  if (!state.counters.last_error) {
    state.log.warn("USD/KRW poll failed; the last value is kept and marked stale",
                   {{"target", state.options.target}, {"error", outcome.error().describe()}});
  }
  state.counters.last_error = outcome.error();
  state.rate.mark_failed(ts_recv);
  return outcome;
}

Result<DunamuQuote> quote_of(const Result<net::HttpResponse>& response) {
  if (!response) {
    return tl::unexpected<Error>(response.error());
  }
  if (response->status / 100 != 2) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("USD/KRW source answered HTTP {}", response->status));
  }
  return parse_dunamu_quote(response->body);
}

boost::asio::awaitable<Status> poll(std::shared_ptr<UsdKrwPoller::State> state) {
  net::HttpRequest request;
  request.target = state->options.target;
  const Result<net::HttpResponse> response = co_await state->http->request(std::move(request));
  if (state->stopped) {
    co_return make_error(ErrorCode::kFailedPrecondition, "the USD/KRW poller was stopped");
  }
  co_return settle(*state, quote_of(response), state->clock->now());
}

boost::asio::awaitable<void> poll_loop(std::shared_ptr<UsdKrwPoller::State> state) {
  while (!state->stopped) {
    (void)co_await poll(state);  // recorded in the state, logged there
    if (state->stopped) {
      break;
    }
    state->timer.expires_after(
        std::chrono::duration_cast<boost::asio::steady_timer::duration>(state->options.interval));
    co_await state->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

}  // namespace

Result<std::unique_ptr<UsdKrwPoller>> UsdKrwPoller::create(const boost::asio::any_io_executor& executor,
                                                           net::HttpClient& http, const Clock& clock,
                                                           UsdKrwPollerOptions options) {
  if (options.interval <= Duration::zero()) {
    return make_error(ErrorCode::kInvalidArgument, "the USD/KRW poll interval must be positive");
  }
  if (options.target.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the USD/KRW poll target is empty");
  }
  return std::unique_ptr<UsdKrwPoller>(
      new UsdKrwPoller(std::make_shared<State>(executor, http, clock, std::move(options))));
}

UsdKrwPoller::~UsdKrwPoller() {
  try {
    stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; the loop sees `stopped`
  }
}

Status UsdKrwPoller::start() {
  if (state_->started || state_->stopped) {
    return make_error(ErrorCode::kFailedPrecondition, "a USD/KRW poller starts once");
  }
  state_->started = true;
  boost::asio::co_spawn(state_->timer.get_executor(), poll_loop(state_), boost::asio::detached);
  return ok();
}

void UsdKrwPoller::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

boost::asio::awaitable<Status> UsdKrwPoller::poll_once() {
  co_return co_await poll(state_);
}

const FxRate& UsdKrwPoller::usd_krw() const {
  return state_->rate;
}

const FxPollCounters& UsdKrwPoller::counters() const {
  return state_->counters;
}

Status UsdtKrwTracker::on_ticker(const model::Ticker& ticker) {
  const Timestamp ts_recv = ticker.ts_recv == Timestamp{} ? clock_->now() : ticker.ts_recv;
  const Result<FxObservation> observation = usdt_krw_from_ticker(ticker);
  Status updated =
      observation ? rate_.update(*observation, ts_recv) : Status(tl::unexpected<Error>(observation.error()));
  if (!updated) {
    ++failures_;
    rate_.mark_failed(ts_recv);
  }
  return updated;
}

void UsdtKrwTracker::on_feed_state(net::WsState state) {
  if (state == net::WsState::kStale || state == net::WsState::kDisconnected) {
    rate_.mark_failed(clock_->now());
  }
}

}  // namespace kimp::venues::fx
