// AlertService: every alert is written to the database first, then handed to Telegram when enabled.
#pragma once

#include <cstdint>

#include "alerts/alert_event.hpp"
#include "alerts/telegram_sender.hpp"
#include "core/logging.hpp"
#include "storage/records.hpp"

namespace kimp {
class Clock;
}

namespace kimp::alerts {

struct AlertServiceCounters {
  std::uint64_t recorded = 0;  // AlertRows enqueued to the sink, one per send()
  std::uint64_t info = 0;
  std::uint64_t warning = 0;
  std::uint64_t critical = 0;
  std::uint64_t telegram_disabled = 0;  // recorded with telegram_status "disabled"
  std::uint64_t telegram_queued = 0;    // handed to the sender
  TelegramCounters telegram;            // the sender's own (sent, failed, coalesced, ...); zero without one

  bool operator==(const AlertServiceCounters&) const = default;
};

// Runs on the event loop. The sink, clock and sender must outlive the service.
class AlertService {
 public:
  // `telegram` is null when Telegram alerts are disabled.
  AlertService(storage::RecordSink& sink, std::int64_t session_id, const Clock& clock,
               TelegramSender* telegram);

  // Records the alert and returns its id. Never blocks and cannot fail: the AlertRow (telegram_status
  // "pending", or "disabled" without a sender) is enqueued before the text goes to the sender, so the
  // database has the alert whatever Telegram does; the sender later writes its AlertDelivery.
  std::int64_t send(const AlertEvent& event);

  [[nodiscard]] AlertServiceCounters counters() const;

 private:
  storage::RecordSink* sink_;
  std::int64_t session_id_;
  const Clock* clock_;
  TelegramSender* telegram_;
  storage::RowIdAllocator ids_;
  AlertServiceCounters counters_;
  log::Logger log_{"alerts"};
};

}  // namespace kimp::alerts
