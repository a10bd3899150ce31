#include "services/containerd/shim/framing.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::containerd::shim {
namespace {

// Waits for `events` on `fd` until `deadline`.
absl::Status PollFor(int fd, short events, absl::Time deadline,
                     absl::string_view peer) {
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("timed out waiting for ", peer));
    }
    pollfd pfd = {fd, events, 0};
    const int ready =
        poll(&pfd, 1,
             deadline == absl::InfiniteFuture()
                 ? -1
                 : static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready > 0) return absl::OkStatus();
    if (ready < 0 && errno != EINTR) return ErrnoStatus(errno, "poll", peer);
  }
}

}  // namespace

std::string EncodeFrame(const google::protobuf::MessageLite& message) {
  const size_t size = message.ByteSizeLong();
  std::string frame(kFrameHeaderBytes + size, '\0');
  frame[0] = static_cast<char>((size >> 24) & 0xff);
  frame[1] = static_cast<char>((size >> 16) & 0xff);
  frame[2] = static_cast<char>((size >> 8) & 0xff);
  frame[3] = static_cast<char>(size & 0xff);
  message.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(frame.data() + kFrameHeaderBytes));
  return frame;
}

absl::StatusOr<std::optional<std::string>> TakeFrame(std::string* buffer,
                                                     absl::string_view peer) {
  if (buffer->size() < kFrameHeaderBytes) return std::nullopt;
  const auto byte = [&](int i) {
    return static_cast<uint32_t>(static_cast<unsigned char>((*buffer)[i]));
  };
  const uint32_t length = byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
  if (length > kMaxFrameBytes) {
    bool text = true;
    for (size_t i = 0; i < kFrameHeaderBytes; ++i) {
      text = text && absl::ascii_isprint((*buffer)[i]);
    }
    // The shims of Berth before protocol v1 answered one text line
    // ("error unknown command", "running PID", ...).
    return absl::InvalidArgumentError(absl::StrCat(
        peer, " sent a frame of ", length, " bytes (at most ", kMaxFrameBytes,
        " allowed)",
        text ? absl::StrCat("; it is text (\"",
                            absl::CHexEscape(buffer->substr(
                                0, std::min<size_t>(buffer->size(), 40))),
                            "\"): a peer of protocol 0 (text lines)")
             : ""));
  }
  if (buffer->size() < kFrameHeaderBytes + length) return std::nullopt;
  std::string payload = buffer->substr(kFrameHeaderBytes, length);
  buffer->erase(0, kFrameHeaderBytes + length);
  return payload;
}

absl::StatusOr<std::optional<std::string>> ReadFrame(int fd,
                                                     absl::Time deadline,
                                                     absl::string_view peer) {
  std::string buffer;
  return ReadFrame(fd, deadline, peer, &buffer);
}

absl::StatusOr<std::optional<std::string>> ReadFrame(int fd,
                                                     absl::Time deadline,
                                                     absl::string_view peer,
                                                     std::string* carry) {
  std::string& buffer = *carry;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<std::string> frame, TakeFrame(&buffer, peer));
    if (frame.has_value()) return frame;
    RETURN_IF_ERROR(PollFor(fd, POLLIN, deadline, peer));
    char chunk[4096];
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return ErrnoStatus(errno, "read", peer);
    }
    if (n == 0) {
      if (buffer.empty()) return std::nullopt;
      // A text line without a newline is still recognizable as one.
      if (buffer.size() < kFrameHeaderBytes) {
        buffer.append(kFrameHeaderBytes - buffer.size(), '\0');
      }
      absl::StatusOr<std::optional<std::string>> last = TakeFrame(&buffer, peer);
      if (!last.ok()) return last.status();
      return absl::DataLossError(absl::StrCat(
          peer, " closed the connection in the middle of a message"));
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

absl::Status WriteAll(int fd, absl::string_view bytes, absl::Time deadline,
                      absl::string_view peer) {
  struct stat info;
  const bool socket = fstat(fd, &info) == 0 && S_ISSOCK(info.st_mode);
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n =
        socket ? send(fd, bytes.data() + sent, bytes.size() - sent,
                      MSG_NOSIGNAL)
               : write(fd, bytes.data() + sent, bytes.size() - sent);
    if (n >= 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return ErrnoStatus(errno, "write to", peer);
    RETURN_IF_ERROR(PollFor(fd, POLLOUT, deadline, peer));
  }
  return absl::OkStatus();
}

absl::Status CheckVersion(uint32_t version, absl::string_view peer_role,
                          absl::string_view own_role) {
  if (version == kProtocolVersion) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the ", peer_role, " speaks protocol ", version, ", this ",
                   own_role, " speaks ", kProtocolVersion));
}

absl::Status ParsePayload(absl::string_view payload,
                          google::protobuf::MessageLite* message,
                          absl::string_view peer) {
  if (!message->ParseFromArray(payload.data(),
                               static_cast<int>(payload.size()))) {
    return absl::InvalidArgumentError(absl::StrCat(
        peer, " sent a message that is not a ", message->GetTypeName()));
  }
  return absl::OkStatus();
}

void SetError(const absl::Status& status, ::berth::shim::v1::Error* error) {
  error->set_code(static_cast<int32_t>(status.code()));
  error->set_message(std::string(status.message()));
}

absl::Status StatusOfError(const ::berth::shim::v1::Error& error) {
  absl::StatusCode code = static_cast<absl::StatusCode>(error.code());
  // A code this build does not know, or OK in an error, is still a failure.
  if (error.code() <= 0 || error.code() > 16) code = absl::StatusCode::kUnknown;
  return absl::Status(code, error.message());
}

}  // namespace berth::containerd::shim
