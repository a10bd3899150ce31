// ImageGrpcService: the streaming transfers (import, load, save). Incoming
// bytes are spooled to a temp file in imaged's root, then handed to
// ImageStore; saved archives are streamed back. imaged never opens a path a
// client names: the client reads and writes its own files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "services/imaged/grpc_service.h"

namespace berth::imaged {
namespace {

// Appends chunks to a file.
class Spool {
 public:
  explicit Spool(std::string path) : path_(std::move(path)) {
    fd_ = open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  }
  ~Spool() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

  // Copies the whole of a handed-over file. Only a regular file: the copy
  // is then kernel to kernel (copy_file_range), and the store owns its own
  // bytes, never a link to the client's file.
  absl::Status CopyFrom(int source) {
    if (fd_ < 0) return ErrnoStatus(errno, "open", path_);
    struct stat st;
    if (fstat(source, &st) != 0) {
      return ErrnoStatus(errno, "stat the handed-over file for", path_);
    }
    if (!S_ISREG(st.st_mode)) {
      return absl::InvalidArgumentError(
          "a handed-over input must be a regular file; stream anything else");
    }
    loff_t offset = 0;
    for (;;) {
      const ssize_t n = copy_file_range(source, &offset, fd_, nullptr,
                                        size_t{1} << 30, 0);
      if (n == 0) return absl::OkStatus();
      if (n > 0) continue;
      if (errno == EINTR) continue;
      if (errno == ENOSPC) {
        return absl::ResourceExhaustedError("imaged's disk is full");
      }
      if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
          errno != EOPNOTSUPP) {
        return ErrnoStatus(errno, "copy the handed-over file to", path_);
      }
      break;  // filesystems that cannot: copy through a buffer
    }
    std::string buffer(1 << 20, '\0');
    for (;;) {
      const ssize_t n = pread(source, buffer.data(), buffer.size(), offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus(errno, "read the handed-over file for", path_);
      if (n == 0) return absl::OkStatus();
      RETURN_IF_ERROR(Append(absl::string_view(buffer.data(), n)));
      offset += n;
    }
  }

