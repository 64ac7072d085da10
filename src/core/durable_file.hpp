// Durable files: checksummed lines, appends and whole-file replacements that are on disk when they return.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace kimp {

// "%08x <text>": the CRC-32 of `text` in hex, a space, then `text` (no newline). `text` must hold no
// newline, since lines are read back split at newlines.
std::string checked_line(std::string_view text);
// The text of a line made by checked_line().
// Errors: kInvalidArgument when the line is torn (too short, no checksum) or fails its checksum.
Result<std::string_view> checked_text(std::string_view line);

// Appends `bytes` to `file` (creating it and its parent directories when missing) and fsyncs it, and its
// directory when the file was created, before returning.
// Errors: kUnavailable naming the file, the step that failed and why; bytes written before the failure
// may be left at the end of the file.
Status append_durably(const std::filesystem::path& file, std::string_view bytes);
// Makes `bytes` the whole content of `file`: writes "<file>.tmp", fsyncs it, renames it over `file` and
// fsyncs the directory, so a crash leaves either the old content or the new (and perhaps the temp file).
// Errors: kUnavailable naming the file, the step that failed and why; `file` is then unchanged.
Status replace_durably(const std::filesystem::path& file, std::string_view bytes);
// Removes `file` (an absent file is fine) and fsyncs its directory.
// Errors: kUnavailable when it cannot be removed or the directory cannot be synced.
Status remove_durably(const std::filesystem::path& file);
// Fsyncs `directory` (the current one when empty), which makes creations, renames and removals in it durable.
// Errors: kUnavailable when it cannot be opened or synced.
Status sync_directory(const std::filesystem::path& directory);

// The whole content of `file`, or nullopt when it is absent.
// Errors: kUnavailable when it exists but is not a regular file or cannot be read.
Result<std::optional<std::string>> read_whole_file(const std::filesystem::path& file);

// What a file of checked lines holds.
struct CheckedLines {
  std::vector<std::string> texts{};  // the text of every good line, in file order
  std::size_t bad_lines = 0;         // lines failing their check, the last one included when torn
  bool bad_tail = false;  // the last line is bad or lacks its newline: a crash mid-append left it torn
};

// Every line of `file` checked: a last line without its newline counts as bad (its append never
// returned). bad_lines minus the torn tail is the number of corrupt lines in the middle. An absent
// file holds no lines.
// Errors: kUnavailable when the file exists but is not a regular file or cannot be read.
Result<CheckedLines> read_checked_lines(const std::filesystem::path& file);

}  // namespace kimp
