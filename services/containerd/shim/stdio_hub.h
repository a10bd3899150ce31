// The shim's side of attach streams: the clients connected to the init's
// stdio (protocol: AttachRequest in proto/berth/shim/v1/shim.proto). It
// fans the container's output out to them and feeds their input to the
// init's stdin, on the shim's epoll set, never blocking: a client that
// cannot take output fast enough loses what exceeds its buffer (the log
// has everything), and input waits in a bounded buffer while the container
// does not read it (the clients are not read meanwhile, so the pressure goes
// back to them through their sockets). Apart from the shim so it is tested
// with socketpairs (stdio_hub_test.cc).
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_STDIO_HUB_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_STDIO_HUB_H_

#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "berth/shim/v1/shim.pb.h"

namespace berth::containerd::shim {

struct StdioHubOptions {
  // The init's stdin: a pipe's write end or the terminal's master (a dup of
  // the one read for output, as one fd cannot be in an epoll set twice);
  // -1 without -i. The hub owns it.
  int stdin_fd = -1;
  bool tty = false;
  bool stdin_once = false;
  // Output bytes a client may fall behind before it misses output.
  size_t client_buffer_bytes = 8 << 20;
  // Input bytes held while the init does not read its stdin.
  size_t stdin_buffer_bytes = 1 << 20;
  size_t max_clients = 64;
};

class StdioHub {
 public:
  StdioHub(int epoll_fd, StdioHubOptions options);
  ~StdioHub();
  StdioHub(const StdioHub&) = delete;
  StdioHub& operator=(const StdioHub&) = delete;

  // Takes `fd`, a client whose AttachRequest was read: answers it and from
  // now on streams to it. FAILED_PRECONDITION (stdin without -i) and
  // RESOURCE_EXHAUSTED (too many clients) are answered by the caller; the
  // fd is not taken then.
  // `answer` (an exec's) replaces the AttachResponse.
  absl::Status Add(int fd, const ::berth::shim::v1::AttachRequest& wants,
                   const ::berth::shim::v1::Response* answer = nullptr);
  // Whether `fd` is one of the hub's (a client or the stdin).
  bool Owns(int fd) const;
  void OnEvent(int fd, uint32_t events);
  // Output of the init: 1 stdout, 2 stderr.
  void Broadcast(int stream, absl::string_view data);
  // The init exited and its output is drained: every client gets `exit`
  // after its pending output; waits for slow ones until `deadline`, then
  // closes them all.
  void Finish(const ::berth::shim::v1::WaitResponse& exit, absl::Time deadline);
  // The same without waiting, for a process the shim outlives (an exec):
  // each client is let go once it took its pending output and `exit`
  // (or at once if it is gone); clients() tells when all are.
  void Close(const ::berth::shim::v1::WaitResponse& exit);

  size_t clients() const { return clients_.size(); }
  // Bytes of output dropped for clients that fell behind, in total.
  uint64_t dropped_bytes() const { return dropped_bytes_; }
  bool stdin_open() const { return stdin_fd_ >= 0; }
  size_t stdin_pending_bytes() const { return stdin_pending_.size(); }

 private:
  struct Client {
    ::berth::shim::v1::AttachRequest wants;
    std::string out;      // encoded frames not yet written
    size_t out_sent = 0;  // bytes of `out` already written
    std::string in;       // bytes of input frames read so far
    bool reading = true;  // EPOLLIN registered
    bool writing = false; // EPOLLOUT registered
    bool closing = false; // removed once `out` is written (Close)
  };

  void Interest(int fd, bool in, bool out, bool add);
  // Writes what is pending; false when the client is gone (and removed).
  bool Flush(int fd, Client& client);
  void Queue(int fd, Client& client, const std::string& frame, bool always);
  void ReadInput(int fd, Client& client);
  // Applies one input frame; false when it was malformed (client dropped).
  bool Apply(const std::string& payload);
  void Remove(int fd);
  void WriteStdin();
  void CloseStdin();
  // Stops (or resumes) reading input while the stdin buffer is full.
  void Throttle();

  const int epoll_fd_;
  const StdioHubOptions options_;
  int stdin_fd_;
  std::string stdin_pending_;
  bool stdin_writing_ = false;
  bool close_stdin_when_flushed_ = false;
  std::map<int, Client> clients_;
  uint64_t dropped_bytes_ = 0;
};

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_STDIO_HUB_H_
