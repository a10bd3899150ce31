// The pure parts of the registry commands (pull, push, login, logout,
// search), in Docker 28's words: login's flag checks and server names,
// search's filters and table, and the lines pull and push print around
// imaged's progress. registry_commands.cc and pull_push_commands.cc call
// imaged and print these.
#ifndef BERTH_CTL_IMAGE_REGISTRY_FORMAT_H_
#define BERTH_CTL_IMAGE_REGISTRY_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/image/v1/image.pb.h"
#include "ctl/cli/args.h"
#include "services/imaged/reference/reference.h"

namespace berth::ctl {

// ---- login / logout -------------------------------------------------------

// What `login` was given; *_given tell a flag typed empty from one absent.
struct LoginFlags {
  std::string username;
  std::string password;
  bool username_given = false;
  bool password_given = false;
  bool password_stdin = false;
};

// Docker's verifyLoginFlags, whose errors its CLI prints bare (exit 1):
// "conflicting options: cannot specify both --password and
// --password-stdin", "the --password-stdin option requires --username to
// be set", "username is empty", "password is empty".
absl::Status CheckLoginFlags(const LoginFlags& flags);

// Docker's --password-stdin: the input without one trailing "\n", then
// without one trailing "\r".
std::string PasswordFromStdin(absl::string_view input);

// The registry a `login`/`logout` SERVER argument names, as a reference's
// domain: Docker Hub ("docker.io") for "", "docker.io" and Docker Hub's
// addresses; otherwise the host[:port] of the address, without scheme or
// path ("https://r.example:5000/v2/" -> "r.example:5000").
std::string LoginRegistry(absl::string_view server);

// What logout names in "Removing login credentials for HOST": Docker Hub's
// key "https://index.docker.io/v1/" when no SERVER was given, else the
// address's host[:port].
std::string LogoutHost(absl::string_view server);

// ---- search ---------------------------------------------------------------

// `search --filter`: the terms Docker's daemon accepts.
struct SearchFilter {
  std::optional<bool> official;     // is-official=
  int64_t min_stars = 0;            // stars=N (the largest N given)
  bool automated = false;           // is-automated=true: no result can match
  bool mentions_automated = false;  // deprecated; Docker warns about it
};

// Docker's daemon's checks, in its order and words: "invalid filter
// 'foo'" for an unknown name, "invalid filter 'is-official=maybe'" for a
// value that is not true/false/1/0 (or both), "invalid filter 'stars=x':
// strconv.Atoi: parsing \"x\": invalid syntax".
absl::StatusOr<SearchFilter> ParseSearchFilter(
    const std::vector<FilterTerm>& terms);

// The results `filter` keeps, in order.
std::vector<image::v1::SearchResult> ApplySearchFilter(
    const google::protobuf::RepeatedPtrField<image::v1::SearchResult>& results,
    const SearchFilter& filter);

// Docker's --limit range, checked by its daemon: "limit N is outside the
// range of [1, 100]"; 0 is the default (25).
absl::Status CheckSearchLimit(int64_t limit);

// `search`'s output: Docker 28's table (NAME, DESCRIPTION, STARS,
// OFFICIAL; no AUTOMATED column since 28.2), or `format` ("table ...",
// "json", a template over .Name .Description .StarCount .IsOfficial).
// Descriptions have newlines made spaces and, unless `no_trunc`, are cut to
// 45 characters with "…". IsOfficial is "[OK]" or "" in a template and
// "true"/"false" in json, StarCount a string in json, as Docker's.
// INVALID_ARGUMENT "template parsing error: ..." for a bad template.
absl::StatusOr<std::string> RenderSearchResults(
    const std::vector<image::v1::SearchResult>& results,
    const std::string& format, bool no_trunc);

// ---- pull / push ----------------------------------------------------------

// Whether `text` names a repository with neither tag nor digest
// (Docker's reference.IsNameOnly): "busybox", "localhost:5000/app".
bool IsNameOnly(absl::string_view text);

// "latest: Pulling from library/busybox": the tag (the digest when the
// reference has one) and the repository's path in its registry, as
// Docker's daemon begins a tag's pull.
std::string PullingFromLine(const imaged::Reference& reference);

// "Status: Downloaded newer image for busybox:latest" or "Status: Image is
// up to date for busybox:latest"; `requested` as the user's reference reads
// (Familiar(), or FamiliarName() for --all-tags).
std::string PullStatusLine(absl::string_view requested, bool downloaded);

// "The push refers to repository [docker.io/library/busybox]".
std::string PushRefersToLine(const imaged::Reference& reference);

// "latest: digest: sha256:... size: 527" for one pushed tag.
std::string PushedLine(const image::v1::PushResult& result);

}  // namespace berth::ctl

#endif  // BERTH_CTL_IMAGE_REGISTRY_FORMAT_H_