  absl::Status Append(absl::string_view data) {
    if (fd_ < 0) return ErrnoStatus(errno, "open", path_);
    while (!data.empty()) {
      ssize_t n = write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        return errno == ENOSPC
                   ? absl::ResourceExhaustedError("imaged's disk is full")
                   : ErrnoStatus(errno, "write", path_);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// imaged never opens a path a client names: an earlier client's request to
// read or write a file on the daemon's host is refused, not silently ignored.
absl::Status RefuseClientPath(const std::string& path, absl::string_view field,
                              absl::string_view instead) {
  if (path.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, " \"", path, "\" is refused: imaged never opens a file a client "
      "names; ", instead, " (upgrade the berth CLI)"));
}

// Reads a client stream of Request{options | data}: the options first, then
// data chunks into `spool`, or, when the options carry an input token, the
// file the client handed to `inbox`. Returns the path of the spooled input.
template <typename Request, typename Options, typename Stream>
absl::StatusOr<std::string> ReceiveInput(
    grpc::ServerContext* context, Stream* stream, Spool& spool,
    DescriptorInbox* inbox, Options* options,
    const Options& (Request::*get_options)() const) {
  Request request;
  if (!stream->Read(&request) || request.kind_case() != Request::kOptions) {
    return absl::InvalidArgumentError(
        "the first message of the stream must carry the options");
  }
  *options = (request.*get_options)();
  RETURN_IF_ERROR(RefuseClientPath(options->legacy_source_path(), "source_path",
                                   "stream the input's bytes instead"));
  if (!options->input_token().empty()) {
    if (inbox == nullptr) {
      return absl::FailedPreconditionError(
          "this imaged takes no handed-over files; stream the input");
    }
    ASSIGN_OR_RETURN(const int fd, inbox->Take(options->input_token()));
    absl::Status copied = spool.CopyFrom(fd);
    close(fd);
    RETURN_IF_ERROR(copied);
  }
  while (stream->Read(&request)) {
    if (request.kind_case() != Request::kData) {
      return absl::InvalidArgumentError("options may be sent only once");
    }
    if (!options->input_token().empty()) {
      return absl::InvalidArgumentError(
          "data chunks after a handed-over file: send one or the other");
    }
    RETURN_IF_ERROR(spool.Append(request.data()));
  }
  // A cancelled call ends the reads like a half-close does: never import
  // a truncated input.
  if (context->IsCancelled()) {
    return absl::CancelledError("the client cancelled the transfer");
  }
  return spool.path();
}

}  // namespace

grpc::Status ImageGrpcService::ImportImage(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<image::v1::ImportImageResponse,
                             image::v1::ImportImageRequest>* stream) {
  absl::StatusOr<std::string> spool_path = store_->NewTempFile("import-");
  if (!spool_path.ok()) return ToGrpcStatus(spool_path.status());
  Spool spool(*spool_path);
  image::v1::ImportOptions options;
  absl::StatusOr<std::string> input = ReceiveInput<image::v1::ImportImageRequest>(
      context, stream, spool, inbox_.get(), &options,
      &image::v1::ImportImageRequest::options);
  if (!input.ok()) return ToGrpcStatus(input.status());
  auto progress = [stream](const types::v1::Progress& p) {
    image::v1::ImportImageResponse response;
    *response.mutable_progress() = p;
    stream->Write(response);
  };
  absl::StatusOr<image::v1::ImportResult> result =
      store_->Import(*input, options, progress);
  if (!result.ok()) return ToGrpcStatus(result.status());
  image::v1::ImportImageResponse response;
  *response.mutable_result() = *result;
  stream->Write(response);
  return grpc::Status::OK;
}

grpc::Status ImageGrpcService::LoadImages(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<image::v1::LoadImagesResponse,
                             image::v1::LoadImagesRequest>* stream) {
  absl::StatusOr<std::string> spool_path = store_->NewTempFile("load-");
  if (!spool_path.ok()) return ToGrpcStatus(spool_path.status());
  Spool spool(*spool_path);
  image::v1::LoadOptions options;
  absl::StatusOr<std::string> input = ReceiveInput<image::v1::LoadImagesRequest>(
      context, stream, spool, inbox_.get(), &options,
      &image::v1::LoadImagesRequest::options);
  if (!input.ok()) return ToGrpcStatus(input.status());
  auto progress = [stream](const types::v1::Progress& p) {
    image::v1::LoadImagesResponse response;
    *response.mutable_progress() = p;
    stream->Write(response);
  };
  absl::StatusOr<image::v1::LoadResult> result =
      store_->Load(*input, options, progress);
  if (!result.ok()) return ToGrpcStatus(result.status());
  image::v1::LoadImagesResponse response;
  *response.mutable_result() = *result;
  stream->Write(response);
  return grpc::Status::OK;
}

grpc::Status ImageGrpcService::SaveImages(
    grpc::ServerContext* context, const image::v1::SaveImagesRequest* request,
    grpc::ServerWriter<image::v1::SaveImagesResponse>* writer) {
  const absl::Status refused =
      RefuseClientPath(request->legacy_output_path(), "output_path",
                       "the archive is streamed and the client writes it");
  if (!refused.ok()) return ToGrpcStatus(refused);
  const std::vector<std::string> names(request->images().begin(),
                                       request->images().end());
  absl::StatusOr<std::vector<std::string>> ids = store_->ResolveAll(names);
  if (!ids.ok()) return ToGrpcStatus(ids.status());
  image::v1::SaveImagesResponse header;
  for (const std::string& id : *ids) header.mutable_header()->add_image_ids(id);
  writer->Write(header);
  // One message reused for every chunk: its buffer is allocated once.
  image::v1::SaveImagesResponse chunk;
  return ToGrpcStatus(store_->Save(
      names, request->format(), request->gzip(),
      [&](absl::string_view data) -> absl::Status {
        chunk.mutable_data()->assign(data.data(), data.size());
        if (context->IsCancelled() || !writer->Write(chunk)) {
          return absl::CancelledError("the client stopped reading");
        }
        return absl::OkStatus();
      }));
}

}  // namespace berth::imaged
