// Round trips through WriteTreeTar and UntarInto on temp dirs, and the
// refusals that keep an archive inside its root. Runs without root: owners
// are left unchanged.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/fs_util.h"
#include "common/tree_archive/fd.h"
#include "common/tree_archive/tree_tar.h"
#include "common/tree_archive/tree_untar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::tree_archive {
namespace {

using ::testing::ElementsAre;

class TreeArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = getenv("TEST_TMPDIR");
    dir_ = *MakeTempDir(tmp != nullptr ? tmp : "/tmp", "tree-archive-");
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  std::string Make(const std::string& name) {
    const std::string path = dir_ + "/" + name;
    mkdir(path.c_str(), 0755);
    return path;
  }
  static void Write(const std::string& path, const std::string& data) {
    std::ofstream(path) << data;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }
  static Fd Open(const std::string& path) {
    return Fd(open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  // Entry names and the stream of `name` in `dir`.
  static std::string Tar(const std::string& dir, const std::string& name,
                         const TarTreeOptions& options) {
    std::string tar;
    Fd fd = Open(dir);
    EXPECT_TRUE(WriteTreeTar(fd.get(), name, options, [&](absl::string_view b) {
                  tar.append(b.data(), b.size());
                  return absl::OkStatus();
                }).ok());
    return tar;
  }
  static std::vector<std::string> Names(const std::string& tar) {
    std::vector<std::string> names;
    struct archive* a = archive_read_new();
    archive_read_support_format_tar(a);
    archive_read_open_memory(a, tar.data(), tar.size());
    struct archive_entry* e;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
      names.push_back(archive_entry_pathname(e));
    }
    archive_read_free(a);
    return names;
  }
  static ChunkSource From(const std::string& tar) {
    auto done = std::make_shared<bool>(false);
    return [tar, done]() -> absl::StatusOr<std::string> {
      if (*done) return std::string();
      *done = true;
      return tar;
    };
  }

  std::string dir_;
};

TEST_F(TreeArchiveTest, NamesFollowTheTop) {
  const std::string src = Make("src");
  Make("src/d");
  Write(src + "/d/f", "data");
  Write(src + "/b", "b");
  symlink("/etc/passwd", (src + "/link").c_str());
  link((src + "/b").c_str(), (src + "/d/hard").c_str());
  TarTreeOptions named;
  named.top = "src";
  EXPECT_THAT(Names(Tar(dir_, "src", named)),
              ElementsAre("src/", "src/b", "src/d/", "src/d/f", "src/d/hard",
                          "src/link"));
  TarTreeOptions contents;  // "src/." copies what is in it
  EXPECT_THAT(Names(Tar(src, "", contents)),
              ElementsAre("./", "./b", "./d/", "./d/f", "./d/hard", "./link"));
  TarTreeOptions exported;
  exported.include_top = false;
  EXPECT_THAT(Names(Tar(src, "", exported)),
              ElementsAre("b", "d/", "d/f", "d/hard", "link"));
}

TEST_F(TreeArchiveTest, RoundTripKeepsContentModesLinks) {
  const std::string src = Make("src");
  Make("src/d");
  Write(src + "/d/f", "data");
  chmod((src + "/d/f").c_str(), 0640);
  symlink("../b", (src + "/d/rel").c_str());
  Write(src + "/b", "bee");
  link((src + "/b").c_str(), (src + "/d/hard").c_str());
  TarTreeOptions options;
  options.top = "copy";
  const std::string tar = Tar(dir_, "src", options);
  const std::string dest = Make("dest");
  Fd root = Open(dest);
  ASSERT_TRUE(UntarInto(From(tar), root.get(), "/", {}).ok());
  EXPECT_EQ(Read(dest + "/copy/d/f"), "data");
  struct stat st, other;
  ASSERT_EQ(stat((dest + "/copy/d/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  char target[64] = {};
  ASSERT_GT(readlink((dest + "/copy/d/rel").c_str(), target, sizeof target), 0);
  EXPECT_STREQ(target, "../b");
  ASSERT_EQ(stat((dest + "/copy/b").c_str(), &st), 0);
  ASSERT_EQ(stat((dest + "/copy/d/hard").c_str(), &other), 0);
  EXPECT_EQ(st.st_ino, other.st_ino);
}

// An archive with its own symlink to "/" then an entry through it: the
// entry lands inside the root, not on the host.
TEST_F(TreeArchiveTest, SymlinksNeverLeadOutOfTheRoot) {
  std::string tar;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open(
      a, &tar, nullptr,
      [](struct archive*, void* out, const void* data, size_t n) -> la_ssize_t {
        static_cast<std::string*>(out)->append(static_cast<const char*>(data), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "evil");
  archive_entry_set_filetype(e, AE_IFLNK);
  archive_entry_set_symlink(e, "/");
  archive_write_header(a, e);
  archive_entry_clear(e);
  const std::string escaped = "escaped-" + std::to_string(getpid());
  archive_entry_set_pathname(e, ("evil/" + escaped).c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, 2);
  archive_write_header(a, e);
  archive_write_data(a, "hi", 2);
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);

  const std::string root = Make("root");
  Make("root/dest");
  Fd fd = Open(root);
  ASSERT_TRUE(UntarInto(From(tar), fd.get(), "/dest", {}).ok());
  EXPECT_EQ(Read(root + "/" + escaped), "hi");
  EXPECT_NE(access(("/" + escaped).c_str(), F_OK), 0);
}

TEST_F(TreeArchiveTest, RefusesDirectoryOverwriteAndMissingDest) {
  const std::string src = Make("src");
  Write(src + "/x", "file");
  TarTreeOptions options;
  options.top = "x";
  const std::string tar = Tar(src, "x", options);
  const std::string dest = Make("dest");
  Make("dest/x");
  Fd root = Open(dest);
  absl::Status status = UntarInto(From(tar), root.get(), "/", {});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(UntarInto(From(tar), root.get(), "/missing", {}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(UntarInto(From("not a tar at all, not at all"), root.get(), "/", {})
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace berth::tree_archive
