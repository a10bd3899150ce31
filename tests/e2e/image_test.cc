// End to end: images through the real berth CLI against berthd in a
// temporary root, with a busybox image made from Debian's busybox-static.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/imaged/test_archives.h"
#include "tests/support/berth_env.h"
#include "tests/support/busybox.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::vector<std::string> kAll = {"imaged", "containerd", "netd",
                                       "volumed"};

class ImageE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berthd_ = env_.StartDaemon(kBerthd);
    ASSERT_TRUE(env_.WaitHealthy(kAll));
  }

  std::string Import(const std::string& tag) {
    RunResult imported =
        env_.Berth({"import", MakeBusyboxTar(env_.dir()), tag});
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    return imported.out;
  }

  BerthEnv env_;
  std::unique_ptr<Daemon> berthd_;
};

TEST_F(ImageE2eTest, BusyboxImportsListsTagsSavesLoadsAndIsRemoved) {
  const std::string id_line = Import("busybox:latest");
  EXPECT_THAT(id_line, StartsWith("sha256:"));
  const std::string id = id_line.substr(0, 71);

  RunResult images = env_.Berth({"images"});
  ASSERT_EQ(images.exit_code, 0) << images.err;
  EXPECT_THAT(images.out, HasSubstr("REPOSITORY"));
  EXPECT_THAT(images.out, HasSubstr("IMAGE ID"));
  EXPECT_THAT(images.out, HasSubstr("busybox"));
  EXPECT_THAT(images.out, HasSubstr(id.substr(7, 12)));

  ASSERT_EQ(env_.Berth({"tag", "busybox", "mybox:1"}).exit_code, 0);
  RunResult inspect = env_.Berth({"image", "inspect", "mybox:1"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  nlohmann::json parsed = nlohmann::json::parse(inspect.out);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0]["Id"], id);
  EXPECT_EQ(parsed[0]["RepoTags"].size(), 2u);
  EXPECT_EQ(parsed[0]["RootFS"]["Layers"].size(), 1u);

  const std::string saved = env_.dir() + "/saved.tar";
  RunResult save = env_.Berth({"save", "-o", saved, "busybox:latest"});
  ASSERT_EQ(save.exit_code, 0) << save.err;

  RunResult untag = env_.Berth({"rmi", "mybox:1"});
  ASSERT_EQ(untag.exit_code, 0) << untag.err;
  EXPECT_THAT(untag.out, HasSubstr("Untagged: mybox:1"));
  RunResult remove = env_.Berth({"rmi", "busybox"});
  ASSERT_EQ(remove.exit_code, 0) << remove.err;
  EXPECT_THAT(remove.out, HasSubstr("Untagged: busybox:latest"));
  EXPECT_THAT(remove.out, HasSubstr("Deleted: " + id));
  EXPECT_THAT(env_.Berth({"images", "-q"}).out, Not(HasSubstr(id.substr(7, 12))));

  RunResult load = env_.Berth({"load", "-i", saved});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_THAT(load.out, HasSubstr("Loaded image: busybox:latest"));
  RunResult again = env_.Berth({"image", "inspect", "busybox"});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(again.out)[0]["Id"], id);

  RunResult history = env_.Berth({"history", "busybox"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr("CREATED BY"));
  EXPECT_THAT(history.out, HasSubstr("Imported from -"));
}

