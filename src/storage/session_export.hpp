// Session export: every row of one session, re-rendered canonically as CSV or JSON, the same text
// whichever backend holds the session.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace kimp::storage {

enum class ExportFormat : std::uint8_t { kCsv, kJson };

// "csv" or "json"; nullopt for anything else.
std::optional<ExportFormat> export_format_from_name(std::string_view name);

// The session `session_id` with its positions, orders, trades, minutes, balance snapshots and alerts
// (funding schedules belong to no session and are left out). Every row is parsed into its typed row and
// rendered again with row_cells(), so the text does not depend on the backend's own spelling of values.
//
// JSON: {"session_id":N,"tables":{"sessions":[{...}],"positions":[...],...}} with one row object per
// line; integer and double columns are numbers, decimals, timestamps and text are strings, NULL is null.
// CSV: per table a "# table NAME" line, the header and the rows (RFC 4180 quoting; NULL is an empty
// field, an empty string the quoted field ""), blocks separated by a blank line.
// Errors: kInvalidArgument when there is no such session or a stored row does not parse; the
// database's own errors (kUnavailable, ...) as select_rows returns them.
Result<std::string> export_session(Database& db, std::int64_t session_id, ExportFormat format);

}  // namespace kimp::storage
