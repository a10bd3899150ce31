#include "common/tree_archive/tree_paths.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace berth::tree_archive {

std::string CleanPath(absl::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::vector<absl::string_view> out;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!out.empty() && out.back() != "..") {
        out.pop_back();
      } else if (!rooted) {
        out.push_back(part);  // a relative path may climb
      }
      continue;
    }
    out.push_back(part);
  }
  std::string joined = absl::StrJoin(out, "/");
  if (rooted) return "/" + joined;
  return joined.empty() ? "." : joined;
}

std::string BasePath(absl::string_view path) {
  if (path.empty()) return ".";
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "/";
  const size_t slash = path.rfind('/');
  return std::string(slash == absl::string_view::npos ? path
                                                      : path.substr(slash + 1));
}

std::string DirPath(absl::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  return CleanPath(path.substr(0, slash + 1));
}

namespace {
bool SpecifiesCurrentDir(absl::string_view path) { return BasePath(path) == "."; }
bool HasTrailingSeparator(absl::string_view path) {
  return !path.empty() && path.back() == '/';
}
}  // namespace

bool AssertsDirectory(absl::string_view path) {
  return HasTrailingSeparator(path) || SpecifiesCurrentDir(path);
}

std::string PreserveTrailingDotOrSeparator(std::string cleaned,
                                           absl::string_view original) {
  if (!SpecifiesCurrentDir(cleaned) && SpecifiesCurrentDir(original)) {
    if (!HasTrailingSeparator(cleaned)) cleaned += '/';
    cleaned += '.';
  }
  if (!HasTrailingSeparator(cleaned) && HasTrailingSeparator(original)) {
    cleaned += '/';
  }
  return cleaned;
}

std::pair<std::string, std::string> SplitPathDirEntry(absl::string_view path) {
  std::string cleaned = CleanPath(path);
  if (SpecifiesCurrentDir(path)) cleaned += "/.";
  return {DirPath(cleaned), BasePath(cleaned)};
}

absl::StatusOr<std::vector<std::string>> EntryComponents(
    absl::string_view name) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return absl::InvalidArgumentError(absl::StrCat(
          "archive entry \"", name, "\" leads out of the destination"));
    }
    parts.emplace_back(part);
  }
  return parts;
}

absl::StatusOr<std::string> FollowSymlinksInScope(absl::string_view path,
                                                  const ReadLink& readlink) {
  constexpr int kMaxLinks = 255;
  // What is left to walk, and where the walk is ("/" = the root).
  std::string rest = CleanPath(absl::StrCat("/", path));
  std::string at = "/";
  int links = 0;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string part = rest.substr(0, slash);
    rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    const std::string next = CleanPath(absl::StrCat(at, "/", part));
    std::optional<std::string> target = readlink(next);
    if (!target.has_value()) {
      at = next;  // not a link, or missing: joined as written
      continue;
    }
    if (++links > kMaxLinks) {
      return absl::InvalidArgumentError(
          absl::StrCat("too many links in ", path));
    }
    if (!target->empty() && (*target)[0] == '/') at = "/";
    rest = rest.empty() ? *target : absl::StrCat(*target, "/", rest);
  }
  return at;
}

}  // namespace berth::tree_archive
