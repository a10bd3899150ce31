// Test helpers for //services/imaged/layer: temp dirs, tars built in
// memory (with libarchive's writer, or by hand where it would refuse),
// compression, and reading a directory tree back for comparison.
#ifndef BERTH_SERVICES_IMAGED_LAYER_TEST_UTIL_H_
#define BERTH_SERVICES_IMAGED_LAYER_TEST_UTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "services/imaged/layer/unpack.h"

namespace berth {
namespace imaged {
namespace layer {
namespace testing {

// A fresh directory /tmp/berth-layer-test-XXXXXX, removed with everything
// in it (symlinks not followed) when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Creates the directory path()/name (and parents) and returns its path.
  std::string MakeDir(absl::string_view name) const;

 private:
  std::string path_;
};

// One tar entry for TarBuilder.
struct EntrySpec {
  std::string path;
  unsigned type = 0100000;  // AE_IF* (= S_IF*)
  unsigned perm = 0644;
  int64_t uid = 0;
  int64_t gid = 0;
  int64_t mtime = 1600000000;
  long mtime_nsec = 0;
  std::string data;  // regular files
  std::string link;  // symlink or hardlink target
  bool hardlink = false;
  unsigned rdev_major = 0;
  unsigned rdev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

// Builds a PAX tar in memory. The setters after an entry change that entry.
class TarBuilder {
 public:
  TarBuilder& File(absl::string_view path, absl::string_view data,
                   unsigned perm = 0644);
  TarBuilder& Dir(absl::string_view path, unsigned perm = 0755);
  TarBuilder& Symlink(absl::string_view path, absl::string_view target);
  TarBuilder& Hardlink(absl::string_view path, absl::string_view target);
  // type: 'c' or 'b'.
  TarBuilder& Device(absl::string_view path, char type, unsigned major,
                     unsigned minor);
  TarBuilder& Fifo(absl::string_view path);
  TarBuilder& Add(EntrySpec entry);

  TarBuilder& Owner(int64_t uid, int64_t gid);
  TarBuilder& Mtime(int64_t seconds, long nanoseconds = 0);
  TarBuilder& Xattr(absl::string_view name, absl::string_view value);

  std::string Build() const;

 private:
  std::vector<EntrySpec> entries_;
};

// `data` compressed with libarchive's filter `filter` ("gzip", "bzip2",
// "xz", "zstd").
std::string Compress(absl::string_view data, const std::string& filter);

// A hand-made 512-byte ustar header with a correct checksum. `size_octal`
// goes into the size field verbatim (at most 11 digits).
std::string UstarHeader(absl::string_view name, char typeflag,
                        absl::string_view size_octal,
                        absl::string_view linkname = "");
// `data` padded with zeros to a multiple of 512 bytes.
std::string Pad512(absl::string_view data);
// The two zero blocks that end a tar.
std::string TarEnd();

// The entry names of a tar, in order, and their libarchive type letters:
// "name" for files, "name -> target" for symlinks, "name link to target"
// for hardlinks.
std::vector<std::string> TarListing(absl::string_view tar);

// A filesystem node as the tests compare it.
struct Node {
  char type = '?';  // f d l c b p s
  unsigned mode = 0;
  unsigned uid = 0;
  unsigned gid = 0;
  int64_t mtime = 0;
  long mtime_nsec = 0;
  std::string content;  // files
  std::string link;     // symlink target
  unsigned rdev_major = 0;
  unsigned rdev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
  // For non-directories with several links: the first path (sorted) of the
  // inode; whiteouts excluded, as overlayfs may share their inode.
  std::string link_group;
  bool operator==(const Node& other) const;
};
std::ostream& operator<<(std::ostream& os, const Node& node);

// Every node under `dir` (not `dir` itself), by relative path.
std::map<std::string, Node> ReadTree(const std::string& dir);
// Names directly in `dir` (sorted).
std::vector<std::string> ListNames(const std::string& dir);

// `size` pseudo-random (incompressible) bytes, the same for the same seed.
std::string RandomBytes(size_t size, unsigned seed = 1);

// Value of xattr `name` of `path` (not followed), or "<none>".
std::string GetXattrOrNone(const std::string& path, const char* name);

// A temp dir holding "dest", the unpack destination, and "sentinel", a
// directory beside it that escapes would reach and that must stay empty.
class UnpackFixture : public ::testing::Test {
 protected:
  UnpackFixture();

  // The unpack fails with INVALID_ARGUMENT naming `entry` (as "... entry
  // \"ENTRY\": ..."), leaving nothing behind, inside or outside dest.
  void ExpectRejected(absl::string_view tar, absl::string_view entry,
                      const UnpackOptions& options = {});
  // dest and sentinel are empty, and nothing else appeared beside them.
  void ExpectNothingLeft();

  TempDir tmp_;
  const std::string dest_;
  const std::string sentinel_;
};

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, absl::string_view data,
                    unsigned mode = 0644);

}  // namespace testing
}  // namespace layer
}  // namespace imaged
}  // namespace berth

#endif  // BERTH_SERVICES_IMAGED_LAYER_TEST_UTIL_H_
