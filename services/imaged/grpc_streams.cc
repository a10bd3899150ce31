// ImageGrpcService: the streaming transfers (import, load, save). Incoming
// bytes are spooled to a temp file in imaged's root (or read from the
// caller's file when it names one), then handed to ImageStore.
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

absl::Status CheckSourcePath(const std::string& path) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("source path \"", path, "\" must be absolute"));
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a regular file"));
  }
  return absl::OkStatus();
}

// Reads a client stream of Request{options | data}: the options first, then
// data chunks into `spool` unless the options name a source file. Returns
// the path to read the input from.
template <typename Request, typename Options, typename Stream>
absl::StatusOr<std::string> ReceiveInput(
    grpc::ServerContext* context, Stream* stream, Spool& spool,
    Options* options, const Options& (Request::*get_options)() const,
    const std::string& (Options::*source_path)() const) {
  Request request;
  if (!stream->Read(&request) || request.kind_case() != Request::kOptions) {
    return absl::InvalidArgumentError(
        "the first message of the stream must carry the options");
  }
  *options = (request.*get_options)();
  if (!((*options).*source_path)().empty()) {
    RETURN_IF_ERROR(CheckSourcePath(((*options).*source_path)()));
    return ((*options).*source_path)();
  }
  while (stream->Read(&request)) {
    if (request.kind_case() != Request::kData) {
      return absl::InvalidArgumentError("options may be sent only once");
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
      context, stream, spool, &options,
      &image::v1::ImportImageRequest::options,
      &image::v1::ImportOptions::source_path);
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
      context, stream, spool, &options, &image::v1::LoadImagesRequest::options,
      &image::v1::LoadOptions::source_path);
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
  const std::vector<std::string> names(request->images().begin(),
                                       request->images().end());
  absl::StatusOr<std::vector<std::string>> ids = store_->ResolveAll(names);
  if (!ids.ok()) return ToGrpcStatus(ids.status());
  image::v1::SaveImagesResponse header;
  for (const std::string& id : *ids) header.mutable_header()->add_image_ids(id);
  writer->Write(header);

  if (!request->output_path().empty()) {
    const std::string& path = request->output_path();
    if (path[0] != '/') {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("output path \"", path, "\" must be absolute")));
    }
    const std::string temp = path + ".berth-partial";
    int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ToGrpcStatus(ErrnoStatus(errno, "create", temp));
    absl::Status status = store_->Save(
        names, request->format(), request->gzip(),
        [&](absl::string_view data) -> absl::Status {
          while (!data.empty()) {
            ssize_t n = write(fd, data.data(), data.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return ErrnoStatus(errno, "write", temp);
            data.remove_prefix(static_cast<size_t>(n));
          }
          return absl::OkStatus();
        });
    if (close(fd) != 0 && status.ok()) status = ErrnoStatus(errno, "close", temp);
    if (status.ok() && rename(temp.c_str(), path.c_str()) != 0) {
      status = ErrnoStatus(errno, "rename to " + path, temp);
    }
    if (!status.ok()) unlink(temp.c_str());
    return ToGrpcStatus(status);
  }
  return ToGrpcStatus(store_->Save(
      names, request->format(), request->gzip(),
      [&](absl::string_view data) -> absl::Status {
        image::v1::SaveImagesResponse chunk;
        chunk.set_data(data.data(), data.size());
        if (context->IsCancelled() || !writer->Write(chunk)) {
          return absl::CancelledError("the client stopped reading");
        }
        return absl::OkStatus();
      }));
}

}  // namespace berth::imaged
