// Shim protocol v1 on the wire (proto/berth/shim/v1/shim.proto): messages
// framed by a 4-byte big-endian length, each carrying the sender's protocol
// version. Shared by containerd's client and the shim.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_FRAMING_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "berth/shim/v1/shim.pb.h"
#include "google/protobuf/message_lite.h"

namespace berth::containerd::shim {

// The protocol this build speaks, on both sides.
inline constexpr uint32_t kProtocolVersion = 1;
// Larger frames are refused: no request or reply comes near it, and a
// peer speaking something else (an old text-line shim, say) shows up as an
// absurd length.
inline constexpr size_t kMaxFrameBytes = 1 << 20;
inline constexpr size_t kFrameHeaderBytes = 4;

// The message's bytes with their length in front.
std::string EncodeFrame(const google::protobuf::MessageLite& message);

// Takes one whole frame's payload off the front of `buffer` (bytes read so
// far). nullopt: not complete yet. INVALID_ARGUMENT: the length is over
// kMaxFrameBytes (the message names `peer` and, when the bytes are text,
// says it is a pre-v1 text protocol).
absl::StatusOr<std::optional<std::string>> TakeFrame(std::string* buffer,
                                                     absl::string_view peer);

// Reads one frame from the blocking or non-blocking `fd` by `deadline`.
// nullopt: the peer closed before sending anything. DATA_LOSS: it closed
// mid-frame; DEADLINE_EXCEEDED: nothing whole in time.
absl::StatusOr<std::optional<std::string>> ReadFrame(int fd,
                                                     absl::Time deadline,
                                                     absl::string_view peer);
// The same for a stream of frames: bytes read past the frame stay in
// `carry` for the next call (nullopt: the peer closed between frames).
absl::StatusOr<std::optional<std::string>> ReadFrame(int fd,
                                                     absl::Time deadline,
                                                     absl::string_view peer,
                                                     std::string* carry);

// Writes all of `bytes` to `fd` by `deadline` (MSG_NOSIGNAL on sockets; a
// pipe's EPIPE is an error, SIGPIPE being ignored by the shim).
absl::Status WriteAll(int fd, absl::string_view bytes, absl::Time deadline,
                      absl::string_view peer);

// FAILED_PRECONDITION unless `version` is kProtocolVersion: "the shim speaks
// protocol N, this containerd speaks 1" (`peer_role` "shim" or
// "containerd", `own_role` the other).
absl::Status CheckVersion(uint32_t version, absl::string_view peer_role,
                          absl::string_view own_role);

// Parses a peer's payload. A payload that is not the message is
// INVALID_ARGUMENT naming `peer`.
absl::Status ParsePayload(absl::string_view payload,
                          google::protobuf::MessageLite* message,
                          absl::string_view peer);

// An Error message from a Status and back.
void SetError(const absl::Status& status, ::berth::shim::v1::Error* error);
absl::Status StatusOfError(const ::berth::shim::v1::Error& error);

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_FRAMING_H_
