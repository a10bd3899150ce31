#include "services/containerd/top/ps_table.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace berth::containerd {
namespace {

// ps separates columns with ASCII blanks only: a command's non-ASCII
// spaces stay inside its words (Docker's fieldsASCII, moby#24358).
bool IsAsciiBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

std::vector<std::string> Words(absl::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsAsciiBlank(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !IsAsciiBlank(line[i])) ++i;
    if (i > start) words.emplace_back(line.substr(start, i - start));
  }
  return words;
}

void AddRow(container::v1::TopContainerResponse& table,
            const std::vector<std::string>& words) {
  const size_t columns = static_cast<size_t>(table.titles_size());
  container::v1::ProcessRow* row = table.add_processes();
  if (words.size() <= columns) {
    for (const std::string& word : words) row->add_values(word);
    return;
  }
  for (size_t i = 0; i + 1 < columns; ++i) row->add_values(words[i]);
  row->add_values(absl::StrJoin(words.begin() + (columns - 1), words.end(), " "));
}

}  // namespace

absl::Status ValidatePsArgs(absl::string_view ps_args) {
  // Every "KEY=PID..." after a blank, KEY being the word before the '='
  // and any blanks between '=' and "PID" allowed.
  for (size_t eq = ps_args.find('='); eq != absl::string_view::npos;
       eq = ps_args.find('=', eq + 1)) {
    size_t key_start = eq;
    while (key_start > 0 && !IsAsciiBlank(ps_args[key_start - 1])) --key_start;
    if (key_start == 0) continue;  // no blank before the key
    size_t value_start = eq + 1;
    while (value_start < ps_args.size() && IsAsciiBlank(ps_args[value_start])) {
      ++value_start;
    }
    absl::string_view rest = ps_args.substr(value_start);
    if (!absl::StartsWith(rest, "PID")) continue;
    size_t value_end = 0;
    while (value_end < rest.size() && !IsAsciiBlank(rest[value_end])) {
      ++value_end;
    }
    absl::string_view key = ps_args.substr(key_start, eq - key_start);
    if (key == "pid") continue;
    return absl::InvalidArgumentError(absl::StrCat(
        "specifying \"", key, "=", rest.substr(0, value_end),
        "\" is not allowed"));
  }
  return absl::OkStatus();
}

std::vector<std::string> PsArgv(absl::string_view ps_args,
                                const std::vector<pid_t>& pids,
                                bool select_pids) {
  std::vector<std::string> argv = {"ps"};
  for (absl::string_view arg : absl::StrSplit(ps_args, ' ')) {
    argv.emplace_back(arg);
  }
  if (select_pids) argv.push_back(absl::StrCat("-q", absl::StrJoin(pids, ",")));
  return argv;
}

absl::StatusOr<container::v1::TopContainerResponse> ParsePsOutput(
    absl::string_view output, const std::vector<pid_t>& pids) {
  container::v1::TopContainerResponse table;
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  for (std::string& title : Words(lines.front())) table.add_titles(title);
  const auto pid_column =
      std::find(table.titles().begin(), table.titles().end(), "PID");
  if (pid_column == table.titles().end()) {
    return absl::InternalError("Couldn't find PID field in ps output");
  }
  const size_t pid_index =
      static_cast<size_t>(pid_column - table.titles().begin());
  bool last_was_ours = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    std::vector<std::string> words = Words(lines[i]);
    if (words.size() <= pid_index) continue;  // no PID column: not a row
    const std::string& pid_text = words[pid_index];
    if (pid_text == "-") {
      if (last_was_ours) AddRow(table, words);
      continue;
    }
    pid_t pid = 0;
    if (!absl::SimpleAtoi(pid_text, &pid)) {
      return absl::InternalError(
          absl::StrCat("Unexpected pid '", pid_text, "'"));
    }
    last_was_ours = std::find(pids.begin(), pids.end(), pid) != pids.end();
    if (last_was_ours) AddRow(table, words);
  }
  return table;
}

}  // namespace berth::containerd
