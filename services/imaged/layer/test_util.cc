#include "services/imaged/layer/test_util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"

namespace berth {
namespace imaged {
namespace layer {
namespace testing {
namespace {

void Die(const std::string& what) {
  std::fprintf(stderr, "test_util: %s\n", what.c_str());
  std::abort();
}

la_ssize_t AppendToString(struct archive*, void* client, const void* data,
                          size_t size) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(data),
                                            size);
  return static_cast<la_ssize_t>(size);
}

}  // namespace

TempDir::TempDir() {
  char tmpl[] = "/tmp/berth-layer-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) Die("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::MakeDir(absl::string_view name) const {
  std::string dir = absl::StrCat(path_, "/", name);
  std::filesystem::create_directories(dir);
  return dir;
}

TarBuilder& TarBuilder::Add(EntrySpec entry) {
  entries_.push_back(std::move(entry));
  return *this;
}

TarBuilder& TarBuilder::File(absl::string_view path, absl::string_view data,
                             unsigned perm) {
  EntrySpec e;
  e.path = std::string(path);
  e.data = std::string(data);
  e.perm = perm;
  return Add(std::move(e));
}

TarBuilder& TarBuilder::Dir(absl::string_view path, unsigned perm) {
  EntrySpec e;
  e.path = std::string(path);
  e.type = AE_IFDIR;
  e.perm = perm;
  return Add(std::move(e));
}

TarBuilder& TarBuilder::Symlink(absl::string_view path,
                                absl::string_view target) {
  EntrySpec e;
  e.path = std::string(path);
  e.type = AE_IFLNK;
  e.perm = 0777;
  e.link = std::string(target);
  return Add(std::move(e));
}

TarBuilder& TarBuilder::Hardlink(absl::string_view path,
                                 absl::string_view target) {
  EntrySpec e;
  e.path = std::string(path);
  e.link = std::string(target);
  e.hardlink = true;
  return Add(std::move(e));
}

TarBuilder& TarBuilder::Device(absl::string_view path, char type,
                               unsigned major, unsigned minor) {
  EntrySpec e;
  e.path = std::string(path);
  e.type = type == 'b' ? AE_IFBLK : AE_IFCHR;
  e.perm = 0660;
  e.rdev_major = major;
  e.rdev_minor = minor;
  return Add(std::move(e));
}

TarBuilder& TarBuilder::Fifo(absl::string_view path) {
  EntrySpec e;
  e.path = std::string(path);
  e.type = AE_IFIFO;
  return Add(std::move(e));
}

TarBuilder& TarBuilder::Owner(int64_t uid, int64_t gid) {
  entries_.back().uid = uid;
  entries_.back().gid = gid;
  return *this;
}

TarBuilder& TarBuilder::Mtime(int64_t seconds, long nanoseconds) {
  entries_.back().mtime = seconds;
  entries_.back().mtime_nsec = nanoseconds;
  return *this;
}

TarBuilder& TarBuilder::Xattr(absl::string_view name, absl::string_view value) {
  entries_.back().xattrs.emplace_back(name, value);
  return *this;
}

std::string TarBuilder::Build() const {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY");
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, &out, nullptr, AppendToString, nullptr) !=
      ARCHIVE_OK) {
    Die(archive_error_string(a));
  }
  for (const EntrySpec& spec : entries_) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, spec.path.c_str());
    archive_entry_set_filetype(e, spec.type);
    archive_entry_set_perm(e, spec.perm);
    archive_entry_set_uid(e, spec.uid);
    archive_entry_set_gid(e, spec.gid);
    archive_entry_set_mtime(e, spec.mtime, spec.mtime_nsec);
    if (spec.hardlink) {
      archive_entry_set_hardlink(e, spec.link.c_str());
    } else if (spec.type == AE_IFLNK) {
      archive_entry_set_symlink(e, spec.link.c_str());
    }
    archive_entry_set_rdevmajor(e, spec.rdev_major);
    archive_entry_set_rdevminor(e, spec.rdev_minor);
    for (const auto& [name, value] : spec.xattrs) {
      archive_entry_xattr_add_entry(e, name.c_str(), value.data(),
                                    value.size());
    }
    const bool has_data = spec.type == AE_IFREG && !spec.hardlink;
    archive_entry_set_size(e, has_data ? spec.data.size() : 0);
    if (archive_write_header(a, e) < ARCHIVE_WARN) {
      Die(archive_error_string(a));
    }
    if (has_data && !spec.data.empty() &&
        archive_write_data(a, spec.data.data(), spec.data.size()) < 0) {
      Die(archive_error_string(a));
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string Compress(absl::string_view data, const std::string& filter) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  if (archive_write_add_filter_by_name(a, filter.c_str()) != ARCHIVE_OK) {
    Die(absl::StrCat("filter ", filter, ": ", archive_error_string(a)));
  }
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(a, &out, nullptr, AppendToString, nullptr);
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "data");
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_size(e, data.size());
  archive_write_header(a, e);
  if (!data.empty()) archive_write_data(a, data.data(), data.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string UstarHeader(absl::string_view name, char typeflag,
                        absl::string_view size_octal,
                        absl::string_view linkname) {
  std::string h(512, '\0');
  auto put = [&h](size_t offset, absl::string_view value) {
    std::memcpy(&h[offset], value.data(), value.size());
  };
  put(0, name.substr(0, 100));
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, size_octal.substr(0, 11));
  put(136, "13000000000");
  put(148, "        ");
  h[156] = typeflag;
  put(157, linkname.substr(0, 100));
  put(257, absl::string_view("ustar\0"
                             "00",
                             8));
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  char checksum[8];
  std::snprintf(checksum, sizeof(checksum), "%06o", sum);
  put(148, absl::string_view(checksum, 7));  // 6 digits, NUL; space stays.
  return h;
}

std::string Pad512(absl::string_view data) {
  std::string out(data);
  out.resize((out.size() + 511) / 512 * 512, '\0');
  return out;
}

std::string TarEnd() { return std::string(1024, '\0'); }

std::vector<std::string> TarListing(absl::string_view tar) {
  std::vector<std::string> names;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_open_memory(a, tar.data(), tar.size());
  struct archive_entry* e = nullptr;
  int r;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
         r == ARCHIVE_WARN) {
    std::string line = archive_entry_pathname(e);
    if (archive_entry_hardlink(e) != nullptr) {
      absl::StrAppend(&line, " link to ", archive_entry_hardlink(e));
    } else if (archive_entry_symlink(e) != nullptr) {
      absl::StrAppend(&line, " -> ", archive_entry_symlink(e));
    }
    names.push_back(line);
  }
  archive_read_free(a);
  return names;
}

