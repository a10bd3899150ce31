// `berth import`, `berth save`, `berth load`: the image commands that move
// archives. A regular file is named to imaged by its absolute path and imaged
// reads or writes it itself (no bytes cross the socket); stdin, stdout,
// pipes and devices are streamed in 1 MiB chunks. Progress goes to stderr:
// bars on a terminal, plain lines elsewhere (see progress.h). The streaming
// calls have no deadline: an archive can take minutes.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "ctl/cli/args.h"
#include "ctl/cli/cli.h"
#include "ctl/image/image_commands.h"
#include "ctl/image/image_format.h"
#include "ctl/cli/progress.h"

namespace berth::ctl::image_cli {
namespace {

constexpr size_t kChunkSize = 1 << 20;  // the contract's chunk limit

// Where the bytes of an import or load come from: a regular file imaged reads
// by path, or a descriptor the CLI streams.
class Input {
 public:
  // `name` is a path or "-" for stdin.
  static absl::StatusOr<std::unique_ptr<Input>> Open(const std::string& name) {
    auto input =
        std::unique_ptr<Input>(new Input(name == "-" ? "stdin" : name));
    if (name == "-") {
      input->fd_ = STDIN_FILENO;
      struct stat st;
      if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
        input->size_ = st.st_size;
      }
      return input;
    }
    // Opened here, not only by imaged, so the user's own permissions apply
    // and the errors read as Docker's ("open x: ...").
    const int fd = open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "open", name);
    input->fd_ = fd;
    input->owned_ = true;
    struct stat st;
    if (fstat(fd, &st) != 0) return ErrnoStatus(errno, "stat", name);
    if (S_ISDIR(st.st_mode)) return ErrnoStatus(EISDIR, "read", name);
    if (S_ISREG(st.st_mode)) {
      char resolved[PATH_MAX];
      if (realpath(name.c_str(), resolved) == nullptr) {
        return ErrnoStatus(errno, "resolve", name);
      }
      input->source_path_ = resolved;
      input->size_ = st.st_size;
    }
    return input;
  }

  ~Input() {
    if (owned_) close(fd_);
  }

  // For messages: the path, or "stdin".
  const std::string& name() const { return name_; }
  // Set for a regular file: imaged reads it, nothing is streamed.
  const std::string& source_path() const { return source_path_; }
  bool streamed() const { return source_path_.empty(); }
  int fd() const { return fd_; }
  // Bytes to expect, 0 when unknown.
  int64_t size() const { return size_; }

 private:
  explicit Input(std::string name) : name_(std::move(name)) {}

  std::string name_;
  std::string source_path_;
  int fd_ = -1;
  bool owned_ = false;
  int64_t size_ = 0;
};

