// Durable files: CRC-32 checked lines, and POSIX writes each followed by the fsyncs that make them durable.
#include "core/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <system_error>

#include <fmt/format.h>
#include <boost/crc.hpp>

namespace kimp {
namespace {

constexpr std::size_t kChecksumDigits = 8;

std::uint32_t crc32_of(std::string_view text) {
  boost::crc_32_type crc;
  crc.process_bytes(text.data(), text.size());
  return crc.checksum();
}

tl::unexpected<Error> io_error(const std::filesystem::path& path, std::string_view step,
                               std::string_view why) {
  return make_error(ErrorCode::kUnavailable, fmt::format("{}: {}: {}", path.string(), step, why));
}

tl::unexpected<Error> io_error(const std::filesystem::path& path, std::string_view step, int error_number) {
  return io_error(path, step, std::strerror(error_number));
}

Status create_parent_directories(const std::filesystem::path& file) {
  const std::filesystem::path directory = file.parent_path();
  if (directory.empty()) {
    return ok();
  }
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return io_error(directory, "create directory", ec.message());
  }
  return ok();
}

// Writes all of `bytes` to `fd`, fsyncs and closes it, whatever happens.
Status write_sync_close(int fd, const std::filesystem::path& file, std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      // A write of zero bytes makes no progress; the usual cause is a full disk.
      const int write_errno = n < 0 ? errno : ENOSPC;
      ::close(fd);
      return io_error(file, "write", write_errno);
    }
    written += static_cast<std::size_t>(n);
  }
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (synced != 0) {
    return io_error(file, "fsync", sync_errno);
  }
  return ok();
}

}  // namespace

std::string checked_line(std::string_view text) {
  return fmt::format("{:08x} {}", crc32_of(text), text);
}

Result<std::string_view> checked_text(std::string_view line) {
  if (line.size() <= kChecksumDigits || line[kChecksumDigits] != ' ') {
    return make_error(ErrorCode::kInvalidArgument, "checked line is torn");
  }
  std::uint32_t expected = 0;
  const auto [end, error] = std::from_chars(line.data(), line.data() + kChecksumDigits, expected, 16);
  const std::string_view text = line.substr(kChecksumDigits + 1);
  if (error != std::errc{} || end != line.data() + kChecksumDigits || crc32_of(text) != expected) {
    return make_error(ErrorCode::kInvalidArgument, "checked line fails its checksum");
  }
  return text;
}

Status append_durably(const std::filesystem::path& file, std::string_view bytes) {
  KIMP_TRY(create_parent_directories(file));
  std::error_code ec;
  const bool created = !std::filesystem::exists(file, ec);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return io_error(file, "open for appending", errno);
  }
  KIMP_TRY(write_sync_close(fd, file, bytes));
  return created ? sync_directory(file.parent_path()) : ok();
}

Status replace_durably(const std::filesystem::path& file, std::string_view bytes) {
  KIMP_TRY(create_parent_directories(file));
  std::filesystem::path temp = file;
  temp += ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return io_error(temp, "open for writing", errno);
  }
  std::error_code ec;
  if (Status written = write_sync_close(fd, temp, bytes); !written) {
    std::filesystem::remove(temp, ec);
    return written;
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const int rename_errno = errno;
    std::filesystem::remove(temp, ec);
    return io_error(file, "rename the temp file over", rename_errno);
  }
  return sync_directory(file.parent_path());
}

Status remove_durably(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::remove(file, ec)) {
    if (ec) {
      return io_error(file, "remove", ec.message());
    }
    return ok();
  }
  return sync_directory(file.parent_path());
}

Status sync_directory(const std::filesystem::path& directory) {
  const std::filesystem::path opened = directory.empty() ? std::filesystem::path(".") : directory;
  const int fd = ::open(opened.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return io_error(opened, "open directory", errno);
  }
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (synced != 0) {
    return io_error(opened, "fsync directory", sync_errno);
  }
  return ok();
}

Result<std::optional<std::string>> read_whole_file(const std::filesystem::path& file) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(file, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return std::nullopt;
  }
  if (ec) {
    return io_error(file, "stat", ec.message());
  }
  if (status.type() != std::filesystem::file_type::regular) {
    return io_error(file, "read", "not a regular file");
  }
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return io_error(file, "open for reading", errno);
  }
  std::string content;
  constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;
  std::size_t filled = 0;
  for (;;) {
    content.resize(filled + kChunkBytes);
    const ssize_t n = ::read(fd, content.data() + filled, kChunkBytes);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const int read_errno = errno;
      ::close(fd);
      return io_error(file, "read", read_errno);
    }
    if (n == 0) {
      break;
    }
    filled += static_cast<std::size_t>(n);
  }
  ::close(fd);
  content.resize(filled);
  return content;
}

Result<CheckedLines> read_checked_lines(const std::filesystem::path& file) {
  KIMP_TRY_ASSIGN(const std::optional<std::string> content, read_whole_file(file));
  CheckedLines lines;
  if (!content) {
    return lines;
  }
  std::string_view rest = *content;
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    const bool complete = newline != std::string_view::npos;
    const std::string_view line = rest.substr(0, newline);
    rest = complete ? rest.substr(newline + 1) : std::string_view{};
    const Result<std::string_view> text = checked_text(line);
    if (complete && text) {
      lines.texts.emplace_back(*text);
      continue;
    }
    ++lines.bad_lines;
    lines.bad_tail = rest.empty();
  }
  return lines;
}

}  // namespace kimp