bool Node::operator==(const Node& o) const {
  return type == o.type && mode == o.mode && uid == o.uid && gid == o.gid &&
         mtime == o.mtime && mtime_nsec == o.mtime_nsec &&
         content == o.content && link == o.link && rdev_major == o.rdev_major &&
         rdev_minor == o.rdev_minor && xattrs == o.xattrs &&
         link_group == o.link_group;
}

std::ostream& operator<<(std::ostream& os, const Node& n) {
  char mode[16];
  std::snprintf(mode, sizeof(mode), "%05o", n.mode);
  os << "{" << n.type << " " << mode << " " << n.uid << ":" << n.gid
     << " mtime=" << n.mtime << "." << n.mtime_nsec;
  if (n.type == 'f') os << " content=" << n.content.size() << "B";
  if (!n.link.empty()) os << " -> " << n.link;
  if (n.type == 'c' || n.type == 'b') {
    os << " dev=" << n.rdev_major << "," << n.rdev_minor;
  }
  for (const auto& [name, value] : n.xattrs) {
    os << " " << name << "=" << absl::CHexEscape(value);
  }
  if (!n.link_group.empty()) os << " links=" << n.link_group;
  return os << "}";
}

std::map<std::string, Node> ReadTree(const std::string& dir) {
  std::map<std::string, Node> tree;
  std::map<std::pair<dev_t, ino_t>, std::vector<std::string>> inodes;
  for (auto it = std::filesystem::recursive_directory_iterator(dir);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    const std::string path = it->path().string();
    const std::string rel = path.substr(dir.size() + 1);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) Die("lstat " + path);
    Node n;
    n.mode = st.st_mode & 07777;
    n.uid = st.st_uid;
    n.gid = st.st_gid;
    n.mtime = st.st_mtim.tv_sec;
    n.mtime_nsec = st.st_mtim.tv_nsec;
    switch (st.st_mode & S_IFMT) {
      case S_IFREG:
        n.type = 'f';
        n.content = ReadFileOrDie(path);
        break;
      case S_IFDIR:
        n.type = 'd';
        break;
      case S_IFLNK: {
        n.type = 'l';
        n.mode = 0;
        char buf[4096];
        ssize_t len = readlink(path.c_str(), buf, sizeof(buf));
        n.link.assign(buf, len > 0 ? static_cast<size_t>(len) : 0);
        break;
      }
      case S_IFCHR:
      case S_IFBLK:
        n.type = S_ISCHR(st.st_mode) ? 'c' : 'b';
        n.rdev_major = major(st.st_rdev);
        n.rdev_minor = minor(st.st_rdev);
        break;
      case S_IFIFO:
        n.type = 'p';
        break;
      default:
        n.type = 's';
    }
    char names[4096];
    ssize_t len = llistxattr(path.c_str(), names, sizeof(names));
    for (ssize_t i = 0; i < len;) {
      std::string name(names + i);
      i += static_cast<ssize_t>(name.size()) + 1;
      char value[4096];
      ssize_t vlen =
          lgetxattr(path.c_str(), name.c_str(), value, sizeof(value));
      if (vlen >= 0) {
        n.xattrs.emplace_back(name,
                              std::string(value, static_cast<size_t>(vlen)));
      }
    }
    std::sort(n.xattrs.begin(), n.xattrs.end());
    const bool whiteout = n.type == 'c' && st.st_rdev == 0;
    if (n.type != 'd' && !whiteout && st.st_nlink > 1) {
      inodes[{st.st_dev, st.st_ino}].push_back(rel);
    }
    tree[rel] = n;
  }
  for (auto& [inode, paths] : inodes) {
    std::sort(paths.begin(), paths.end());
    for (const std::string& p : paths) tree[p].link_group = paths.front();
  }
  return tree;
}

