// The byte pipeline of UnpackTar: an outer libarchive reader (filters gzip,
// bzip2, xz, zstd + format "raw") decompresses; an inner reader (format tar,
// no filters) parses what the outer one yields, through a read callback that
// hashes (and tees) every block it hands over. Blocks are passed by pointer
// all the way down to pwrite(2), so plain tars are not copied in user space.
#include "services/imaged/layer/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <initializer_list>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/imaged/layer/extract.h"
#include "services/imaged/layer/fd_util.h"

namespace berth {
namespace imaged {
namespace layer {
namespace {

constexpr size_t kReadBlockSize = 1 << 20;

struct ArchiveReadFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchiveReader = std::unique_ptr<struct archive, ArchiveReadFree>;

const char* ErrorString(struct archive* a) {
  const char* message = archive_error_string(a);
  return message != nullptr ? message : "unknown libarchive error";
}

// Where the compressed bytes come from.
struct Input {
  // Opens `outer` on the input; returns an ARCHIVE_* code.
  std::function<int(struct archive* outer)> open;
  int64_t bytes_read = 0;
  absl::Status
      error;  // An I/O error of our own, more precise than libarchive's.
};

struct FileInput {
  Input* input;
  int fd;
  std::string path;
  std::unique_ptr<char[]> buffer{new char[kReadBlockSize]};
};

la_ssize_t ReadFileBlock(struct archive* a, void* client, const void** out) {
  auto* file = static_cast<FileInput*>(client);
  while (true) {
    ssize_t n = read(file->fd, file->buffer.get(), kReadBlockSize);
    if (n >= 0) {
      file->input->bytes_read += n;
      *out = file->buffer.get();
      return n;
    }
    if (errno == EINTR) continue;
    int err = errno;
    file->input->error = ErrnoStatus(err, "read", file->path);
    archive_set_error(a, err, "%s",
                      std::string(file->input->error.message()).c_str());
    return ARCHIVE_FATAL;
  }
}

// The uncompressed tar stream, as the inner reader pulls it.
struct Stream {
  struct archive* outer = nullptr;
  const Input* input = nullptr;
  int tee_fd = -1;
  const std::string* tee_path = nullptr;
  Sha256 hash;
  bool compute_digest = true;
  int64_t bytes = 0;
  absl::Status error;
};

la_ssize_t ReadUncompressed(struct archive* inner, void* client,
                            const void** out) {
  auto* stream = static_cast<Stream*>(client);
  while (true) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(stream->outer, &block, &size, &offset);
    if (r == ARCHIVE_EOF) return 0;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      if (stream->error.ok()) {
        stream->error =
            !stream->input->error.ok()
                ? stream->input->error
                : absl::InvalidArgumentError(absl::StrCat(
                      "decompressing the input: ", ErrorString(stream->outer)));
      }
      break;
    }
    if (size == 0) continue;
    if (stream->compute_digest) stream->hash.Update(block, size);
    stream->bytes += static_cast<int64_t>(size);
    if (stream->tee_fd >= 0) {
      absl::Status written =
          WriteAll(stream->tee_fd, block, size, *stream->tee_path);
      if (!written.ok()) {
        stream->error = written;
        break;
      }
    }
    *out = block;
    return static_cast<la_ssize_t>(size);
  }
  archive_set_error(inner, EIO, "%s",
                    std::string(stream->error.message()).c_str());
  return ARCHIVE_FATAL;
}

// Opens the outer reader; OK with `*empty` set for a 0-byte input.
absl::Status OpenOuter(Input& input, struct archive* outer, bool* empty) {
  *empty = false;
  // Only in-process decompressors: libarchive would run external programs
  // (lrzip, lzop...) for others, and no layer needs them.
  if (archive_read_support_filter_gzip(outer) != ARCHIVE_OK ||
      archive_read_support_filter_bzip2(outer) != ARCHIVE_OK ||
      archive_read_support_filter_xz(outer) != ARCHIVE_OK ||
      archive_read_support_filter_zstd(outer) != ARCHIVE_OK ||
      archive_read_support_format_raw(outer) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat(
        "libarchive lacks an in-process decompressor: ", ErrorString(outer)));
  }
  struct archive_entry* entry = nullptr;
  if (input.open(outer) == ARCHIVE_OK &&
      archive_read_next_header(outer, &entry) == ARCHIVE_OK) {
    return absl::OkStatus();
  }
  if (!input.error.ok()) return input.error;
  if (input.bytes_read == 0) {
    *empty = true;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("reading the input: ", ErrorString(outer)));
}

// Reads the whole input into `root_fd`, filling `result`. The caller
// cleans up on error.
absl::Status Extract(Input& input, int root_fd, int tee_fd,
                     const UnpackOptions& options, UnpackResult* result) {
  ArchiveReader outer(archive_read_new());
  bool empty = false;
  RETURN_IF_ERROR(OpenOuter(input, outer.get(), &empty));
  if (empty) {
    result->diff_id = Sha256Digest("");
    return absl::OkStatus();
  }
  Stream stream;
  stream.outer = outer.get();
  stream.input = &input;
  stream.tee_fd = tee_fd;
  stream.compute_digest = options.compute_digest;
  stream.tee_path = &options.tee_path;

  ArchiveReader inner(archive_read_new());
  archive_read_support_format_tar(inner.get());
  auto tar_error = [&](struct archive* a) {
    if (!stream.error.ok()) return stream.error;
    return absl::InvalidArgumentError(
        absl::StrCat("reading the tar: ", ErrorString(a)));
  };
  if (archive_read_open(inner.get(), &stream, nullptr, ReadUncompressed,
                        nullptr) != ARCHIVE_OK) {
    return tar_error(inner.get());
  }
  Extractor extractor(root_fd, options);
  while (true) {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(inner.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return tar_error(inner.get());
    absl::Status applied = extractor.Apply(inner.get(), entry);
    if (!applied.ok()) {
      // A failing input shows up as a data error of the entry being read:
      // keep the entry's name, but the input's own error code.
      if (!stream.error.ok()) {
        return absl::Status(stream.error.code(), applied.message());
      }
      return applied;
    }
  }
  RETURN_IF_ERROR(extractor.Finish());
  // The digest covers the stream to its very end, past the end-of-archive
  // blocks the tar reader stopped at.
  const void* ignored = nullptr;
  la_ssize_t n;
  while ((n = ReadUncompressed(inner.get(), &stream, &ignored)) > 0) {
  }
  if (n < 0) return stream.error;

  if (options.compute_digest) result->diff_id = stream.hash.Digest();
  result->tar_size = stream.bytes;
  result->unpacked_size = extractor.unpacked_size();
  result->entries = extractor.entries();
  return absl::OkStatus();
}

absl::StatusOr<UnpackResult> Unpack(Input& input, const std::string& dest_dir,
                                    const UnpackOptions& options) {
  UniqueFd root(open(dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return ErrnoStatus(errno, "open", dest_dir);
  ASSIGN_OR_RETURN(std::vector<std::string> existing,
                   ListDirSorted(root.get()));
  if (!existing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("unpack destination ", dest_dir, " is not empty"));
  }
  UniqueFd tee;
  if (!options.tee_path.empty()) {
    tee.Reset(open(options.tee_path.c_str(),
                   O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                   0600));
    if (!tee.valid()) return ErrnoStatus(errno, "create", options.tee_path);
  }
  UnpackResult result;
  absl::Status status = Extract(input, root.get(), tee.get(), options, &result);
  if (status.ok() && tee.valid()) {
    if (fchmod(tee.get(), 0600) != 0 || fsync(tee.get()) != 0) {
      status = ErrnoStatus(errno, "fsync", options.tee_path);
    } else if (close(tee.Release()) != 0) {
      status = ErrnoStatus(errno, "close", options.tee_path);
    }
  }
  if (status.ok()) return result;

  tee.Reset();
  if (!options.tee_path.empty()) unlink(options.tee_path.c_str());
  absl::Status cleanup = RemoveContents(root.get());
  if (!cleanup.ok()) {
    return absl::Status(
        status.code(),
        absl::StrCat(status.message(), " (and removing the partial output of ",
                     dest_dir, " failed: ", cleanup.message(), ")"));
  }
  return status;
}

}  // namespace

absl::StatusOr<Compression> CompressionOf(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  unsigned char magic[6] = {};
  ssize_t n = read(fd, magic, sizeof(magic));
  int err = errno;
  close(fd);
  if (n < 0) return ErrnoStatus(err, "read", path);
  auto starts = [&](std::initializer_list<unsigned char> prefix) {
    if (static_cast<size_t>(n) < prefix.size()) return false;
    size_t i = 0;
    for (unsigned char byte : prefix) {
      if (magic[i++] != byte) return false;
    }
    return true;
  };
  if (starts({0x1f, 0x8b})) return Compression::kGzip;
  if (starts({'B', 'Z', 'h'})) return Compression::kBzip2;
  if (starts({0xfd, '7', 'z', 'X', 'Z', 0x00})) return Compression::kXz;
  if (starts({0x28, 0xb5, 0x2f, 0xfd})) return Compression::kZstd;
  return Compression::kNone;
}

absl::StatusOr<bool> IsCompressedFile(const std::string& path) {
  absl::StatusOr<Compression> compression = CompressionOf(path);
  if (!compression.ok()) return compression.status();
  return *compression != Compression::kNone;
}

absl::StatusOr<UnpackResult> UnpackTar(const std::string& source_path,
                                       const std::string& dest_dir,
                                       const UnpackOptions& options) {
  UniqueFd fd(open(source_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "open", source_path);
  posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  Input input;
  FileInput file{&input, fd.get(), source_path};
  input.open = [&file](struct archive* outer) {
    return archive_read_open(outer, &file, nullptr, ReadFileBlock, nullptr);
  };
  return Unpack(input, dest_dir, options);
}

absl::StatusOr<UnpackResult> UnpackTarFromMemory(absl::string_view data,
                                                 const std::string& dest_dir,
                                                 const UnpackOptions& options) {
  Input input;
  input.bytes_read = static_cast<int64_t>(data.size());
  input.open = [data](struct archive* outer) {
    return archive_read_open_memory(outer, data.data(), data.size());
  };
  return Unpack(input, dest_dir, options);
}

}  // namespace layer
}  // namespace imaged
}  // namespace berth
