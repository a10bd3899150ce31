// `berth import`, `berth save`, `berth load`: the image commands that move
// archives. The CLI opens the user's files itself, with the user's
// permissions and in the user's mount namespace: the daemon never opens a
// path a client names. A regular input file is handed to imaged as an open
// descriptor (common/descriptor_inbox.h); pipes and stdin are streamed in
// 1 MiB chunks, as is every archive `save` sends back. `save -o` writes a
// temp file beside the target and renames it into place, so a failed save
// never leaves a truncated archive. Progress goes to stderr: bars on a
// terminal, plain lines elsewhere (see progress.h). The streaming calls have
// no deadline: an archive can take minutes.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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
#include "common/descriptor_inbox.h"
#include "common/status_macros.h"
#include "ctl/cli/archive_output.h"
#include "ctl/cli/args.h"
#include "ctl/cli/cli.h"
#include "ctl/image/image_commands.h"
#include "ctl/image/image_format.h"
#include "ctl/cli/progress.h"

namespace berth::ctl::image_cli {
namespace {

constexpr size_t kChunkSize = 1 << 20;  // the contract's chunk limit

// Where the bytes of an import or load come from: a descriptor the CLI
// streams (a file it opened, or stdin).
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
        // Handed over whole: only from the start of the file.
        input->regular_ = lseek(STDIN_FILENO, 0, SEEK_CUR) == 0;
      }
      return input;
    }
    // The user's own permissions apply; errors read as Docker's
    // ("open x: ...").
    const int fd = open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "open", name);
    input->fd_ = fd;
    input->owned_ = true;
    struct stat st;
    if (fstat(fd, &st) != 0) return ErrnoStatus(errno, "stat", name);
    if (S_ISDIR(st.st_mode)) return ErrnoStatus(EISDIR, "read", name);
    if (S_ISREG(st.st_mode)) {
      input->size_ = st.st_size;
      input->regular_ = true;
    }
    return input;
  }

  ~Input() {
    if (owned_) close(fd_);
  }

  // For messages: the path, or "stdin".
  const std::string& name() const { return name_; }
  int fd() const { return fd_; }
  // Bytes to expect, 0 when unknown.
  int64_t size() const { return size_; }

  // A regular file (or stdin redirected from one) is handed to imaged's
  // descriptor inbox: imaged copies it kernel to kernel instead of taking
  // it as 1 MiB messages. Returns the token for the call's options, or ""
  // when the bytes are to be streamed (a pipe, or an imaged without an
  // inbox).
  std::string HandOff(CommandContext& context) {
    if (!regular_) return "";
    absl::StatusOr<std::string> token = HandOffDescriptor(
        InboxSocketOf(context.connections().endpoints().SocketOf("imaged")),
        fd_, absl::Seconds(10));
    if (!token.ok()) return "";
    handed_over_ = true;
    return *token;
  }
  bool handed_over() const { return handed_over_; }

 private:
  explicit Input(std::string name) : name_(std::move(name)) {}

  std::string name_;
  int fd_ = -1;
  bool owned_ = false;
  int64_t size_ = 0;
  bool regular_ = false;
  bool handed_over_ = false;
};

