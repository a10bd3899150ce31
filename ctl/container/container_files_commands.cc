// `berth diff`, `berth export` and `berth cp`, as Docker 28's CLI has them.
// cp's path rules are cp_paths.h; the tars are made and unpacked here on
// the user's side (common/tree_archive, with the user's permissions and in
// the user's mount namespace) and stream through containerd's calls: no
// host path ever reaches a daemon.
#include "ctl/container/container_files_commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/tree_archive/fd.h"
#include "common/tree_archive/tree_paths.h"
#include "common/tree_archive/tree_tar.h"
#include "common/tree_archive/tree_untar.h"
#include "ctl/cli/archive_output.h"
#include "ctl/cli/command.h"
#include "ctl/cli/format.h"
#include "ctl/container/container_commands.h"
#include "ctl/container/cp_paths.h"

namespace berth::ctl::container_cli {
namespace {

using container::v1::PathStat;
using tree_archive::Fd;

// containerd's error; its "Could not find the file ..." stays as it is
// (ContainerdError would read any NOT_FOUND as a missing container).
absl::Status FileCallError(CommandContext& context, const grpc::Status& status,
                           const std::string& container) {
  if (status.error_code() == grpc::StatusCode::NOT_FOUND &&
      absl::StartsWith(status.error_message(), "Could not find the file")) {
    return absl::NotFoundError(status.error_message());
  }
  return ContainerdError(context, status, container);
}

absl::Status WriteStdout(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(STDOUT_FILENO, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", "stdout");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// ---- diff -------------------------------------------------------------------

void RunDiff(CommandContext& context, const std::string& name) {
  if (name.empty()) {
    return context.Fail(absl::InvalidArgumentError("Container name cannot be empty"));
  }
  container::v1::DiffContainerRequest request;
  request.set_id(name);
  container::v1::DiffContainerResponse response;
  auto call = Connections::CallContext(absl::Minutes(5));
  grpc::Status status = ContainerStub(context)->DiffContainer(call.get(), request, &response);
  if (!status.ok()) return context.Fail(ContainerdError(context, status, name));
  std::string out;
  for (const types::v1::FileChange& change : response.changes()) {
    const char* kind = change.kind() == types::v1::FileChange::KIND_ADDED     ? "A"
                       : change.kind() == types::v1::FileChange::KIND_DELETED ? "D"
                                                                               : "C";
    absl::StrAppend(&out, kind, " ", change.path(), "\n");
  }
  PrintOut(out);
}

// ---- export -----------------------------------------------------------------

void RunExport(CommandContext& context, const std::string& output_name,
               const std::string& name) {
  ArchiveOutput output;
  if (output_name.empty()) {
    if (isatty(STDOUT_FILENO)) {
      return context.Fail(absl::InvalidArgumentError(
          "cowardly refusing to save to a terminal. Use the -o flag or redirect"));
    }
    (void)output.OpenStdout();
  } else if (absl::Status opened = output.Open(output_name); !opened.ok()) {
    return context.Fail(Annotate(opened, "failed to export container"));
  }
  container::v1::ExportContainerRequest request;
  request.set_id(name);
  grpc::ClientContext call;
  auto reader = ContainerStub(context)->ExportContainer(&call, request);
  container::v1::ExportContainerResponse response;
  absl::Status written;
  while (reader->Read(&response)) {
    if (!written.ok()) continue;
    written = output.Write(response.data());
    if (!written.ok()) call.TryCancel();
  }
  grpc::Status status = reader->Finish();
  if (!written.ok()) return context.Fail(written);
  if (!status.ok()) return context.Fail(ContainerdError(context, status, name));
  if (absl::Status committed = output.Commit(); !committed.ok()) {
    return context.Fail(committed);
  }
}

// ---- cp ---------------------------------------------------------------------

struct CpFlags {
  bool follow_link = false;
  bool archive = false;
  bool quiet = false;
  CLI::Option* quiet_option = nullptr;
};

// Docker's closing line on stderr (not with -q, nor by default without a
// terminal on stdout).
void ReportCopied(bool quiet, int64_t bytes, const std::string& to) {
  if (quiet) return;
  fprintf(stderr, "Successfully copied %s to %s\n",
          HumanSizeWithPrecision(static_cast<double>(bytes), 3).c_str(), to.c_str());
}

absl::StatusOr<PathStat> StatInContainer(CommandContext& context,
                                         const std::string& container,
                                         const std::string& path,
                                         grpc::Status* raw = nullptr) {
  container::v1::StatContainerPathRequest request;
  request.set_id(container);
  request.set_path(path);
  container::v1::StatContainerPathResponse response;
  auto call = Connections::CallContext(absl::Minutes(1));
  grpc::Status status =
      ContainerStub(context)->StatContainerPath(call.get(), request, &response);
  if (raw != nullptr) *raw = status;
  if (!status.ok()) return FileCallError(context, status, container);
  return response.stat();
}

// A symlink's target as the CLI takes it: relative ones from its directory.
std::string LinkTarget(const PathStat& stat, const std::string& path) {
  const std::string& target = stat.link_target();
  if (!target.empty() && target[0] == '/') return target;
  return tree_archive::CleanPath(
      absl::StrCat(tree_archive::SplitPathDirEntry(path).first, "/", target));
}

void CopyFromContainer(CommandContext& context, const CpFlags& flags,
                       const std::string& container, std::string src,
                       std::string dst) {
  if (dst != "-") dst = ResolveLocalPath(dst);
  if (absl::Status valid = ValidateOutputPath(dst); !valid.ok()) {
    return context.Fail(valid);
  }
  std::string rebase_name;
  if (flags.follow_link) {
    absl::StatusOr<PathStat> stat = StatInContainer(context, container, src);
    if (stat.ok() && S_ISLNK(stat->mode())) {
      std::tie(src, rebase_name) = GetRebaseName(src, LinkTarget(*stat, src));
    }
  }
  container::v1::CopyFromContainerRequest request;
  request.set_id(container);
  request.set_path(src);
  grpc::ClientContext call;
  auto reader = ContainerStub(context)->CopyFromContainer(&call, request);
  container::v1::CopyFromContainerResponse message;
  if (!reader->Read(&message) || !message.has_stat()) {
    grpc::Status status = reader->Finish();
    if (status.ok()) {
      status = grpc::Status(grpc::StatusCode::INTERNAL, "containerd sent no stat");
    }
    return context.Fail(FileCallError(context, status, container));
  }
  const PathStat stat = message.stat();
  int64_t copied = 0;
  // The tar's bytes, message by message, then the call's end.
  absl::Status ended;
  auto next = [&]() -> absl::StatusOr<std::string> {
    while (reader->Read(&message)) {
      copied += static_cast<int64_t>(message.data().size());
      if (!message.data().empty()) return std::move(*message.mutable_data());
    }
    grpc::Status status = reader->Finish();
    if (!status.ok()) ended = FileCallError(context, status, container);
    if (!ended.ok()) return ended;
    return std::string();
  };
  if (dst == "-") {
    for (;;) {
      absl::StatusOr<std::string> chunk = next();
      if (!chunk.ok()) return context.Fail(chunk.status());
      if (chunk->empty()) return;
      if (absl::Status w = WriteStdout(*chunk); !w.ok()) {
        call.TryCancel();
        return context.Fail(w);
      }
    }
  }
  CopyInfo src_info;
  src_info.path = src;
  src_info.exists = true;
  src_info.is_dir = S_ISDIR(stat.mode());
  src_info.rebase_name = rebase_name;
  absl::StatusOr<CopyInfo> dst_info = CopyInfoDestinationPath(dst);
  absl::StatusOr<ArchivePlan> plan =
      dst_info.ok() ? PrepareArchiveCopy(src_info, *dst_info) : dst_info.status();
  absl::Status result = plan.status();
  if (plan.ok()) {
    Fd dir(open(plan->dst_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
      result = ErrnoStatus(errno, "open", plan->dst_dir);
    } else {
      tree_archive::UntarOptions options;
      options.owner = tree_archive::UntarOptions::Owner::kUnchanged;
      const std::string src_base = tree_archive::SplitPathDirEntry(src).second;
      options.rename = [&](const std::string& name) {
        std::string renamed = name;
        if (!rebase_name.empty()) {
          renamed = RebaseEntryName(renamed, src_base, rebase_name);
        }
        if (plan->rebase) {
          renamed = RebaseEntryName(renamed, plan->old_base, plan->new_base);
        }
        return renamed;
      };
      result = tree_archive::UntarInto(next, dir.get(), ".", options);
    }
  }
  if (!result.ok()) call.TryCancel();
  ReportCopied(flags.quiet, copied, dst);
  if (!result.ok()) context.Fail(result);
}

void CopyToContainer(CommandContext& context, const CpFlags& flags,
                     const std::string& container, std::string src,
                     const std::string& dst) {
  if (src != "-") src = ResolveLocalPath(src);
  CopyInfo dst_info;
  dst_info.path = dst;
  // A failing stat is no error yet, as with Docker: the destination may be
  // made by the copy, and a missing container shows in the copy itself.
  absl::StatusOr<PathStat> stat = StatInContainer(context, container, dst);
  if (stat.ok() && S_ISLNK(stat->mode())) {
    dst_info.path = LinkTarget(*stat, dst);
    stat = StatInContainer(context, container, dst_info.path);
  }
  if (stat.ok() && (S_ISBLK(stat->mode()) || S_ISCHR(stat->mode()))) {
    return context.Fail(absl::InvalidArgumentError(absl::StrCat(
        "destination \"", container, ":", dst,
        "\" must be a directory or a regular file: got a device")));
  }
  if (stat.ok()) {
    dst_info.exists = true;
    dst_info.is_dir = S_ISDIR(stat->mode());
  }
  std::string resolved_dst;
  std::string top;
  Fd source_dir;
  std::string source_name;
  if (src == "-") {
    resolved_dst = dst_info.path;
    if (!dst_info.is_dir) {
      return context.Fail(absl::InvalidArgumentError(absl::StrCat(
          "destination \"", container, ":", dst, "\" must be a directory")));
    }
  } else {
    absl::StatusOr<CopyInfo> src_info = CopyInfoSourcePath(src, flags.follow_link);
    if (!src_info.ok()) return context.Fail(src_info.status());
    absl::StatusOr<ArchivePlan> plan = PrepareArchiveCopy(*src_info, dst_info);
    if (!plan.ok()) return context.Fail(plan.status());
    resolved_dst = plan->dst_dir;
    const auto [dir, base] = tree_archive::SplitPathDirEntry(src_info->path);
    top = plan->rebase ? plan->new_base
          : src_info->rebase_name.empty() ? base
                                          : src_info->rebase_name;
    // "dir/." is the directory itself, its entries named "./...".
    source_name = base == "." ? "" : base;
    const std::string open_dir = base == "." ? tree_archive::CleanPath(src_info->path) : dir;
    source_dir.Reset(open(open_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!source_dir.valid()) return context.Fail(ErrnoStatus(errno, "open", open_dir));
  }

  grpc::ClientContext call;
  container::v1::CopyToContainerResponse response;
  auto writer = ContainerStub(context)->CopyToContainer(&call, &response);
  container::v1::CopyToContainerRequest message;
  container::v1::CopyToOptions* options = message.mutable_options();
  options->set_id(container);
  options->set_path(resolved_dst);
  options->set_no_overwrite_dir_non_dir(true);
  options->set_copy_uid_gid(flags.archive);
  int64_t copied = 0;
  bool open = writer->Write(message);
  auto send = [&](absl::string_view data) {
    // As Docker's progress counts the archive it makes, not stdin's.
    if (src != "-") copied += static_cast<int64_t>(data.size());
    container::v1::CopyToContainerRequest chunk;
    chunk.set_data(std::string(data));
    if (!open || !writer->Write(chunk)) {
      open = false;
      return absl::CancelledError("containerd ended the copy");
    }
    return absl::OkStatus();
  };
  absl::Status produced;
  if (open) {
    if (src == "-") {
      std::string buf(1 << 20, '\0');
      for (;;) {
        const ssize_t n = read(STDIN_FILENO, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          produced = ErrnoStatus(errno, "read", "stdin");
          break;
        }
        if (n == 0) break;
        produced = send(absl::string_view(buf.data(), static_cast<size_t>(n)));
        if (!produced.ok()) break;
      }
    } else {
      tree_archive::TarTreeOptions tar;
      tar.top = top;
      produced = tree_archive::WriteTreeTar(source_dir.get(), source_name, tar, send);
    }
  }
  if (open) writer->WritesDone();
  grpc::Status status = writer->Finish();
  ReportCopied(flags.quiet, copied, absl::StrCat(container, ":", dst_info.path));
  // The daemon's answer explains a broken stream better than our side.
  if (!status.ok()) return context.Fail(FileCallError(context, status, container));
  if (!produced.ok()) return context.Fail(produced);
}

void RunCp(CommandContext& context, CpFlags flags,
           const std::vector<std::string>& args) {
  if (args[0].empty()) {
    return context.Fail(absl::InvalidArgumentError("source can not be empty"));
  }
  if (args[1].empty()) {
    return context.Fail(absl::InvalidArgumentError("destination can not be empty"));
  }
  if (flags.quiet_option == nullptr || flags.quiet_option->count() == 0) {
    flags.quiet = !isatty(STDOUT_FILENO);
  }
  const auto [src_container, src_path] = SplitCpArg(args[0]);
  const auto [dst_container, dst_path] = SplitCpArg(args[1]);
  if (!src_container.empty() && !dst_container.empty()) {
    return context.Fail(
        absl::InvalidArgumentError("copying between containers is not supported"));
  }
  if (!src_container.empty()) {
    return CopyFromContainer(context, flags, src_container, src_path, dst_path);
  }
  if (!dst_container.empty()) {
    return CopyToContainer(context, flags, dst_container, src_path, dst_path);
  }
  context.Fail(absl::InvalidArgumentError("must specify at least one container source"));
}

}  // namespace

void AddDiffCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path) {
  AddCommand(parent, context, "diff",
             {path, "CONTAINER",
              "Inspect changes to files or directories on a container's "
              "filesystem",
              {ArgKind::kContainer}},
             1, 1, [&context](const std::vector<std::string>& args) {
               RunDiff(context, args[0]);
             });
}

void AddExportCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path) {
  auto output = std::make_shared<std::string>();
  CLI::App* command = AddCommand(
      parent, context, "export",
      {path, "[OPTIONS] CONTAINER",
       "Export a container's filesystem as a tar archive", {ArgKind::kContainer}},
      1, 1, [&context, output](const std::vector<std::string>& args) {
        RunExport(context, *output, args[0]);
      });
  command->add_option("-o,--output", *output, "Write to a file, instead of STDOUT");
}

void AddCpCommand(CLI::App& parent, CommandContext& context,
                  const std::string& path) {
  auto flags = std::make_shared<CpFlags>();
  CLI::App* command = AddCommand(
      parent, context, "cp",
      {path,
       "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] "
       "SRC_PATH|- CONTAINER:DEST_PATH",
       "Copy files/folders between a container and the local filesystem",
       {ArgKind::kNone, ArgKind::kNone}},
      2, 2, [&context, flags](const std::vector<std::string>& args) {
        RunCp(context, *flags, args);
      });
  command->add_flag("-L,--follow-link", flags->follow_link,
                    "Always follow symlinks in SRC_PATH");
  command->add_flag("-a,--archive", flags->archive,
                    "Archive mode (copy all uid/gid information)");
  flags->quiet_option = command->add_flag(
      "-q,--quiet", flags->quiet,
      "Suppress progress output during copy. Progress output is "
      "automatically suppressed if no terminal is attached");
}

}  // namespace berth::ctl::container_cli
