// Rendering of configuration problems.
#include "config/problem.hpp"

#include <fmt/format.h>

namespace kimp::config {

std::string ConfigProblem::to_string() const {
  std::string text = file;
  if (line > 0) {
    text += fmt::format(":{}:{}", line, column);
  }
  text += ": ";
  if (!key_path.empty()) {
    text += key_path + ": ";
  }
  text += message;
  return text;
}

std::string render_problems(std::span<const ConfigProblem> problems) {
  std::string text;
  for (const ConfigProblem& problem : problems) {
    text += problem.to_string();
    text += '\n';
  }
  return text;
}

}  // namespace kimp::config
