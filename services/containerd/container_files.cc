// ContainerSupervisor's file calls: `diff`, `cp` (stat, from, to) and
// `export`. The container's root comes from files/rootfs_access.h (its
// processes' view while it runs, its overlay mounted detached otherwise);
// every path inside it is resolved by tree_archive::OpenInRoot, so no
// symlink in the container leads to the host. A container without a
// process keeps its operation lock for the whole call: a start meanwhile
// would mount a second overlay on the same writable layer.
//
// Events, where Docker's daemon logs them: "archive-path" once a copy
// from the container has found its path and starts its archive (a stat
// alone has none), "extract-to-dir" once a copy into it is unpacked,
// "export" once the whole export is sent.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/tree_archive/tree_paths.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/files/change_order.h"

namespace berth::containerd {

using container::v1::Container;
using container::v1::PathStat;
using tree_archive::Fd;
using tree_archive::OpenInRoot;

struct ContainerSupervisor::OpenedRootfs {
  // Destroyed in reverse: the root (and a detached mount with it) goes
  // before the lock is released.
  std::shared_ptr<absl::Mutex> op;
  std::unique_ptr<absl::MutexLock> hold;
  Container container;
  Fd root;
};

namespace {

bool Running(const Container& container) {
  return HasProcess(container.state().status()) && container.state().pid() > 0;
}

absl::StatusOr<Fd> OpenRootfsOf(const Container& container,
                                files::RootfsView view, bool read_only) {
  if (Running(container)) {
    return files::OpenRunningRootfs(container.state().pid(), view);
  }
  return files::MountStoppedRootfs(container.graph_driver(), read_only);
}

// Docker's words for a path that is not there.
absl::Status FileError(const absl::Status& status, const std::string& path,
                       const std::string& reference) {
  if (!absl::IsNotFound(status)) return status;
  return absl::NotFoundError(absl::StrCat("Could not find the file ", path,
                                          " in container ", reference));
}

// The path as Docker's daemon takes it: inside the root, relative to "/",
// keeping a trailing "/" or "/.".
std::string InRoot(const std::string& path) {
  return tree_archive::PreserveTrailingDotOrSeparator(
      tree_archive::CleanPath(absl::StrCat("/", path)), path);
}

absl::StatusOr<PathStat> StatIn(int root, const std::string& path) {
  // O_NOFOLLOW: lstat; a trailing "/" still makes the kernel follow.
  ASSIGN_OR_RETURN(Fd fd, OpenInRoot(root, path, O_PATH | O_NOFOLLOW));
  struct stat st;
  if (fstatat(fd.get(), "", &st, AT_EMPTY_PATH) != 0) {
    return ErrnoStatus(errno, "lstat", path);
  }
  PathStat out;
  out.set_name(tree_archive::BasePath(path));
  out.set_size(st.st_size);
  out.set_mode(st.st_mode);
  out.mutable_mtime()->set_seconds(st.st_mtim.tv_sec);
  out.mutable_mtime()->set_nanos(static_cast<int32_t>(st.st_mtim.tv_nsec));
  out.set_resolved_path(tree_archive::CleanPath(path));
  if (S_ISLNK(st.st_mode)) {
    auto readlink = [root](const std::string& p) -> std::optional<std::string> {
      absl::StatusOr<Fd> dir =
          OpenInRoot(root, tree_archive::DirPath(p), O_PATH | O_DIRECTORY);
      if (!dir.ok()) return std::nullopt;
      char target[4096];
      const ssize_t n = readlinkat(dir->get(), tree_archive::BasePath(p).c_str(),
                                   target, sizeof target);
      if (n < 0) return std::nullopt;
      return std::string(target, static_cast<size_t>(n));
    };
    ASSIGN_OR_RETURN(std::string target,
                     tree_archive::FollowSymlinksInScope(path, readlink));
    out.set_link_target(target);
    out.set_resolved_path(target);
  }
  return out;
}

}  // namespace

absl::StatusOr<ContainerSupervisor::OpenedRootfs> ContainerSupervisor::OpenRootfs(
    const std::string& reference, files::RootfsView view, bool read_only) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  OpenedRootfs opened;
  opened.op = OpLock(found.id());
  opened.hold = std::make_unique<absl::MutexLock>(opened.op.get());
  ASSIGN_OR_RETURN(opened.container, Load(found.id()));
  ASSIGN_OR_RETURN(opened.root, open_rootfs_ != nullptr
                                    ? open_rootfs_(opened.container, view, read_only)
                                    : OpenRootfsOf(opened.container, view, read_only));
  // A running container's root is pinned by the descriptor: its stop or
  // removal may go on meanwhile.
  if (Running(opened.container)) opened.hold.reset();
  return opened;
}

