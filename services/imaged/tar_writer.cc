#include "services/imaged/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::imaged {
namespace {

constexpr size_t kBlockBytes = 1 << 20;

struct EntryDeleter {
  void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};

}  // namespace

TarWriter::TarWriter(Sink sink, absl::Time mtime, bool gzip)
    : sink_(std::move(sink)), mtime_(mtime) {
  archive_ = archive_write_new();
  archive_write_set_format_pax_restricted(archive_);
  if (gzip) archive_write_add_filter_gzip(archive_);
  archive_write_set_bytes_per_block(archive_, kBlockBytes);
  archive_write_set_bytes_in_last_block(archive_, 1);
  archive_write_open(archive_, this, nullptr, &TarWriter::Write, nullptr);
}

TarWriter::~TarWriter() {
  if (!finished_) archive_write_close(archive_);
  archive_write_free(archive_);
}

ssize_t TarWriter::Write(struct archive*, void* self, const void* buffer,
                         size_t length) {
  auto* writer = static_cast<TarWriter*>(self);
  if (!writer->sink_status_.ok()) return -1;
  writer->sink_status_ = writer->sink_(
      absl::string_view(static_cast<const char*>(buffer), length));
  return writer->sink_status_.ok() ? static_cast<ssize_t>(length) : -1;
}

absl::Status TarWriter::Check(int rc, absl::string_view what) {
  if (!sink_status_.ok()) return sink_status_;
  if (rc >= ARCHIVE_WARN) return absl::OkStatus();
  const char* message = archive_error_string(archive_);
  return absl::InternalError(
      absl::StrCat("write ", what, ": ", message ? message : "tar error"));
}

absl::Status TarWriter::AddDirectory(const std::string& name) {
  std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
  archive_entry_set_pathname(entry.get(), (name + "/").c_str());
  archive_entry_set_filetype(entry.get(), AE_IFDIR);
  archive_entry_set_perm(entry.get(), 0755);
  archive_entry_set_mtime(entry.get(), absl::ToUnixSeconds(mtime_), 0);
  return Check(archive_write_header(archive_, entry.get()), name);
}

absl::Status TarWriter::AddBytes(const std::string& name,
                                 absl::string_view data) {
  std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
  archive_entry_set_mtime(entry.get(), absl::ToUnixSeconds(mtime_), 0);
  RETURN_IF_ERROR(Check(archive_write_header(archive_, entry.get()), name));
  if (data.empty()) return absl::OkStatus();
  la_ssize_t written = archive_write_data(archive_, data.data(), data.size());
  return Check(written < 0 ? static_cast<int>(written) : ARCHIVE_OK, name);
}

absl::Status TarWriter::AddFile(const std::string& name,
                                const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  const off_t size = lseek(fd, 0, SEEK_END);
  lseek(fd, 0, SEEK_SET);
  std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), size);
  archive_entry_set_mtime(entry.get(), absl::ToUnixSeconds(mtime_), 0);
  absl::Status status = Check(archive_write_header(archive_, entry.get()), name);
  std::string buffer(kBlockBytes, '\0');
  off_t copied = 0;
  while (status.ok() && copied < size) {
    ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = n < 0 ? ErrnoStatus(errno, "read", path)
                     : absl::DataLossError(absl::StrCat(path, " shrank while "
                                                              "being saved"));
      break;
    }
    la_ssize_t written = archive_write_data(archive_, buffer.data(),
                                            static_cast<size_t>(n));
    status = Check(written < 0 ? static_cast<int>(written) : ARCHIVE_OK, name);
    copied += n;
  }
  close(fd);
  return status;
}

absl::Status TarWriter::Finish() {
  finished_ = true;
  return Check(archive_write_close(archive_), "end of archive");
}

}  // namespace berth::imaged
