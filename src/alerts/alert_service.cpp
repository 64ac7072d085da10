// AlertService: the alerts row first, then the Telegram hand-over, with per-severity counts.
#include "alerts/alert_service.hpp"

#include <optional>
#include <string>
#include <utility>

#include "core/clock.hpp"

namespace kimp::alerts {

AlertService::AlertService(storage::RecordSink& sink, std::int64_t session_id, const Clock& clock,
                           TelegramSender* telegram)
    : sink_(&sink), session_id_(session_id), clock_(&clock), telegram_(telegram), ids_(session_id) {}

std::int64_t AlertService::send(const AlertEvent& event) {
  const Severity severity = severity_of(event);
  storage::AlertRow row{.id = ids_.next(),
                        .session_id = session_id_,
                        .created_at = clock_->now(),
                        .kind = std::string(kind_name(event)),
                        .severity = std::string(to_string(severity)),
                        .payload = payload_json(event),
                        .telegram_status = telegram_ != nullptr ? "pending" : "disabled",
                        .telegram_error = {},
                        .telegram_sent_at = std::nullopt};
  const std::int64_t id = row.id;
  std::string text = telegram_text(event);

  sink_->enqueue(std::move(row));
  ++counters_.recorded;
  switch (severity) {
    case Severity::kInfo:
      ++counters_.info;
      log_.info(text, {{"alert_id", id}});
      break;
    case Severity::kWarning:
      ++counters_.warning;
      log_.warn(text, {{"alert_id", id}});
      break;
    case Severity::kCritical:
      ++counters_.critical;
      log_.error(text, {{"alert_id", id}});
      break;
  }

  if (telegram_ == nullptr) {
    ++counters_.telegram_disabled;
    return id;
  }
  telegram_->submit(id, std::move(text));
  ++counters_.telegram_queued;
  return id;
}

AlertServiceCounters AlertService::counters() const {
  AlertServiceCounters out = counters_;
  if (telegram_ != nullptr) {
    out.telegram = telegram_->counters();
  }
  return out;
}

}  // namespace kimp::alerts