absl::StatusOr<container::v1::DiffContainerResponse> ContainerSupervisor::Diff(
    const std::string& reference) {
  ASSIGN_OR_RETURN(Container container, records_->Find(reference));
  ASSIGN_OR_RETURN(image::v1::DiffRootfsResponse diff,
                   images_->DiffRootfs(container.id()));
  container::v1::DiffContainerResponse response;
  *response.mutable_changes() = std::move(*diff.mutable_changes());
  files::SortInWalkOrder(response.mutable_changes());
  return response;
}

absl::StatusOr<PathStat> ContainerSupervisor::StatPath(
    const std::string& reference, const std::string& path) {
  ASSIGN_OR_RETURN(OpenedRootfs opened,
                   OpenRootfs(reference, files::RootfsView::kContainer, true));
  absl::StatusOr<PathStat> stat = StatIn(opened.root.get(), InRoot(path));
  if (!stat.ok()) return FileError(stat.status(), path, reference);
  return stat;
}

absl::Status ContainerSupervisor::CopyFrom(
    const std::string& reference, const std::string& path,
    const std::function<bool(const PathStat&)>& stat,
    const tree_archive::TarSink& data) {
  ASSIGN_OR_RETURN(OpenedRootfs opened,
                   OpenRootfs(reference, files::RootfsView::kContainer, true));
  const int root = opened.root.get();
  const std::string in_root = InRoot(path);
  absl::StatusOr<PathStat> found = StatIn(root, in_root);
  if (!found.ok()) return FileError(found.status(), path, reference);
  if (!stat(*found)) return absl::CancelledError("the client went away");
  Emit(opened.container, "archive-path");
  tree_archive::TarTreeOptions options;
  // The entries are named after what was asked for, not what a symlink
  // led to; the root's contents after ".".
  options.top = found->name() == "/" ? "." : found->name();
  if (S_ISDIR(found->mode())) {
    ASSIGN_OR_RETURN(Fd dir, OpenInRoot(root, in_root, O_PATH | O_DIRECTORY));
    return tree_archive::WriteTreeTar(dir.get(), "", options, data);
  }
  ASSIGN_OR_RETURN(Fd parent, OpenInRoot(root, tree_archive::DirPath(in_root),
                                         O_PATH | O_DIRECTORY));
  return tree_archive::WriteTreeTar(parent.get(), tree_archive::BasePath(in_root),
                                    options, data);
}

absl::Status ContainerSupervisor::CopyTo(const container::v1::CopyToOptions& options,
                                         const tree_archive::ChunkSource& data) {
  ASSIGN_OR_RETURN(Container container, records_->Find(options.id()));
  if (container.host_config().read_only_rootfs()) {
    return absl::FailedPreconditionError("container rootfs is marked read-only");
  }
  ASSIGN_OR_RETURN(OpenedRootfs opened,
                   OpenRootfs(options.id(), files::RootfsView::kContainer, false));
  tree_archive::UntarOptions untar;
  untar.no_overwrite_dir_non_dir = options.no_overwrite_dir_non_dir();
  // Without -a the files are the container's root user's, as Docker
  // documents; with it they keep the archive's ids.
  untar.owner = options.copy_uid_gid() ? tree_archive::UntarOptions::Owner::kFromArchive
                                       : tree_archive::UntarOptions::Owner::kFixed;
  untar.decompress = true;
  const absl::Status status = tree_archive::UntarInto(
      data, opened.root.get(), InRoot(options.path()), untar);
  if (!status.ok()) return FileError(status, options.path(), options.id());
  Emit(opened.container, "extract-to-dir");
  log_.debug("container {}: copied an archive into {}", opened.container.id(),
             options.path());
  return absl::OkStatus();
}

absl::Status ContainerSupervisor::Export(const std::string& reference,
                                         const tree_archive::TarSink& data) {
  ASSIGN_OR_RETURN(OpenedRootfs opened,
                   OpenRootfs(reference, files::RootfsView::kLayers, true));
  tree_archive::TarTreeOptions options;
  options.include_top = false;
  RETURN_IF_ERROR(
      tree_archive::WriteTreeTar(opened.root.get(), "", options, data));
  Emit(opened.container, "export");
  return absl::OkStatus();
}

}  // namespace berth::containerd
