// Joins one client's attach or exec call (the contract's messages) to the
// shim's stream for it (shim::v1 StreamInput/StreamOutput frames on a
// socket): the client's input, resizes and end of input go to the shim,
// minus the detach keys, which end the bridge with Detached instead; the
// shim's output and the process's exit go to the client. Blocking, on the
// caller's thread plus one thread for the client's input. The client's
// slowness reaches the shim as a socket that is not read, which the shim
// handles (it drops that client's excess output): containerd holds at
// most a frame per client.
#ifndef BERTH_SERVICES_CONTAINERD_ATTACH_STREAM_BRIDGE_H_
#define BERTH_SERVICES_CONTAINERD_ATTACH_STREAM_BRIDGE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "berth/container/v1/container.pb.h"
#include "berth/shim/v1/shim.pb.h"

namespace berth::containerd {

// The client's side, in the contract's terms (attach and exec share them).
struct ClientStream {
  // The next message from the client; false when its input ended (it
  // closed its side, or went away).
  std::function<bool(container::v1::AttachContainerRequest*)> read;
  // Sends to the client; false when it is gone.
  std::function<bool(const container::v1::AttachContainerResponse&)> write;
  // Makes a `read` in progress return false (the call is being ended).
  std::function<void()> abort_read;
  // The client went away (its call was cancelled).
  std::function<bool()> cancelled;
};

enum class BridgeEnd {
  kExited,     // the process exited: ProcessExit was sent
  kDetached,   // the client typed the detach keys: Detached was sent
  kShimGone,   // the shim closed the stream without an exit (killed)
  kClientGone, // the client went away
};

// Runs until one of BridgeEnd happens. `fd` is the shim's stream (after
// its AttachResponse), `carry` bytes already read past that answer;
// `detach_keys` the bytes of the sequence ("" never detaches). Closes `fd`.
BridgeEnd BridgeStreams(int fd, std::string carry,
                        const std::string& detach_keys,
                        const ClientStream& client);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_ATTACH_STREAM_BRIDGE_H_