// Sends `first`, then the input's bytes as data chunks, then half-closes. Runs beside the reader of the responses; returns early when
// the call ends (stream writes fail) or `wake_fd` becomes readable (the
// responses are over). A failure to read the input cancels the call.
template <typename Request, typename Response>
absl::Status SendInput(grpc::ClientContext& call,
                       grpc::ClientReaderWriter<Request, Response>& stream,
                       const Request& first, const Input& input, int wake_fd) {
  if (!stream.Write(first)) return absl::OkStatus();
  if (input.handed_over()) {
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

// An upload (ImportImage, LoadImages) started by `start` on imaged's stub,
// its progress on stderr unless `quiet` or the output is not a terminal
// (Docker's CLI then prints only the result, so a script sees just the id or
// the "Loaded image:" lines); returns the result imaged ends the stream with.
template <typename Request, typename Response, typename Result, typename Start>
absl::StatusOr<Result> UploadForResult(CommandContext& context,
                                       const Request& first, const Input& input,
                                       bool quiet, absl::string_view operation,
                                       Start start) {
  grpc::ClientContext call;
  auto stub = ImageStub(context);
  auto stream = start(*stub, &call);
  ProgressRenderer progress(stderr, ProgressRenderer::DetectOptions(stderr));
  const bool show_progress = !quiet && isatty(STDOUT_FILENO);
  std::optional<Result> result;
  const absl::Status status = Upload<Request, Response>(
      context, call, *stream, first, input, [&](const Response& response) {
        if (response.has_progress() && show_progress) {
          progress.Update(response.progress());
        }
        if (response.has_result()) result = response.result();
      });
  progress.Finish();
  RETURN_IF_ERROR(status);
  if (!result.has_value()) {
    return absl::InternalError(
        absl::StrCat("imaged ended the ", operation, " without a result"));
  }
  return *result;
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
  options.set_input_token((*input)->HandOff(context));

  image::v1::ImportImageRequest first;
  *first.mutable_options() = options;
  absl::StatusOr<image::v1::ImportResult> result =
      UploadForResult<image::v1::ImportImageRequest,
                      image::v1::ImportImageResponse, image::v1::ImportResult>(
          context, first, **input, /*quiet=*/false, "import",
          [](image::v1::ImageService::Stub& stub, grpc::ClientContext* call) {
            return stub.ImportImage(call);
          });
  if (!result.ok()) return context.Fail(result.status());
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
  options.set_input_token((*input)->HandOff(context));

  image::v1::LoadImagesRequest first;
  *first.mutable_options() = options;
  absl::StatusOr<image::v1::LoadResult> result =
      UploadForResult<image::v1::LoadImagesRequest,
                      image::v1::LoadImagesResponse, image::v1::LoadResult>(
          context, first, **input, flags.quiet, "load",
          [](image::v1::ImageService::Stub& stub, grpc::ClientContext* call) {
            return stub.LoadImages(call);
          });
  if (!result.ok()) return context.Fail(result.status());
  std::fputs(RenderLoaded(*result).c_str(), stdout);
}

// ---- save -------------------------------------------------------------------

void RunSave(CommandContext& context, const std::string& output_name,
             const std::vector<std::string>& images) {
  image::v1::SaveImagesRequest request;
  for (const std::string& image : images) request.add_images(image);
  ArchiveOutput output;
  if (output_name.empty()) {
    if (isatty(STDOUT_FILENO)) {
      return context.Fail(absl::InvalidArgumentError(
          "cowardly refusing to save to a terminal. Use the -o flag or "
          "redirect"));
    }
    (void)output.OpenStdout();
  } else {
    absl::Status opened = output.Open(output_name);
    if (!opened.ok()) return context.Fail(opened);
  }
  // A bar on a terminal; nothing is printed otherwise, as `docker save`
  // prints nothing.
  const ProgressRenderer::Options terminal =
      ProgressRenderer::DetectOptions(stderr);
  std::unique_ptr<ProgressRenderer> progress;
  if (terminal.terminal) {
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
    if (!response.has_data() || !written.ok()) continue;
    written = output.Write(response.data());
    if (!written.ok()) call.TryCancel();
    state.set_current(state.current() +
                      static_cast<int64_t>(response.data().size()));
    if (progress != nullptr) progress->Update(state);
  }
  grpc::Status status = reader->Finish();
  if (progress != nullptr) progress->Finish();
  if (!written.ok()) return context.Fail(written);
  if (!status.ok()) {
    return context.Fail(
        ImagedError(context, status, images.size() == 1 ? images[0] : ""));
  }
  absl::Status committed = output.Commit();
  if (!committed.ok()) return context.Fail(committed);
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
       "default)",
       {ArgKind::kImage}},
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