std::vector<std::string> ListNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string RandomBytes(size_t size, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < size; ++j) {
      out[i + j] = static_cast<char>(v >> (8 * j));
    }
  }
  return out;
}

std::string GetXattrOrNone(const std::string& path, const char* name) {
  char value[256];
  ssize_t n = lgetxattr(path.c_str(), name, value, sizeof(value));
  return n < 0 ? "<none>" : std::string(value, static_cast<size_t>(n));
}

UnpackFixture::UnpackFixture()
    : dest_(tmp_.MakeDir("dest")), sentinel_(tmp_.MakeDir("sentinel")) {}

void UnpackFixture::ExpectRejected(absl::string_view tar,
                                   absl::string_view entry,
                                   const UnpackOptions& options) {
  absl::StatusOr<UnpackResult> result =
      UnpackTarFromMemory(tar, dest_, options);
  ASSERT_FALSE(result.ok()) << "unpacked " << result->entries << " entries";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
      << result.status();
  // Long names are cut short in messages.
  EXPECT_THAT(
      std::string(result.status().message()),
      ::testing::HasSubstr(
          entry.size() <= 256
              ? absl::StrCat(" entry \"", entry, "\": ")
              : absl::StrCat(" entry \"", entry.substr(0, 256), "...\": ")));
  ExpectNothingLeft();
}

void UnpackFixture::ExpectNothingLeft() {
  EXPECT_THAT(ListNames(dest_), ::testing::IsEmpty());
  EXPECT_THAT(ListNames(sentinel_), ::testing::IsEmpty());
  EXPECT_THAT(ListNames(tmp_.path()),
              ::testing::ElementsAre("dest", "sentinel"));
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) Die("read " + path);
  return std::string((std::istreambuf_iterator<char>(file)),
                     std::istreambuf_iterator<char>());
}

void WriteFileOrDie(const std::string& path, absl::string_view data,
                    unsigned mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) Die("create " + path);
  if (write(fd, data.data(), data.size()) !=
      static_cast<ssize_t>(data.size())) {
    Die("write " + path);
  }
  fchmod(fd, mode);
  close(fd);
}

}  // namespace testing
}  // namespace layer
}  // namespace imaged
}  // namespace berth
