// Handing an open file from a client to a daemon. The rule is that a
// daemon never opens a path a client names: the client opens its own file
// (with its own permissions, in its own mount namespace) and passes the
// descriptor over a unix socket (SCM_RIGHTS). The daemon gets a token back
// for it, which the gRPC call that uses the file carries. Bytes then move
// kernel to kernel instead of through 1 MiB messages.
//
// The inbox listens on its own socket beside the service's gRPC socket
// (InboxSocketOf). Anyone who can connect can only hand in descriptors they
// already hold; pending ones are few (kMaxPending) and expire.
#ifndef BERTH_COMMON_DESCRIPTOR_INBOX_H_
#define BERTH_COMMON_DESCRIPTOR_INBOX_H_

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace berth {

// RUN_ROOT/imaged.sock -> RUN_ROOT/imaged.files.sock
std::string InboxSocketOf(const std::string& service_socket);

class DescriptorInbox {
 public:
  static constexpr int kMaxPending = 64;
  static constexpr absl::Duration kExpiry = absl::Seconds(60);

  // Listens on `socket_path` (claimed as a daemon's socket: a stale one is
  // replaced, a live one refused).
  static absl::StatusOr<std::unique_ptr<DescriptorInbox>> Open(
      const std::string& socket_path);
  // Stops listening, closes what was never taken, removes the socket.
  ~DescriptorInbox();
  DescriptorInbox(const DescriptorInbox&) = delete;
  DescriptorInbox& operator=(const DescriptorInbox&) = delete;

  // The descriptor handed in under `token`, once; the caller closes it.
  // NOT_FOUND for an unknown, used or expired token.
  absl::StatusOr<int> Take(const std::string& token);

  const std::string& socket_path() const { return socket_path_; }

 private:
  DescriptorInbox(std::string socket_path, int listener);
  void Serve();
  // Receives one descriptor on `connection` and answers its token.
  void Receive(int connection);
  void DropExpiredLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  struct Pending {
    int fd;
    absl::Time expires;
  };
  const std::string socket_path_;
  const int listener_;
  int wake_[2] = {-1, -1};  // written to stop Serve
  absl::Mutex mu_;
  std::map<std::string, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// Client side: hands `fd` to the inbox at `socket_path` and returns its
// token, all within `timeout`. UNAVAILABLE when no inbox listens there (an
// older daemon): the caller streams the bytes instead.
absl::StatusOr<std::string> HandOffDescriptor(const std::string& socket_path,
                                              int fd, absl::Duration timeout);

}  // namespace berth

#endif  // BERTH_COMMON_DESCRIPTOR_INBOX_H_