// Sends `first`, then (for a streamed input) its bytes as data chunks, then
// half-closes. Runs beside the reader of the responses; returns early when
// the call ends (stream writes fail) or `wake_fd` becomes readable (the
// responses are over). A failure to read the input cancels the call.
template <typename Request, typename Response>
absl::Status SendInput(grpc::ClientContext& call,
                       grpc::ClientReaderWriter<Request, Response>& stream,
                       const Request& first, const Input& input, int wake_fd) {
  if (!stream.Write(first)) return absl::OkStatus();
  if (!input.streamed()) {
    stream.WritesDone();
    return absl::OkStatus();
  }
  Request chunk;
  std::string* data = chunk.mutable_data();
  for (;;) {
    data->resize(kChunkSize);
    size_t filled = 0;
    bool eof = false;
    while (filled < kChunkSize && !eof) {
      struct pollfd fds[2] = {{input.fd(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        const int error = errno;
        call.TryCancel();
        return ErrnoStatus(error, "poll", input.name());
      }
      if (fds[1].revents != 0) return absl::OkStatus();
      const ssize_t n = read(input.fd(), &(*data)[filled], kChunkSize - filled);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        const int error = errno;
        call.TryCancel();
        return ErrnoStatus(error, "read", input.name());
      }
      eof = n == 0;
      filled += static_cast<size_t>(n);
    }
    data->resize(filled);
    if (filled > 0 && !stream.Write(chunk)) return absl::OkStatus();
    if (eof) {
      stream.WritesDone();
      return absl::OkStatus();
    }
  }
}

// One client-streaming upload (ImportImage, LoadImages): `first`, then the
// input, while every response goes to `on_response`.
template <typename Request, typename Response>
absl::Status Upload(CommandContext& context, grpc::ClientContext& call,
                    grpc::ClientReaderWriter<Request, Response>& stream,
                    const Request& first, const Input& input,
                    const std::function<void(const Response&)>& on_response) {
  int wake[2];
  if (pipe2(wake, O_CLOEXEC) != 0) {
    const int error = errno;
    call.TryCancel();
    (void)stream.Finish();
    return ErrnoStatus(error, "pipe", "");
  }
  absl::Status sent;  // written by the sender only, read after join
  std::thread sender(
      [&] { sent = SendInput(call, stream, first, input, wake[0]); });
  Response response;
  while (stream.Read(&response)) on_response(response);
  const char done = 1;
  (void)!write(wake[1], &done, 1);
  sender.join();
  close(wake[0]);
  close(wake[1]);
  grpc::Status status = stream.Finish();
  if (!sent.ok()) return sent;
  if (!status.ok()) return ImagedError(context, status);
  return absl::OkStatus();
}

std::unique_ptr<ProgressRenderer> StderrProgress() {
  return std::make_unique<ProgressRenderer>(
      stderr, ProgressRenderer::DetectOptions(stderr));
}

// ---- import -----------------------------------------------------------------

struct ImportFlags {
  std::vector<std::string> changes;
  std::string message;
  std::string platform;
};

void RunImport(CommandContext& context, const ImportFlags& flags,
               const std::vector<std::string>& args) {
  const std::string& source = args[0];
  if (absl::StartsWith(source, "http://") ||
      absl::StartsWith(source, "https://")) {
    return context.Fail(absl::InvalidArgumentError(
        "importing from a URL is not supported: download the file and "
        "import it, or pipe it in with `-`"));
  }
  image::v1::ImportOptions options;
  if (!flags.platform.empty()) {
    absl::StatusOr<types::v1::Platform> platform =
        ParsePlatform(flags.platform);
    if (!platform.ok()) return context.Fail(platform.status());
    *options.mutable_platform() = *platform;
  }
  absl::StatusOr<std::unique_ptr<Input>> input = Input::Open(source);
  if (!input.ok()) return context.Fail(input.status());
  if (args.size() > 1) options.set_reference(args[1]);
  for (const std::string& change : flags.changes) options.add_changes(change);
  options.set_message(flags.message);
  options.set_expected_size((*input)->size());
  options.set_source_path((*input)->source_path());

  image::v1::ImportImageRequest first;
  *first.mutable_options() = options;
  grpc::ClientContext call;
  auto stub = ImageStub(context);
  auto stream = stub->ImportImage(&call);
  auto progress = StderrProgress();
  std::optional<image::v1::ImportResult> result;
  absl::Status status =
      Upload<image::v1::ImportImageRequest, image::v1::ImportImageResponse>(
          context, call, *stream, first, **input,
          [&](const image::v1::ImportImageResponse& response) {
            if (response.has_progress()) progress->Update(response.progress());
            if (response.has_result()) result = response.result();
          });
  progress->Finish();
  if (status.ok() && !result.has_value()) {
    status = absl::InternalError("imaged ended the import without a result");
  }
  if (!status.ok()) return context.Fail(status);
  std::printf("%s\n", result->image_id().c_str());
}

// ---- load -------------------------------------------------------------------

struct LoadFlags {
  std::string input;
  bool quiet = false;
  std::string platform;
};

void RunLoad(CommandContext& context, const LoadFlags& flags) {
  if (flags.input.empty() && isatty(STDIN_FILENO)) {
    return context.Fail(absl::InvalidArgumentError(
        "requested load from stdin, but stdin is empty"));
  }
  image::v1::LoadOptions options;
  if (!flags.platform.empty()) {
    absl::StatusOr<types::v1::Platform> platform =
        ParsePlatform(flags.platform);
    if (!platform.ok()) return context.Fail(platform.status());
    *options.mutable_platform() = *platform;
  }
  absl::StatusOr<std::unique_ptr<Input>> input =
      Input::Open(flags.input.empty() ? "-" : flags.input);
  if (!input.ok()) return context.Fail(input.status());
  options.set_quiet(flags.quiet);
  options.set_expected_size((*input)->size());
  options.set_source_path((*input)->source_path());

  image::v1::LoadImagesRequest first;
  *first.mutable_options() = options;
  grpc::ClientContext call;
  auto stub = ImageStub(context);
  auto stream = stub->LoadImages(&call);
  auto progress = StderrProgress();
  std::optional<image::v1::LoadResult> result;
  absl::Status status =
      Upload<image::v1::LoadImagesRequest, image::v1::LoadImagesResponse>(
          context, call, *stream, first, **input,
          [&](const image::v1::LoadImagesResponse& response) {
            if (response.has_progress() && !flags.quiet) {
              progress->Update(response.progress());
            }
            if (response.has_result()) result = response.result();
          });
  progress->Finish();
  if (status.ok() && !result.has_value()) {
    status = absl::InternalError("imaged ended the load without a result");
  }
  if (!status.ok()) return context.Fail(status);
  std::fputs(RenderLoaded(*result).c_str(), stdout);
}

// ---- save -------------------------------------------------------------------

// Where `save -o FILE` goes: a new or regular file is written by imaged
// (`path` set, absolute); anything else that exists (a FIFO, a device) is
// opened here and the archive streamed into it (`fd` set).
struct Output {
  std::string path;
  int fd = -1;
};

absl::StatusOr<Output> ResolveOutput(const std::string& name) {
  Output output;
  struct stat st;
  if (stat(name.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid output path: \"", name, "\" is a directory"));
    }
    if (!S_ISREG(st.st_mode)) {
      output.fd = open(name.c_str(), O_WRONLY | O_CLOEXEC);
      if (output.fd < 0) return ErrnoStatus(errno, "open", name);
      return output;
    }
  } else if (errno != ENOENT) {
    return ErrnoStatus(errno, "stat", name);
  }
  // The directory must exist; the file need not yet.
  const size_t slash = name.rfind('/');
  const std::string dir = slash == std::string::npos
                              ? "."
                              : (slash == 0 ? "/" : name.substr(0, slash));
  const std::string base =
      name.substr(slash == std::string::npos ? 0 : slash + 1);
  char resolved[PATH_MAX];
  if (base.empty() || realpath(dir.c_str(), resolved) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid output path: directory \"", dir, "\" does not exist"));
  }
  output.path =
      absl::StrCat(resolved, std::string(resolved) == "/" ? "" : "/", base);
  return output;
}

