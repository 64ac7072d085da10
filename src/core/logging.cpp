// Line formats (human, JSON), secret redaction and component loggers on top of spdlog.
#include "core/logging.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <mutex>
#include <vector>

#include <fmt/chrono.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace kimp::log {
namespace {

constexpr std::string_view kMask = "***";
constexpr std::size_t kMinRedactedLength = 4;

using SecretList = std::vector<std::string>;

// Logger::write renders the whole line itself (so that redaction and escaping see each piece before
// it is joined); spdlog only filters by level and writes the line to the sink.
class LineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    dest.push_back('\n');
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>();
  }
};

// Process-wide logging state. Lock order: never call into spdlog while holding mutex_ except to
// create or reconfigure loggers, which never log.
class Registry {
 public:
  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  void add_secret(std::string_view secret) {
    if (secret.size() < kMinRedactedLength) {
      return;
    }
    const std::lock_guard lock(mutex_);
    if (std::find(secrets_->begin(), secrets_->end(), secret) != secrets_->end()) {
      return;
    }
    auto updated = std::make_shared<SecretList>(*secrets_);
    updated->emplace_back(secret);
    // Longest first, so a secret that contains another is masked whole.
    std::sort(updated->begin(), updated->end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    secrets_ = std::move(updated);
  }

  [[nodiscard]] std::shared_ptr<const SecretList> secrets() const {
    const std::lock_guard lock(mutex_);
    return secrets_;
  }

  [[nodiscard]] Format format() const {
    const std::lock_guard lock(mutex_);
    return format_;
  }

  std::shared_ptr<spdlog::logger> logger(const std::string& component) {
    const std::lock_guard lock(mutex_);
    if (auto existing = spdlog::get(component)) {
      return existing;
    }
    auto created = std::make_shared<spdlog::logger>(component, sink_);
    created->set_level(level_);
    created->set_formatter(std::make_unique<LineFormatter>());
    spdlog::register_logger(created);
    return created;
  }

  void configure(Format format, spdlog::level::level_enum level, spdlog::sink_ptr sink) {
    const std::lock_guard lock(mutex_);
    format_ = format;
    level_ = level;
    sink_ = std::move(sink);
    sink_->set_formatter(std::make_unique<LineFormatter>());
    spdlog::apply_all([this](const std::shared_ptr<spdlog::logger>& logger) {
      logger->sinks().assign(1, sink_);
      logger->set_level(level_);
    });
  }

 private:
  Registry()
      : secrets_(std::make_shared<SecretList>()), sink_(std::make_shared<spdlog::sinks::stderr_sink_mt>()) {}

  mutable std::mutex mutex_;
  std::shared_ptr<const SecretList> secrets_;
  Format format_ = Format::kHuman;
  spdlog::level::level_enum level_ = spdlog::level::info;
  spdlog::sink_ptr sink_;
};

std::string redact(std::string text, const SecretList& secrets) {
  for (const auto& secret : secrets) {
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + kMask.size())) {
      text.replace(at, secret.size(), kMask);
    }
  }
  return text;
}

std::string iso_time_now() {
  const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", std::chrono::floor<std::chrono::seconds>(ms),
                     ms.time_since_epoch().count() % 1000);
}

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    case spdlog::level::off:
    case spdlog::level::n_levels: break;
  }
  return "unknown";
}

bool is_control(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == '\x7f';
}

// Writes `text` with quotes, backslashes and control characters escaped, so that no value can
// end a line early or pose as another field. JSON and human lines share these escapes.
void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (is_control(c)) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
}

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  append_escaped(out, text);
  out += '"';
}

// A bare human-format value must not be mistaken for the end of the field or the start of another.
bool needs_quotes(std::string_view value) {
  return value.empty() || std::any_of(value.begin(), value.end(), [](char c) {
           return c == ' ' || c == '"' || c == '=' || c == '\\' || is_control(c);
         });
}

std::string human_line(std::string_view level, std::string_view component, const std::string& message,
                       Fields fields, const SecretList& secrets) {
  std::string line = fmt::format("{} {:<5} {}: ", iso_time_now(), level, component);
  append_escaped(line, redact(message, secrets));
  for (const auto& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    const auto value = redact(field.value, secrets);
    if (needs_quotes(value)) {
      append_quoted(line, value);
    } else {
      line += value;
    }
  }
  return line;
}

std::string json_line(std::string_view level, std::string_view component, const std::string& message,
                      Fields fields, const SecretList& secrets) {
  std::string line = "{\"ts\":";
  append_quoted(line, iso_time_now());
  line += ",\"level\":";
  append_quoted(line, level);
  line += ",\"component\":";
  append_quoted(line, component);
  line += ",\"msg\":";
  append_quoted(line, redact(message, secrets));
  for (const auto& field : fields) {
    line += ',';
    append_quoted(line, field.key);
    line += ':';
    if (field.is_literal) {
      line += field.value;
    } else {
      append_quoted(line, redact(field.value, secrets));
    }
  }
  line += '}';
  return line;
}

}  // namespace

void init(Format format, spdlog::level::level_enum level, spdlog::sink_ptr sink) {
  if (!sink) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  Registry::instance().configure(format, level, std::move(sink));
}

void add_redaction(std::string_view secret) {
  Registry::instance().add_secret(secret);
}

Logger::Logger(const std::string& component) : logger_(Registry::instance().logger(component)) {}

void Logger::debug(std::string_view message, Fields fields) const {
  write(spdlog::level::debug, message, fields);
}
void Logger::info(std::string_view message, Fields fields) const {
  write(spdlog::level::info, message, fields);
}
void Logger::warn(std::string_view message, Fields fields) const {
  write(spdlog::level::warn, message, fields);
}
void Logger::error(std::string_view message, Fields fields) const {
  write(spdlog::level::err, message, fields);
}

void Logger::write(spdlog::level::level_enum level, std::string_view message, Fields fields) const {
  if (!logger_->should_log(level)) {
    return;
  }
  const auto& registry = Registry::instance();
  const auto secrets = registry.secrets();
  const std::string_view component(logger_->name());
  const std::string text(message);
  const auto line = registry.format() == Format::kJson
                        ? json_line(level_name(level), component, text, fields, *secrets)
                        : human_line(level_name(level), component, text, fields, *secrets);
  logger_->log(level, std::string_view(line));
}

}  // namespace kimp::log
