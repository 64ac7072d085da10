// Line formats (human, JSON), secret redaction and component loggers on top of spdlog.
#include "core/logging.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <vector>

#include <fmt/chrono.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace kimp::log {
namespace {

// A log line's payload carries the message and its fields in one string; these separators cannot
// appear in ordinary text and let the formatter render fields for either format.
constexpr char kFieldSeparator = '\x1f';
constexpr char kValueSeparator = '\x1e';
constexpr char kLiteralValueSeparator = '\x1d';
constexpr std::string_view kMask = "***";
constexpr std::size_t kMinRedactedLength = 4;

struct DecodedField {
  std::string key;
  std::string value;
  bool is_literal;
};

struct Payload {
  std::string message;
  std::vector<DecodedField> fields;
};

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
    if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) {
      secrets_.emplace_back(secret);
      // Longest first, so a secret that contains another is masked whole.
      std::sort(secrets_.begin(), secrets_.end(),
                [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    }
  }

  std::string redact(std::string text) const {
    const std::lock_guard lock(mutex_);
    for (const auto& secret : secrets_) {
      for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + kMask.size())) {
        text.replace(at, secret.size(), kMask);
      }
    }
    return text;
  }

  std::shared_ptr<spdlog::logger> logger(const std::string& component) {
    const std::lock_guard lock(mutex_);
    if (auto existing = spdlog::get(component)) {
      return existing;
    }
    auto created = std::make_shared<spdlog::logger>(component, sink_);
    created->set_level(level_);
    created->set_formatter(make_formatter());
    spdlog::register_logger(created);
    return created;
  }

  void configure(Format format, spdlog::level::level_enum level, spdlog::sink_ptr sink) {
    const std::lock_guard lock(mutex_);
    format_ = format;
    level_ = level;
    sink_ = std::move(sink);
    spdlog::apply_all([this](const std::shared_ptr<spdlog::logger>& logger) {
      logger->sinks().assign(1, sink_);
      logger->set_level(level_);
      logger->set_formatter(make_formatter());
    });
  }

 private:
  Registry() : sink_(std::make_shared<spdlog::sinks::stderr_sink_mt>()) {}

  std::unique_ptr<spdlog::formatter> make_formatter() const;

  mutable std::mutex mutex_;
  std::vector<std::string> secrets_;
  Format format_ = Format::kHuman;
  spdlog::level::level_enum level_ = spdlog::level::info;
  spdlog::sink_ptr sink_;
};

Payload decode(std::string_view raw) {
  Payload payload;
  const auto first = raw.find(kFieldSeparator);
  payload.message = Registry::instance().redact(std::string(raw.substr(0, first)));
  auto rest = first == std::string_view::npos ? std::string_view{} : raw.substr(first + 1);
  while (!rest.empty()) {
    const auto end = rest.find(kFieldSeparator);
    const auto field = rest.substr(0, end);
    const auto split = field.find_first_of(std::string_view{"\x1e\x1d", 2});
    payload.fields.push_back({std::string(field.substr(0, split)),
                              Registry::instance().redact(std::string(field.substr(split + 1))),
                              field[split] == kLiteralValueSeparator});
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  }
  return payload;
}

std::string iso_time(spdlog::log_clock::time_point time) {
  const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(time);
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
    case spdlog::level::off: return "off";
    case spdlog::level::n_levels: break;
  }
  return "unknown";
}

void append_json_string(spdlog::memory_buf_t& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': out.append(std::string_view("\\\"")); break;
      case '\\': out.append(std::string_view("\\\\")); break;
      case '\n': out.append(std::string_view("\\n")); break;
      case '\r': out.append(std::string_view("\\r")); break;
      case '\t': out.append(std::string_view("\\t")); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

bool needs_quotes(std::string_view value) {
  return value.empty() || value.find_first_of(" \"=\t\n") != std::string_view::npos;
}

class HumanFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto payload = decode(std::string_view(msg.payload.data(), msg.payload.size()));
    fmt::format_to(std::back_inserter(dest), "{} {:<5} {}: {}", iso_time(msg.time), level_name(msg.level),
                   std::string_view(msg.logger_name.data(), msg.logger_name.size()), payload.message);
    for (const auto& [key, value, is_literal] : payload.fields) {
      if (needs_quotes(value)) {
        fmt::format_to(std::back_inserter(dest), " {}=\"{}\"", key, value);
      } else {
        fmt::format_to(std::back_inserter(dest), " {}={}", key, value);
      }
    }
    dest.push_back('\n');
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<HumanFormatter>();
  }
};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto payload = decode(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(std::string_view("{\"ts\":"));
    append_json_string(dest, iso_time(msg.time));
    dest.append(std::string_view(",\"level\":"));
    append_json_string(dest, level_name(msg.level));
    dest.append(std::string_view(",\"component\":"));
    append_json_string(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    dest.append(std::string_view(",\"msg\":"));
    append_json_string(dest, payload.message);
    for (const auto& [key, value, is_literal] : payload.fields) {
      dest.push_back(',');
      append_json_string(dest, key);
      dest.push_back(':');
      if (is_literal) {
        dest.append(value);
      } else {
        append_json_string(dest, value);
      }
    }
    dest.append(std::string_view("}\n"));
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

std::unique_ptr<spdlog::formatter> Registry::make_formatter() const {
  if (format_ == Format::kJson) {
    return std::make_unique<JsonFormatter>();
  }
  return std::make_unique<HumanFormatter>();
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
  std::string payload(message);
  for (const auto& field : fields) {
    payload += kFieldSeparator;
    payload += field.key;
    payload += field.is_literal ? kLiteralValueSeparator : kValueSeparator;
    payload += field.value;
  }
  logger_->log(level, std::string_view(payload));
}

}  // namespace kimp::log
