// HTTP/2 transport settings for the local sockets, shared by every server
// and the CLI's channels. Archives (save, load, import) cross the socket as
// 1 MiB messages; with gRPC's defaults (64 KiB initial flow-control window,
// 16 KiB frames, small socket reads) a 200 MB save spends most of its time
// waiting for window updates. A receiver that advertises a large window and
// takes large frames and reads keeps the socket busy instead.
#ifndef BERTH_COMMON_GRPC_TUNING_H_
#define BERTH_COMMON_GRPC_TUNING_H_

#include <grpc/impl/codegen/grpc_types.h>

#include <cstddef>

namespace berth {

// Window each side of a stream advertises (bytes).
inline constexpr int kStreamWindowBytes = 16 << 20;
// Largest HTTP/2 frame accepted (the protocol's maximum is 2^24 - 1).
inline constexpr int kMaxFrameBytes = (1 << 24) - 1;
// Socket read sizes.
inline constexpr int kReadChunkBytes = 1 << 20;
// The most one request may carry: the daemons keep gRPC's default receive
// limit. A client checks against it to say what was too big, instead of
// gRPC's bare "larger than max".
inline constexpr size_t kMaxRequestBytes = 4 << 20;

// Who applies the settings. A daemon keeps its connections for long and
// has many (every `run` opens one): it lets gRPC grow its read buffers up to
// the large size only while bytes flow, since a fixed 1 MiB buffer per
// connection (and heap kept from it) cost berthd memory per container. The
// CLI lives for one command and reads in large chunks from the start.
enum class TransferSide { kDaemon, kCli };

// Calls set(name, value) for each setting: a client passes
// grpc::ChannelArguments::SetInt, a server grpc::ServerBuilder's
// AddChannelArgument.
template <typename Set>
void ForEachBulkTransferArgument(TransferSide side, Set set) {
  set(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, kStreamWindowBytes);
  set(GRPC_ARG_HTTP2_MAX_FRAME_SIZE, kMaxFrameBytes);
  set(GRPC_ARG_TCP_MAX_READ_CHUNK_SIZE, 4 * kReadChunkBytes);
  if (side == TransferSide::kCli) {
    set(GRPC_ARG_TCP_READ_CHUNK_SIZE, kReadChunkBytes);
    set(GRPC_ARG_TCP_MIN_READ_CHUNK_SIZE, kReadChunkBytes);
  }
}

}  // namespace berth

#endif  // BERTH_COMMON_GRPC_TUNING_H_
