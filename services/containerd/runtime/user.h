// Docker's user resolution (-u, --group-add) against a container's
// /etc/passwd and /etc/group, with runc's rules.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_USER_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_USER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth {
namespace containerd {
namespace runtime {

struct ExecUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, for setgroups()
  std::string home = "/";
};

// Resolves `spec` ("", "uid", "name", "uid:gid", "name:group"...) using the
// contents of passwd and group files (either may be empty):
// - "" is uid 0, taking root's passwd entry (gid, home) if there is one;
// - a numeric user is a uid, with its passwd entry's gid/home if any;
// - a name must have a passwd entry (InvalidArgument otherwise);
// - an explicit group (name or gid) sets the gid and no /etc/group
//   memberships are added; without one, every group listing the user's name
//   becomes a supplementary group;
// - `group_add` entries (names or gids) are appended, duplicates dropped.
absl::StatusOr<ExecUser> ResolveUser(absl::string_view spec,
                                     absl::string_view passwd,
                                     absl::string_view group,
                                     const std::vector<std::string>& group_add);

// ResolveUser with the files read from `passwd_path` and `group_path`; a
// missing file counts as empty.
absl::StatusOr<ExecUser> ResolveUserFromFiles(
    absl::string_view spec, const std::string& passwd_path,
    const std::string& group_path, const std::vector<std::string>& group_add);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_USER_H_
