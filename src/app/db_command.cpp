// `kimp db migrate|stats|export`: schema migrations, row counts and session exports of a storage url.
#include "app/db_command.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "app/exit_codes.hpp"
#include "config/config.hpp"
#include "config/secrets.hpp"
#include "core/logging.hpp"
#include "storage/database.hpp"
#include "storage/schema.hpp"
#include "storage/session_export.hpp"

namespace kimp::app {
namespace {

struct DbOptions {
  std::string url;
  std::int64_t session = 0;
  std::string format = "json";
  std::string out;
};

// The url as printed in messages: a password given inline (postgresql://user:secret@host) is masked.
std::string shown_url(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    return std::string(url);
  }
  const std::size_t authority = scheme + 3;
  const std::size_t at = url.find('@', authority);
  const std::size_t slash = url.find('/', authority);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  const std::size_t colon = url.find(':', authority);
  if (colon == std::string_view::npos || colon > at) {
    return std::string(url);
  }
  return fmt::format("{}***{}", url.substr(0, colon + 1), url.substr(at));
}

// An error about the database at `url`, prefixed with the url unless it already names the url or the file.
// A password inside the url is masked wherever the message repeats it.
std::string about(std::string_view url, const Error& error) {
  std::string message = error.message;
  const std::string shown = shown_url(url);
  if (shown != url) {
    for (std::size_t at = message.find(url); at != std::string::npos;
         at = message.find(url, at + shown.size())) {
      message.replace(at, url.size(), shown);
    }
  }
  const auto parsed = storage::parse_database_url(url);
  const bool named =
      message.find(shown) != std::string::npos || (parsed && parsed->backend == storage::Backend::kSqlite &&
                                                   message.find(parsed->location) != std::string::npos);
  return named ? message : fmt::format("{}: {}", shown, message);
}

// A failed command: one line on stderr, and the exit code.
int fail(std::string_view command, std::string_view message, int exit_code) {
  log::Logger("db").debug("command failed", {{"command", command}, {"error", message}});
  std::cerr << "kimp db " << command << ": " << message << '\n';
  return exit_code;
}

// Opens the database at options.url, reading the PostgreSQL password the way every secret is read.
// Only `create` (migrate) creates a missing SQLite file. On failure writes the error and sets `exit_code`:
// kExitUsage for a malformed url, kExitInvalidConfig for unreadable secrets, kExitFailure when the database
// cannot be opened or reached.
std::unique_ptr<storage::Database> open(std::string_view command, const DbOptions& options, bool create,
                                        int& exit_code) {
  const auto parsed = storage::parse_database_url(options.url);
  if (!parsed) {
    exit_code = fail(command, parsed.error().message, kExitUsage);
    return nullptr;
  }
  // Only migrate creates a SQLite file: a mistyped path to stats or export must not leave one behind.
  if (!create && parsed->backend == storage::Backend::kSqlite && !std::filesystem::exists(parsed->location)) {
    exit_code = fail(command, fmt::format("{}: no such database file", options.url), kExitFailure);
    return nullptr;
  }
  storage::DatabaseOptions database_options;
  if (parsed->backend == storage::Backend::kPostgres) {
    const auto secrets = config::load_secrets(config::Config{}, config::process_environment());
    if (!secrets) {
      exit_code = fail(command, "secrets: " + secrets.error().message, kExitInvalidConfig);
      return nullptr;
    }
    database_options.postgres_password = (*secrets)[config::SecretName::kPostgresPassword].value.reveal();
  }
  auto database = storage::open_database(options.url, database_options);
  if (!database) {
    exit_code = fail(command, about(options.url, database.error()), kExitFailure);
    return nullptr;
  }
  return std::move(*database);
}

int run_migrate(const DbOptions& options) {
  int exit_code = kExitOk;
  const auto database = open("migrate", options, true, exit_code);
  if (!database) {
    return exit_code;
  }
  const auto applied = database->migrate();
  if (!applied) {
    return fail("migrate", about(options.url, applied.error()), kExitFailure);
  }
  const auto version = database->schema_version();
  if (!version) {
    return fail("migrate", about(options.url, version.error()), kExitFailure);
  }
  if (applied->empty()) {
    std::cout << "schema is current at version " << *version << '\n';
    return kExitOk;
  }
  const std::vector<storage::Migration> known = storage::migrations(database->backend());
  for (const int applied_version : *applied) {
    const auto migration = std::find_if(known.begin(), known.end(), [&](const storage::Migration& m) {
      return m.version == applied_version;
    });
    std::cout << "applied migration " << applied_version;
    if (migration != known.end()) {
      std::cout << ": " << migration->description;
    }
    std::cout << '\n';
  }
  std::cout << "schema is at version " << *version << '\n';
  return kExitOk;
}

// The schema version, refusing a database nothing was migrated into (its tables do not exist yet).
bool require_schema(std::string_view command, const DbOptions& options, storage::Database& database,
                    int& exit_code) {
  const auto version = database.schema_version();
  if (!version) {
    exit_code = fail(command, about(options.url, version.error()), kExitFailure);
    return false;
  }
  if (*version == 0) {
    exit_code = fail(command,
                     fmt::format("{}: no kimp schema (version 0); run `kimp db migrate --url {}` first",
                                 shown_url(options.url), shown_url(options.url)),
                     kExitFailure);
    return false;
  }
  return true;
}

int run_stats(const DbOptions& options) {
  int exit_code = kExitOk;
  const auto database = open("stats", options, false, exit_code);
  if (!database || !require_schema("stats", options, *database, exit_code)) {
    return exit_code;
  }
  const auto version = database->schema_version();
  const auto counts = database->count_rows();
  if (!version || !counts) {
    const Error& error = !version ? version.error() : counts.error();
    return fail("stats", about(options.url, error), kExitFailure);
  }
  std::size_t name_width = 0;
  std::size_t count_width = 0;
  for (const storage::TableCount& count : *counts) {
    name_width = std::max(name_width, storage::table_name(count.table).size());
    count_width = std::max(count_width, std::to_string(count.rows).size());
  }
  std::cout << "schema version " << *version << '\n';
  for (const storage::TableCount& count : *counts) {
    std::cout << fmt::format("{:<{}}  {:>{}}\n", storage::table_name(count.table), name_width, count.rows,
                             count_width);
  }
  return kExitOk;
}

int run_export(const DbOptions& options) {
  int exit_code = kExitOk;
  const auto database = open("export", options, false, exit_code);
  if (!database || !require_schema("export", options, *database, exit_code)) {
    return exit_code;
  }
  const auto session = database->select_rows(storage::Table::kSessions, options.session);
  if (!session) {
    return fail("export", about(options.url, session.error()), kExitFailure);
  }
  if (session->rows.empty()) {
    return fail("export", fmt::format("no session {} in {}", options.session, shown_url(options.url)),
                kExitFailure);
  }
  const auto format = storage::export_format_from_name(options.format);
  if (!format) {
    return fail("export", fmt::format("unknown format \"{}\": expected csv or json", options.format),
                kExitUsage);
  }
  const auto text = storage::export_session(*database, options.session, *format);
  if (!text) {
    return fail("export", about(options.url, text.error()), kExitFailure);
  }
  if (options.out.empty()) {
    std::cout << *text;
    std::cout.flush();
    return std::cout ? kExitOk : fail("export", "cannot write to stdout", kExitFailure);
  }
  std::ofstream file(options.out, std::ios::binary | std::ios::trunc);
  file << *text;
  file.close();
  if (!file) {
    return fail("export", fmt::format("cannot write {}", options.out), kExitFailure);
  }
  log::Logger("db").info("session exported", {{"session", options.session}, {"file", options.out}});
  return kExitOk;
}

CLI::App* add_url_option(CLI::App& command, DbOptions& options) {
  command
      .add_option("--url", options.url, "Storage url: sqlite:PATH or postgresql://USER@HOST[:PORT]/DATABASE")
      ->required();
  return &command;
}

}  // namespace

void add_db_command(CLI::App& app, int& exit_code) {
  auto* db = app.add_subcommand("db", "Storage database tools");
  db->require_subcommand(1);
  auto options = std::make_shared<DbOptions>();

  auto* migrate =
      add_url_option(*db->add_subcommand("migrate", "Apply the schema migrations not yet applied"), *options);
  migrate->callback([options, &exit_code] { exit_code = run_migrate(*options); });

  auto* stats = add_url_option(
      *db->add_subcommand("stats", "Print the schema version and the rows of every table"), *options);
  stats->callback([options, &exit_code] { exit_code = run_stats(*options); });

  auto* exported =
      add_url_option(*db->add_subcommand("export", "Export one session's rows as CSV or JSON"), *options);
  exported->add_option("--session", options->session, "The session's id (sessions.id)")->required();
  exported->add_option("--format", options->format, "csv or json")
      ->required()
      ->check(CLI::IsMember({"csv", "json"}));
  exported->add_option("--out", options->out, "Write to FILE instead of stdout");
  exported->callback([options, &exit_code] { exit_code = run_export(*options); });
}

}  // namespace kimp::app
