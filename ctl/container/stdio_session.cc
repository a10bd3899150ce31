#include "ctl/container/stdio_session.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <mutex>
#include <thread>

#include "ctl/container/terminal.h"

namespace berth::ctl {
namespace {

using container::v1::AttachContainerRequest;
using container::v1::AttachContainerResponse;
using container::v1::ExecContainerRequest;
using container::v1::ExecContainerResponse;

// Writes all of `data` to `fd`; the user's stdout going away ends nothing
// (the process's exit code is still wanted).
void WriteOut(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

template <typename Request, typename Response>
using Stream = grpc::ClientReaderWriter<Request, Response>;

template <typename Request, typename Response>
void SendSize(Stream<Request, Response>& stream, unsigned height, unsigned width) {
  Request resize;
  resize.mutable_resize()->set_height(height);
  resize.mutable_resize()->set_width(width);
  stream.Write(resize);
}

// Sends what the user types, window changes and the end of input until
// `stop_fd` becomes readable; then closes the call's writing side.
template <typename Request, typename Response>
void PumpInput(Stream<Request, Response>& stream, const StdioOptions& options,
               int stop_fd) {
  bool stdin_open = options.attach_stdin;
  const int windows = options.tty ? WindowChanges() : -1;
  char buffer[32 * 1024];
  while (true) {
    pollfd polls[3] = {{stop_fd, POLLIN, 0},
                       {windows, POLLIN, 0},
                       {stdin_open ? 0 : -1, POLLIN, 0}};
    if (poll(polls, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (polls[0].revents != 0) break;
    if (polls[1].revents != 0) {
      while (read(windows, buffer, sizeof(buffer)) > 0) {
      }
      if (auto size = TerminalSize(1); size.has_value()) {
        SendSize(stream, size->first, size->second);
      }
    }
    if (polls[2].revents != 0) {
      ssize_t n = read(0, buffer, sizeof(buffer));
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      Request request;
      if (n > 0) {
        request.set_input(buffer, static_cast<size_t>(n));
      } else {
        request.mutable_close_stdin();
        stdin_open = false;
      }
      if (!stream.Write(request)) break;
    }
  }
  stream.WritesDone();
}

// The session once the process is there: the terminal raw (when the user's
// keys go to a terminal in the container), its size, input on a thread of
// its own, output to stdout and stderr until the exit or the detach.
template <typename Request, typename Response>
void RunSession(grpc::ClientContext& call, Stream<Request, Response>& stream,
                const StdioOptions& options, StdioOutcome& outcome) {
  std::unique_ptr<RawTerminal> raw;
  if (options.tty && options.attach_stdin && isatty(0)) {
    absl::StatusOr<std::unique_ptr<RawTerminal>> entered = RawTerminal::Enter(0);
    if (entered.ok()) raw = *std::move(entered);
  }
  if (options.tty) {
    // The first size before the first keystroke; then on every change.
    if (auto size = TerminalSize(1); size.has_value()) {
      if (options.redraw) SendSize(stream, size->first + 1, size->second + 1);
      SendSize(stream, size->first, size->second);
    }
  }
  int stop[2];
  if (pipe2(stop, O_CLOEXEC) != 0) {
    call.TryCancel();
    stream.Finish();
    outcome.status = grpc::Status(grpc::StatusCode::INTERNAL, "pipe2 failed");
    return;
  }
  std::thread input([&] { PumpInput(stream, options, stop[0]); });
  bool input_stopped = false;
  auto stop_input = [&] {
    if (input_stopped) return;
    input_stopped = true;
    char byte = 0;
    ssize_t ignored = write(stop[1], &byte, 1);
    (void)ignored;
  };
  Response response;
  while (stream.Read(&response)) {
    switch (response.kind_case()) {
      case Response::kOutput:
        WriteOut(response.output().stream() == container::v1::STD_STREAM_STDERR ? 2 : 1,
                 response.output().data());
        break;
      case Response::kExit:
        outcome.exited = true;
        outcome.exit_code = response.exit().exit_code();
        outcome.error = response.exit().error();
        stop_input();
        break;
      case Response::kDetached:
        outcome.detached = true;
        stop_input();
        break;
      default:
        break;
    }
  }
  stop_input();
  input.join();
  close(stop[0]);
  close(stop[1]);
  outcome.status = stream.Finish();
  raw.reset();  // before anything more is printed
}

grpc::Status EndedEarly(const char* what) {
  return grpc::Status(grpc::StatusCode::INTERNAL,
                      std::string("the daemon ended the ") + what +
                          " before it was in place");
}

}  // namespace

StdioOutcome AttachToContainer(container::v1::ContainerService::Stub& stub,
                               const std::string& id,
                               const StdioOptions& options) {
  StdioOutcome outcome;
  grpc::ClientContext call;
  auto stream = stub.AttachContainer(&call);
  AttachContainerRequest start;
  start.mutable_start()->set_id(id);
  start.mutable_start()->set_attach_stdin(options.attach_stdin);
  start.mutable_start()->set_attach_stdout(options.attach_stdout);
  start.mutable_start()->set_attach_stderr(options.attach_stderr);
  start.mutable_start()->set_detach_keys(options.detach_keys);
  AttachContainerResponse response;
  if (!stream->Write(start) || !stream->Read(&response) ||
      !response.has_attached()) {
    stream->WritesDone();
    outcome.status = stream->Finish();
    if (outcome.status.ok()) outcome.status = EndedEarly("attach");
    return outcome;
  }
  if (options.on_attached && !options.on_attached()) {
    call.TryCancel();
    stream->Finish();
    return outcome;
  }
  RunSession(call, *stream, options, outcome);
  return outcome;
}

StdioOutcome ExecInContainer(container::v1::ContainerService::Stub& stub,
                             const container::v1::ExecStart& start,
                             const StdioOptions& options) {
  StdioOutcome outcome;
  grpc::ClientContext call;
  auto stream = stub.ExecContainer(&call);
  ExecContainerRequest first;
  *first.mutable_start() = start;
  ExecContainerResponse response;
  if (!stream->Write(first) || !stream->Read(&response)) {
    stream->WritesDone();
    outcome.status = stream->Finish();
    if (outcome.status.ok()) outcome.status = EndedEarly("exec");
    return outcome;
  }
  if (response.has_exit()) {
    // The command could not be started.
    outcome.exited = true;
    outcome.exit_code = response.exit().exit_code();
    outcome.error = response.exit().error();
    stream->WritesDone();
    outcome.status = stream->Finish();
    return outcome;
  }
  if (!response.has_created()) {
    call.TryCancel();
    stream->Finish();
    outcome.status = EndedEarly("exec");
    return outcome;
  }
  outcome.exec_id = response.created().exec_id();
  if (start.config().detach()) {
    stream->WritesDone();
    outcome.status = stream->Finish();
    return outcome;
  }
  RunSession(call, *stream, options, outcome);
  return outcome;
}

}  // namespace berth::ctl