absl::Status WriteAll(int fd, const std::string& data,
                      const std::string& name) {
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", name);
    }
    written += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

void RunSave(CommandContext& context, const std::string& output_name,
             const std::vector<std::string>& images) {
  image::v1::SaveImagesRequest request;
  for (const std::string& image : images) request.add_images(image);
  Output output{"", STDOUT_FILENO};
  std::string output_label = "stdout";
  if (output_name.empty()) {
    if (isatty(STDOUT_FILENO)) {
      return context.Fail(absl::InvalidArgumentError(
          "cowardly refusing to save to a terminal. Use the -o flag or "
          "redirect"));
    }
  } else {
    absl::StatusOr<Output> resolved = ResolveOutput(output_name);
    if (!resolved.ok()) return context.Fail(resolved.status());
    output = *resolved;
    output_label = output_name;
    request.set_output_path(output.path);
  }
  // Streamed bytes get a bar on a terminal; nothing is printed otherwise,
  // as `docker save` prints nothing.
  const ProgressRenderer::Options terminal =
      ProgressRenderer::DetectOptions(stderr);
  std::unique_ptr<ProgressRenderer> progress;
  if (output.fd >= 0 && terminal.terminal) {
    progress = std::make_unique<ProgressRenderer>(stderr, terminal);
  }

  grpc::ClientContext call;
  auto stub = ImageStub(context);
  auto reader = stub->SaveImages(&call, request);
  image::v1::SaveImagesResponse response;
  types::v1::Progress state;
  state.set_status("Saving");
  absl::Status written;
  while (reader->Read(&response)) {
    if (response.has_header())
      state.set_total(response.header().expected_size());
    if (!response.has_data() || output.fd < 0 || !written.ok()) continue;
    written = WriteAll(output.fd, response.data(), output_label);
    if (!written.ok()) call.TryCancel();
    state.set_current(state.current() +
                      static_cast<int64_t>(response.data().size()));
    if (progress != nullptr) progress->Update(state);
  }
  grpc::Status status = reader->Finish();
  if (progress != nullptr) progress->Finish();
  if (output.fd >= 0 && output.fd != STDOUT_FILENO) close(output.fd);
  if (!written.ok()) return context.Fail(written);
  if (!status.ok()) {
    return context.Fail(
        ImagedError(context, status, images.size() == 1 ? images[0] : ""));
  }
}

}  // namespace

void AddImportCommand(CLI::App& parent, CommandContext& context,
                      const std::string& name, const std::string& path) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* command = AddCommand(
      parent, context, name,
      {path, "[OPTIONS] file|- [REPOSITORY[:TAG]]",
       "Import the contents from a tarball to create a filesystem image"},
      1, 2, [&context, flags](const std::vector<std::string>& args) {
        RunImport(context, *flags, args);
      });
  command
      ->add_option("-c,--change", flags->changes,
                   "Apply Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  command->add_option("-m,--message", flags->message,
                      "Set commit message for imported image");
  command->add_option("--platform", flags->platform,
                      "Set platform: os[/arch[/variant]]");
}

void AddSaveCommand(CLI::App& parent, CommandContext& context,
                    const std::string& name, const std::string& path) {
  auto output = std::make_shared<std::string>();
  CLI::App* command = AddCommand(
      parent, context, name,
      {path, "[OPTIONS] IMAGE [IMAGE...]",
       "Save one or more images to a tar archive (streamed to STDOUT by "
       "default)"},
      1, kUnlimited,
      [&context, output](const std::vector<std::string>& images) {
        RunSave(context, *output, images);
      });
  command->add_option("-o,--output", *output,
                      "Write to a file, instead of STDOUT");
}

void AddLoadCommand(CLI::App& parent, CommandContext& context,
                    const std::string& name, const std::string& path) {
  auto flags = std::make_shared<LoadFlags>();
  CLI::App* command = AddCommand(
      parent, context, name,
      {path, "[OPTIONS]", "Load an image from a tar archive or STDIN"}, 0, 0,
      [&context, flags](const std::vector<std::string>&) {
        RunLoad(context, *flags);
      });
  command->add_option("-i,--input", flags->input,
                      "Read from tar archive file, instead of STDIN");
  command->add_flag("-q,--quiet", flags->quiet, "Suppress the load output");
  command->add_option("--platform", flags->platform,
                      "Load only the given platform: os[/arch[/variant]]");
}

}  // namespace berth::ctl::image_cli
