// End to end: volumes, bind mounts, tmpfs mounts and devices through the
// real CLI and berthd, against real containers: data that outlives its
// containers and the daemon, Docker's backup-and-restore recipe with
// --volumes-from, copy-up, read-only and live binds, bounded tmpfs, and
// what must be refused.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

std::string Trimmed(const std::string& text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Detaches a mount the test made when it goes out of scope, also when an
// assertion ends the test early.
struct MountGuard {
  std::string path;
  ~MountGuard() { umount2(path.c_str(), MNT_DETACH); }
};

class VolumeE2eTest : public ContainerE2eTest {
 protected:
  std::set<std::string> VolumeNames(std::vector<std::string> filters = {}) {
    std::vector<std::string> args = {"volume", "ls", "-q"};
    for (const std::string& filter : filters) {
      args.insert(args.end(), {"--filter", filter});
    }
    RunResult listed = env_.Berth(args);
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    std::vector<std::string> lines = Lines(listed.out);
    return {lines.begin(), lines.end()};
  }

  // The mounts the environment's root holds (volumes' filesystems).
  std::vector<std::string> MountsUnderRoot() {
    std::ifstream in("/proc/self/mountinfo");
    std::vector<std::string> found;
    std::string line;
    while (std::getline(in, line)) {
      if (absl::StrContains(line, env_.root())) found.push_back(line);
    }
    return found;
  }

  // A host directory of the test's own, for binds.
  std::string HostDir(const std::string& name) {
    const std::string dir = absl::StrCat(env_.dir(), "/", name);
    mkdir(dir.c_str(), 0755);
    return dir;
  }
};

TEST_F(VolumeE2eTest, NamedVolumeOutlivesItsContainersAndTheDaemon) {
  RunResult wrote = RunScript("echo kept > /data/f", {"-v", "keep:/data"});
  ASSERT_EQ(wrote.exit_code, 0) << wrote.err;
  RunResult read = RunScript("cat /data/f", {"-v", "keep:/data"});
  EXPECT_EQ(read.out, "kept\n") << read.err;

  ASSERT_EQ(berthd_->Stop(), 0);
  StartBerthd();
  read = RunScript("cat /data/f", {"-v", "keep:/data"});
  EXPECT_EQ(read.out, "kept\n") << read.err;

  RunResult inspected = env_.Berth({"volume", "inspect", "keep"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  nlohmann::json volume = nlohmann::json::parse(inspected.out)[0];
  EXPECT_EQ(volume["Name"], "keep");
  EXPECT_EQ(volume["Driver"], "local");
  EXPECT_EQ(volume["Scope"], "local");
  const std::string mountpoint = volume["Mountpoint"].get<std::string>();
  EXPECT_EQ(mountpoint, env_.root() + "/volumed/volumes/keep/_data");
  EXPECT_TRUE(Exists(mountpoint + "/f"));
  // `berth inspect` finds volumes (and networks) too, as `docker inspect`.
  RunResult generic = env_.Berth({"inspect", "-f", "{{.Mountpoint}}", "keep"});
  EXPECT_EQ(Trimmed(generic.out), mountpoint) << generic.err;
  RunResult network = env_.Berth({"inspect", "--type", "network", "-f", "{{.Name}}", "bridge"});
  EXPECT_EQ(Trimmed(network.out), "bridge") << network.err;
  RunResult missing = env_.Berth({"inspect", "no-such-thing"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(missing.err, "No such object: no-such-thing")) << missing.err;

  RunResult removed = env_.Berth({"volume", "rm", "keep"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(Trimmed(removed.out), "keep");
  EXPECT_EQ(VolumeNames().count("keep"), 0u);
  EXPECT_FALSE(Exists(mountpoint));
  // A new volume of that name starts empty.
  read = RunScript("ls /data | wc -l", {"-v", "keep:/data"});
  EXPECT_EQ(Trimmed(read.out), "0") << read.err;
  EXPECT_EQ(env_.Berth({"volume", "rm", "keep"}).exit_code, 0);
}

TEST_F(VolumeE2eTest, InspectShowsMountsAsDocker) {
  const std::string host = HostDir("shown");
  RunResult created = env_.Berth(
      {"create", "--name", "shown", "-v", "named:/n", "-v", host + ":/h:ro",
       "--mount", "type=tmpfs,destination=/t", "busybox", "true"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  nlohmann::json mounts = Inspect("shown")["Mounts"];
  ASSERT_EQ(mounts.size(), 3u) << mounts.dump();
  std::map<std::string, nlohmann::json> by_destination;
  for (const nlohmann::json& mount : mounts) {
    by_destination[mount["Destination"].get<std::string>()] = mount;
  }
  EXPECT_EQ(by_destination["/n"]["Type"], "volume");
  EXPECT_EQ(by_destination["/n"]["Name"], "named");
  EXPECT_EQ(by_destination["/n"]["Source"],
            env_.root() + "/volumed/volumes/named/_data");
  EXPECT_EQ(by_destination["/n"]["Driver"], "local");
  EXPECT_EQ(by_destination["/n"]["RW"], true);
  EXPECT_EQ(by_destination["/h"]["Type"], "bind");
  EXPECT_EQ(by_destination["/h"]["Source"], host);
  EXPECT_EQ(by_destination["/h"]["RW"], false);
  EXPECT_EQ(by_destination["/h"]["Propagation"], "rprivate");
  EXPECT_EQ(by_destination["/t"]["Type"], "tmpfs");
  EXPECT_EQ(env_.Berth({"rm", "shown"}).exit_code, 0);
  EXPECT_EQ(env_.Berth({"volume", "rm", "named"}).exit_code, 0);
}

TEST_F(VolumeE2eTest, ReadOnlyRefusesWritesAndABindSeesTheHostLive) {
  const std::string host = HostDir("live");
  RunResult ro = RunScript("echo x > /b/f", {"-v", host + ":/b:ro"});
  EXPECT_NE(ro.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(ro.err + ro.out, "Read-only file system"))
      << ro.err << ro.out;
  EXPECT_FALSE(Exists(host + "/f"));

  RunResult ro_volume = RunScript("touch /v/f", {"-v", "rov:/v:ro"});
  EXPECT_NE(ro_volume.exit_code, 0);

  // Read-only all the way down: a mount below the bind's source too.
  const std::string sub = host + "/sub";
  ASSERT_EQ(mkdir(sub.c_str(), 0755), 0);
  ASSERT_EQ(mount("tmpfs", sub.c_str(), "tmpfs", 0, "size=1m"), 0) << errno;
  std::optional<MountGuard> unmount_sub(MountGuard{sub});
  RunResult below = RunScript("touch /b/sub/f", {"-v", host + ":/b:ro"});
  EXPECT_NE(below.exit_code, 0) << below.out;
  EXPECT_TRUE(absl::StrContains(below.err, "Read-only file system")) << below.err;
  RunResult writable = RunScript("touch /b/sub/f && echo ok", {"-v", host + ":/b"});
  EXPECT_EQ(writable.out, "ok\n") << writable.err;
  unmount_sub.reset();

  RunResult started = env_.Berth({"run", "-d", "--name", "live", "-v",
                                  host + ":/b", "busybox", "sleep", "600"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  {
    std::ofstream out(host + "/from-host");
    out << "hello from the host\n";
  }
  RunResult seen = env_.Berth({"exec", "live", "cat", "/b/from-host"});
  EXPECT_EQ(seen.out, "hello from the host\n") << seen.err;
  EXPECT_EQ(env_.Berth({"exec", "live", "sh", "-c", "echo back > /b/from-ctr"})
                .exit_code,
            0);
  std::ifstream back(host + "/from-ctr");
  std::string line;
  std::getline(back, line);
  EXPECT_EQ(line, "back");
  EXPECT_EQ(env_.Berth({"rm", "-f", "live"}).exit_code, 0);
  EXPECT_EQ(env_.Berth({"volume", "rm", "rov"}).exit_code, 0);
}

TEST_F(VolumeE2eTest, TmpfsIsEmptyOnEveryStartAndBoundedBySize) {
  RunResult started =
      env_.Berth({"run", "-d", "--name", "scratch", "--tmpfs",
                  "/scratch:size=1m", "busybox", "sleep", "600"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  // Docker's inspect: in HostConfig.Tmpfs, not among the Mounts.
  nlohmann::json inspected = Inspect("scratch");
  EXPECT_EQ(inspected["HostConfig"]["Tmpfs"], nlohmann::json({{"/scratch", "size=1m"}}));
  EXPECT_TRUE(inspected["Mounts"].empty()) << inspected["Mounts"].dump();
  RunResult filled = env_.Berth(
      {"exec", "scratch", "sh", "-c",
       "echo a > /scratch/a; dd if=/dev/zero of=/scratch/big bs=1k count=2048 "
       "2>/dev/null; echo rc=$?; ls /scratch | wc -l"});
  EXPECT_EQ(filled.out, "rc=1\n2\n") << filled.err;
  ASSERT_EQ(env_.Berth({"restart", "-t", "0", "scratch"}).exit_code, 0);
  RunResult after = env_.Berth({"exec", "scratch", "sh", "-c", "ls /scratch | wc -l"});
  EXPECT_EQ(Trimmed(after.out), "0") << after.err;
  EXPECT_EQ(env_.Berth({"rm", "-f", "scratch"}).exit_code, 0);
}

TEST_F(VolumeE2eTest, BackupAndRestoreThroughVolumesFrom) {
  const std::string backup = HostDir("backup");
  RunResult made = env_.Berth(
      {"run", "--name", "dbdata", "-v", "/dbdata", "busybox", "sh", "-c",
       "mkdir -p /dbdata/sub && echo one > /dbdata/sub/a && echo two > "
       "/dbdata/b"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  // --volumes-from shares the very same data.
  RunResult shared = RunScript("cat /dbdata/sub/a", {"--volumes-from", "dbdata"});
  EXPECT_EQ(shared.out, "one\n") << shared.err;
  RunResult saved =
      RunScript("tar cvf /backup/backup.tar /dbdata",
                {"--volumes-from", "dbdata", "-v", backup + ":/backup"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_TRUE(Exists(backup + "/backup.tar"));

  ASSERT_EQ(env_.Berth({"run", "--name", "dbstore2", "-v", "/dbdata", "busybox",
                        "true"})
                .exit_code,
            0);
  RunResult restored = RunScript(
      "cd /dbdata && tar xvf /backup/backup.tar --strip 1",
      {"--volumes-from", "dbstore2", "-v", backup + ":/backup"});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  RunResult read = RunScript("cat /dbdata/sub/a /dbdata/b",
                             {"--volumes-from", "dbstore2"});
  EXPECT_EQ(read.out, "one\ntwo\n") << read.err;
  // Read-only when asked.
  RunResult ro = RunScript("touch /dbdata/c", {"--volumes-from", "dbstore2:ro"});
  EXPECT_NE(ro.exit_code, 0);

  // rm -v takes the anonymous volumes along; without -v they stay.
  const std::set<std::string> before = VolumeNames();
  ASSERT_EQ(env_.Berth({"rm", "-v", "dbdata"}).exit_code, 0);
  EXPECT_EQ(VolumeNames().size(), before.size() - 1);
  ASSERT_EQ(env_.Berth({"rm", "dbstore2"}).exit_code, 0);
  EXPECT_EQ(VolumeNames().size(), before.size() - 1);
  EXPECT_EQ(env_.Berth({"volume", "prune", "-f"}).exit_code, 0);
  EXPECT_TRUE(VolumeNames().empty());
}

TEST_F(VolumeE2eTest, CopyUpFillsAnEmptyVolumeButNeverOverwrites) {
  ASSERT_EQ(env_.Berth({"run", "--name", "seed", "busybox", "sh", "-c",
                        "mkdir /seed && echo seeded > /seed/f && chmod 640 "
                        "/seed/f && chown 12:34 /seed/f"})
                .exit_code,
            0);
  ASSERT_EQ(env_.Berth({"commit", "seed", "seeded"}).exit_code, 0);
  RunResult first = env_.Berth({"run", "--rm", "-v", "cu:/seed", "seeded", "sh",
                                "-c", "cat /seed/f; stat -c '%a %u %g' /seed/f"});
  EXPECT_EQ(first.out, "seeded\n640 12 34\n") << first.err;
  ASSERT_EQ(RunScript("echo mine > /seed/f", {"-v", "cu:/seed"}).exit_code, 0);
  RunResult again =
      env_.Berth({"run", "--rm", "-v", "cu:/seed", "seeded", "cat", "/seed/f"});
  EXPECT_EQ(again.out, "mine\n") << again.err;

  // A volume that already holds something is not filled.
  ASSERT_EQ(RunScript("echo own > /seed/own", {"-v", "full:/seed"}).exit_code, 0);
  RunResult full =
      env_.Berth({"run", "--rm", "-v", "full:/seed", "seeded", "ls", "/seed"});
  EXPECT_EQ(full.out, "own\n") << full.err;
  // nocopy leaves a new volume empty.
  RunResult nocopy = env_.Berth(
      {"run", "--rm", "-v", "nc:/seed:nocopy", "seeded", "ls", "/seed"});
  EXPECT_EQ(nocopy.out, "") << nocopy.err;
  for (const char* name : {"cu", "full", "nc"}) {
    EXPECT_EQ(env_.Berth({"volume", "rm", name}).exit_code, 0) << name;
  }
  EXPECT_EQ(env_.Berth({"rm", "seed"}).exit_code, 0);
}

TEST_F(VolumeE2eTest, InUseVolumesAreNotRemovedAndPruneTakesOnlyUnusedOnes) {
  RunResult busy = env_.Berth({"run", "-d", "--name", "busy", "-v", "busy:/d",
                               "busybox", "sleep", "600"});
  ASSERT_EQ(busy.exit_code, 0) << busy.err;
  const std::string id = Trimmed(busy.out);
  RunResult refused = env_.Berth({"volume", "rm", "busy"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(refused.err, "volume is in use"))
      << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.err, id)) << refused.err;
  EXPECT_EQ(env_.Berth({"volume", "rm", "-f", "busy"}).exit_code, 1);

  ASSERT_EQ(env_.Berth({"volume", "create", "idle"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"run", "--name", "anon", "-v", "/x", "busybox", "true"})
                .exit_code,
            0);
  ASSERT_EQ(env_.Berth({"rm", "anon"}).exit_code, 0);
  EXPECT_EQ(VolumeNames().size(), 3u);
  EXPECT_EQ(VolumeNames({"dangling=true"}).size(), 2u);

  // Without -a only anonymous volumes go.
  ASSERT_EQ(env_.Berth({"volume", "prune", "-f"}).exit_code, 0);
  EXPECT_EQ(VolumeNames(), (std::set<std::string>{"busy", "idle"}));
  RunResult pruned = env_.Berth({"volume", "prune", "-a", "-f"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_TRUE(absl::StrContains(pruned.out, "idle")) << pruned.out;
  EXPECT_EQ(VolumeNames(), (std::set<std::string>{"busy"}));
  EXPECT_EQ(env_.Berth({"rm", "-f", "busy"}).exit_code, 0);
  EXPECT_EQ(env_.Berth({"volume", "rm", "busy"}).exit_code, 0);
}

TEST_F(VolumeE2eTest, SymlinksInTheImageCannotLeadMountsOntoTheHost) {
  const std::string marker = "berth-volume-test-escape";
  ASSERT_FALSE(Exists("/etc/" + marker));
  ASSERT_EQ(env_.Berth({"run", "--name", "evil", "busybox", "sh", "-c",
                        "ln -s /etc /vol && ln -s /etc /link"})
                .exit_code,
            0);
  ASSERT_EQ(env_.Berth({"commit", "--change", "VOLUME /vol", "evil", "evil"})
                .exit_code,
            0);
  RunResult through_volume =
      env_.Berth({"run", "--rm", "evil", "sh", "-c",
                   absl::StrCat("echo pwned > /vol/", marker)});
  EXPECT_EQ(through_volume.exit_code, 0) << through_volume.err;
  const std::string host = HostDir("bindsrc");
  RunResult through_bind =
      env_.Berth({"run", "--rm", "-v", absl::StrCat(host, ":/link/", marker),
                  "evil", "sh", "-c", absl::StrCat("touch /link/", marker, "/x")});
  EXPECT_EQ(through_bind.exit_code, 0) << through_bind.err;
  EXPECT_FALSE(Exists("/etc/" + marker));
  EXPECT_TRUE(Exists(host + "/x"));
  unlink(("/etc/" + marker).c_str());
  EXPECT_EQ(env_.Berth({"rm", "evil"}).exit_code, 0);
  EXPECT_EQ(env_.Berth({"volume", "prune", "-f"}).exit_code, 0);
}

// Docker's bind propagation: rslave sees the host's later mounts under the
// source, rprivate (the default) does not, rshared also gives the host the
// container's mounts. The source is a shared mount the test makes.
TEST_F(VolumeE2eTest, BindPropagationAsAsked) {
  const std::string src = HostDir("propagated");
  ASSERT_EQ(mount("tmpfs", src.c_str(), "tmpfs", 0, "size=1m"), 0) << errno;
  ASSERT_EQ(mount(nullptr, src.c_str(), nullptr, MS_SHARED, nullptr), 0) << errno;
  MountGuard unmount{src};
  ASSERT_EQ(mkdir((src + "/later").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((src + "/inner").c_str(), 0755), 0);
  for (const char* mode : {"rslave", "rprivate"}) {
    RunResult started = env_.Berth({"run", "-d", "--name", mode, "-v",
                                    absl::StrCat(src, ":/src:", mode), "busybox",
                                    "sleep", "600"});
    ASSERT_EQ(started.exit_code, 0) << started.err;
  }
  // Mounted on the host after the containers started.
  const std::string later = src + "/later";
  ASSERT_EQ(mount("tmpfs", later.c_str(), "tmpfs", 0, "size=1m"), 0) << errno;
  MountGuard unmount_later{later};
  { std::ofstream(later + "/seen") << "x"; }
  EXPECT_EQ(env_.Berth({"exec", "rslave", "cat", "/src/later/seen"}).out, "x");
  EXPECT_NE(env_.Berth({"exec", "rprivate", "cat", "/src/later/seen"}).exit_code, 0);

  RunResult shared = env_.Berth(
      {"run", "--rm", "--privileged", "-v", absl::StrCat(src, ":/src:rshared"),
       "busybox", "sh", "-c",
       "mount -t tmpfs none /src/inner && echo back > /src/inner/f"});
  EXPECT_EQ(shared.exit_code, 0) << shared.err;
  MountGuard unmount_inner{src + "/inner"};
  std::ifstream back(src + "/inner/f");
  std::string line;
  std::getline(back, line);
  EXPECT_EQ(line, "back");
  EXPECT_EQ(env_.Berth({"rm", "-f", "rslave", "rprivate"}).exit_code, 0);
}

// A volume's subpath is opened at each start without following links: a
// container that swaps it for a link to / cannot hand the host's root to
// the next start.
TEST_F(VolumeE2eTest, ASubpathSwappedForASymlinkIsRefusedAtStart) {
  ASSERT_EQ(RunScript("mkdir /x/app && echo inside > /x/app/f", {"-v", "shared:/x"})
                .exit_code,
            0);
  RunResult created = env_.Berth(
      {"create", "--name", "sub", "--mount",
       "type=volume,src=shared,dst=/data,volume-subpath=app", "busybox", "cat",
       "/data/f"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  RunResult first = env_.Berth({"start", "-a", "sub"});
  EXPECT_EQ(first.out, "inside\n") << first.err;
  ASSERT_EQ(RunScript("rm -rf /x/app && ln -s / /x/app", {"-v", "shared:/x"}).exit_code,
            0);
  RunResult swapped = env_.Berth({"start", "-a", "sub"});
  EXPECT_NE(swapped.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(swapped.err, "leads through a symlink")) << swapped.err;
  EXPECT_EQ(env_.Berth({"rm", "sub"}).exit_code, 0);
  EXPECT_EQ(env_.Berth({"volume", "rm", "shared"}).exit_code, 0);
}

// A volume on /etc goes beneath the files Berth writes there.
TEST_F(VolumeE2eTest, AVolumeOnEtcKeepsBerthsEtcFiles) {
  RunResult run = RunScript("cat /etc/hostname", {"--hostname", "etchost", "-v", "etcvol:/etc"});
  EXPECT_EQ(run.out, "etchost\n") << run.err;
  EXPECT_EQ(env_.Berth({"volume", "rm", "etcvol"}).exit_code, 0);
}

TEST_F(VolumeE2eTest, OnlyTheDevicesGivenAreUsable) {
  RunResult given = RunScript("echo x > /dev/mynull && echo ok",
                              {"--device", "/dev/null:/dev/mynull"});
  EXPECT_EQ(given.out, "ok\n") << given.err;
  // /dev/mem (1:1) is not among the defaults: its node can be made, not used.
  RunResult denied = RunScript(
      "mknod /tmp/mem c 1 1 && head -c 1 /tmp/mem >/dev/null; echo rc=$?",
      {"--device", "/dev/null:/dev/mynull"});
  EXPECT_EQ(denied.out, "rc=1\n") << denied.err;
  EXPECT_TRUE(absl::StrContains(denied.err, "Operation not permitted"))
      << denied.err;
}

TEST_F(VolumeE2eTest, BadInputIsRefusedWithExit125) {
  const std::vector<std::vector<std::string>> cases = {
      {"-v", "relative/dir:/x"},
      {"--mount", "type=bind,src=/tmp,dst=/x,bogus=1"},
      {"--mount", "type=volume,src=a/b,dst=/x"},
      {"--tmpfs", "/x:size=lots"},
      {"--mount", "type=bind,src=/nonexistent-berth-src,dst=/x"},
      {"--device", "/etc/passwd"},
  };
  for (const std::vector<std::string>& flags : cases) {
    RunResult refused = RunScript("true", flags);
    EXPECT_EQ(refused.exit_code, 125) << flags[1] << ": " << refused.err;
    EXPECT_FALSE(refused.err.empty()) << flags[1];
  }
  RunResult bad_name = env_.Berth({"volume", "create", "a/b"});
  EXPECT_NE(bad_name.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(bad_name.err, "a/b")) << bad_name.err;
  // Nothing was left behind by the refusals.
  EXPECT_TRUE(VolumeNames().empty());
  RunResult all = env_.Berth({"ps", "-a", "-q"});
  EXPECT_EQ(all.out, "");
}

}  // namespace
}  // namespace berth::testing