TEST_F(ImageE2eTest, StdinAndStdoutStreamsWork) {
  const std::string tar = MakeBusyboxTar(env_.dir());
  // import from stdin, save to stdout, load from stdin: through a shell.
  const std::string berth = Runfile(kBerthCli) + " --run-root " + env_.run_root();
  RunResult piped = RunCommand(
      {"/bin/sh", "-c",
       "cat " + tar + " | " + berth + " import - streamed:1 && " + berth +
           " save streamed:1 > " + env_.dir() + "/s.tar && " + berth +
           " rmi streamed:1 && " + berth + " load < " + env_.dir() + "/s.tar"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_THAT(piped.out, HasSubstr("Loaded image: streamed:1"));
}

// Docker writes one manifest entry per image with every tag it was saved
// under (Berth wrote one entry per tag), and a load or import whose output is
// not a terminal prints only its result (Berth printed layer progress too).
TEST_F(ImageE2eTest, SaveGroupsTagsAndQuietOutputWhenNotATerminal) {
  const std::string tar = MakeBusyboxTar(env_.dir());
  RunResult imported = env_.Berth({"import", tar, "bb:one"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, StartsWith("sha256:"));
  EXPECT_EQ(imported.err, "");
  ASSERT_EQ(env_.Berth({"tag", "bb:one", "bb:two"}).exit_code, 0);
  const std::string archive = env_.dir() + "/both.tar";
  ASSERT_EQ(env_.Berth({"save", "-o", archive, "bb:one", "bb:two"}).exit_code, 0);
  RunResult manifest = RunCommand({"/bin/tar", "-xOf", archive, "manifest.json"});
  ASSERT_EQ(manifest.exit_code, 0) << manifest.err;
  nlohmann::json entries = nlohmann::json::parse(manifest.out, nullptr, false);
  ASSERT_TRUE(entries.is_array()) << manifest.out;
  ASSERT_EQ(entries.size(), 1u) << manifest.out;
  EXPECT_EQ(entries[0]["RepoTags"], nlohmann::json({"bb:one", "bb:two"}));

  RunResult loaded = env_.Berth({"load", "-i", archive});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_EQ(loaded.out, "Loaded image: bb:one\nLoaded image: bb:two\n");
  EXPECT_EQ(loaded.err, "");
}

// `save -o` once had the root daemon create "<path>.berth-partial" with
// O_CREAT|O_TRUNC, following a symlink planted there into any file on the
// host. The CLI now writes the archive itself, through a temp file it creates
// exclusively, and renames it over the target.
TEST_F(ImageE2eTest, SaveNeverWritesThroughAPlantedSymlink) {
  Import("busybox:latest");
  const std::string victim = env_.dir() + "/victim";
  std::ofstream(victim) << "precious";
  const std::string saved = env_.dir() + "/out.tar";
  ASSERT_EQ(symlink(victim.c_str(), (saved + ".berth-partial").c_str()), 0);

  RunResult save = env_.Berth({"save", "-o", saved, "busybox:latest"});
  ASSERT_EQ(save.exit_code, 0) << save.err;
  std::ifstream in(victim);
  std::string content((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "precious");
  struct stat st;
  ASSERT_EQ(lstat(saved.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_GT(st.st_size, 1024);
  // No temp file is left beside the archive.
  auto names = ListDir(env_.dir());
  ASSERT_TRUE(names.ok());
  for (const std::string& name : *names) {
    EXPECT_THAT(name, Not(StartsWith(".out.tar.berth-"))) << name;
  }

  // A save that fails leaves neither the target nor a temp file.
  const std::string failed = env_.dir() + "/failed.tar";
  RunResult missing = env_.Berth({"save", "-o", failed, "nothing:here"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(access(failed.c_str(), F_OK), 0);
  RunResult no_dir =
      env_.Berth({"save", "-o", env_.dir() + "/no/such/dir.tar", "busybox"});
  EXPECT_EQ(no_dir.exit_code, 1);
  EXPECT_THAT(no_dir.err, HasSubstr("does not exist"));
}

// The store owns its bytes: an imported file is copied (handed over as a
// descriptor, never linked by path), so rewriting it later cannot change a
// stored blob under its digest.
TEST_F(ImageE2eTest, ImportedFileIsCopiedNotLinked) {
  const std::string tar = MakeBusyboxTar(env_.dir());
  ASSERT_EQ(env_.Berth({"import", tar, "copied:1"}).exit_code, 0);
  struct stat user;
  ASSERT_EQ(stat(tar.c_str(), &user), 0);
  EXPECT_EQ(user.st_nlink, 1u);
  const std::string blobs = env_.root() + "/imaged/blobs/sha256";
  auto names = ListDir(blobs);
  ASSERT_TRUE(names.ok());
  ASSERT_FALSE(names->empty());
  for (const std::string& name : *names) {
    struct stat blob;
    ASSERT_EQ(stat((blobs + "/" + name).c_str(), &blob), 0);
    EXPECT_FALSE(blob.st_ino == user.st_ino && blob.st_dev == user.st_dev)
        << name << " is the user's file";
  }
}

TEST_F(ImageE2eTest, BadInputGetsClearErrors) {
  RunResult missing = env_.Berth({"rmi", "nothing:here"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("No such image: nothing:here"));

  RunResult inspect = env_.Berth({"image", "inspect", "nothing"});
  EXPECT_EQ(inspect.exit_code, 1);
  EXPECT_THAT(inspect.err, HasSubstr("No such image: nothing"));

  Import("busybox:latest");
  RunResult bad_tag = env_.Berth({"tag", "busybox", "Bad:Tag"});
  EXPECT_EQ(bad_tag.exit_code, 1);
  EXPECT_THAT(bad_tag.err, HasSubstr("invalid reference format"));

  RunResult no_file = env_.Berth({"load", "-i", env_.dir() + "/none.tar"});
  EXPECT_NE(no_file.exit_code, 0);
  EXPECT_THAT(no_file.err, HasSubstr("none.tar"));

  std::ofstream(env_.dir() + "/junk.tar") << "this is not a tar archive";
  RunResult junk = env_.Berth({"load", "-i", env_.dir() + "/junk.tar"});
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_THAT(junk.err, HasSubstr("Error:"));

  EXPECT_EQ(env_.Berth({"tag", "busybox"}).exit_code, 1);  // as Docker's
  // Nothing above changed the store.
  RunResult images = env_.Berth({"images", "-q"});
  EXPECT_EQ(std::count(images.out.begin(), images.out.end(), '\n'), 1);
}

// A multi-layer archive of incompressible data, large enough that a load
// takes a while.
std::string MakeBigArchive() {
  std::mt19937_64 random(42);
  std::vector<std::string> layers;
  for (int layer = 0; layer < 6; ++layer) {
    std::string data(24 << 20, '\0');
    for (size_t i = 0; i + 8 <= data.size(); i += 8) {
      uint64_t word = random();
      memcpy(&data[i], &word, 8);
    }
    layers.push_back(imaged::testing::MakeTar(
        {{"data" + std::to_string(layer), std::move(data)}}));
  }
  return imaged::testing::MakeDockerArchive({{layers, {"big:1"}, {}, {}}});
}

TEST_F(ImageE2eTest, KillDuringLoadLeavesNoHalfImage) {
  const std::string archive = env_.dir() + "/big.tar";
  std::ofstream(archive, std::ios::binary) << MakeBigArchive();
  auto load = std::make_unique<Daemon>(
      std::vector<std::string>{Runfile(kBerthCli), "--run-root", env_.run_root(),
                               "load", "-i", archive},
      env_.dir() + "/load.log");
  // Kill once a layer sits in place but the image is not recorded yet.
  const std::string layers = env_.root() + "/imaged/layers";
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    auto names = ListDir(layers);
    if (names.ok() && !names->empty()) break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_FALSE(ListDir(layers)->empty()) << "the load never staged a layer";
  berthd_->Signal(SIGKILL);
  berthd_->Wait(absl::Seconds(10));
  load->Wait(absl::Seconds(10));

  berthd_ = env_.StartDaemon(kBerthd);
  ASSERT_TRUE(env_.WaitHealthy(kAll));
  RunResult images = env_.Berth({"images", "-a", "-q"});
  EXPECT_EQ(images.exit_code, 0);
  if (!images.out.empty()) {
    // The kill came after the load's last step (placing layers and
    // recording the image is quick): then the image must be whole, every
    // layer readable, and removing it must leave nothing behind.
    RunResult saved =
        env_.Berth({"save", "-o", env_.dir() + "/whole.tar", "big:1"});
    EXPECT_EQ(saved.exit_code, 0) << saved.err;
    RunResult removed = env_.Berth({"rmi", "big:1"});
    EXPECT_EQ(removed.exit_code, 0) << removed.err;
  }
  EXPECT_EQ(env_.Berth({"images", "-a", "-q"}).out, "");
  EXPECT_TRUE(ListDir(layers)->empty());
  EXPECT_TRUE(ListDir(env_.root() + "/imaged/tmp")->empty());
  EXPECT_TRUE(ListDir(env_.root() + "/imaged/blobs/sha256")->empty());

  // And the same archive loads completely afterwards.
  RunResult reload = env_.Berth({"load", "-q", "-i", archive});
  EXPECT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_THAT(reload.out, HasSubstr("Loaded image: big:1"));
}

}  // namespace
}  // namespace berth::testing
