// berth diff, export and cp end to end: berthd in a temp root, the real CLI,
// real containers, running and stopped; the host side checked with tar(1)
// and the filesystem. Every container is removed by the fixture's daemon
// teardown (its temp root goes with it).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"
#include "tests/support/process.h"

namespace berth::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

class FilesE2eTest : public ContainerE2eTest {
 protected:
  // A container that made /new/f, appended to /etc/passwd and removed
  // /etc/group, then exited (or, with `keep_running`, sleeps on).
  void MakeChanged(const std::string& name, bool keep_running) {
    std::vector<std::string> args = {"run", "--name", name};
    if (keep_running) args.push_back("-d");
    args.insert(args.end(),
                {"busybox", "sh", "-c",
                 std::string("mkdir /new && echo hello > /new/f && "
                             "echo more >> /etc/passwd && busybox rm /etc/group") +
                     (keep_running ? " && sleep 1000" : "")});
    RunResult run = env_.Berth(args);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    if (keep_running) {
      // The changes are made once the file is there.
      for (int i = 0; i < 100; ++i) {
        if (env_.Berth({"diff", name}).out.find("/new/f") != std::string::npos) break;
        absl::SleepFor(absl::Milliseconds(100));
      }
    }
  }
  std::string HostDir(const std::string& name) {
    const std::string dir = absl::StrCat(env_.dir(), "/", name);
    mkdir(dir.c_str(), 0755);
    return dir;
  }
  std::vector<std::string> TarNames(const std::string& tar_path) {
    RunResult listed = RunCommand({"/bin/tar", "-tf", tar_path});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    return Lines(listed.out);
  }
};

TEST_F(FilesE2eTest, DiffListsWhatAStoppedAndARunningContainerChanged) {
  for (bool running : {false, true}) {
    const std::string name = running ? "changed-running" : "changed-stopped";
    MakeChanged(name, running);
    RunResult diff = env_.Berth({"diff", name});
    ASSERT_EQ(diff.exit_code, 0) << diff.err;
    const std::vector<std::string> lines = Lines(diff.out);
    EXPECT_THAT(lines, IsSupersetOf({"C /etc", "D /etc/group", "C /etc/passwd",
                                     "A /new", "A /new/f"}))
        << diff.out;
    // Docker's order: a directory right before what is below it.
    auto at = [&](const std::string& line) {
      return std::find(lines.begin(), lines.end(), line) - lines.begin();
    };
    EXPECT_LT(at("C /etc"), at("D /etc/group"));
    EXPECT_LT(at("D /etc/group"), at("C /etc/passwd"));
    EXPECT_LT(at("A /new"), at("A /new/f"));
  }
  RunResult missing = env_.Berth({"diff", "nothere"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("No such container: nothere"));
}

TEST_F(FilesE2eTest, ExportWritesTheWholeFilesystem) {
  MakeChanged("exported", false);
  const std::string tar = env_.dir() + "/exported.tar";
  RunResult exported = env_.Berth({"export", "-o", tar, "exported"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::vector<std::string> names = TarNames(tar);
  EXPECT_THAT(names, IsSupersetOf({"bin/busybox", "etc/passwd", "new/", "new/f"}));
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("etc/group")));
  const std::string out = HostDir("untarred");
  ASSERT_EQ(RunCommand({"/bin/tar", "-C", out, "-xf", tar}).exit_code, 0);
  EXPECT_EQ(Read(out + "/new/f"), "hello\n");
  EXPECT_THAT(Read(out + "/etc/passwd"), HasSubstr("more\n"));

  // To stdout, from a running container: its overlay without /proc's files.
  MakeChanged("exported-running", true);
  RunResult piped = env_.Berth({"export", "exported-running"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  std::ofstream(env_.dir() + "/running.tar") << piped.out;
  const std::vector<std::string> running = TarNames(env_.dir() + "/running.tar");
  EXPECT_THAT(running, ::testing::Contains("new/f"));
  EXPECT_THAT(running, ::testing::Not(::testing::Contains("proc/self")));
}

TEST_F(FilesE2eTest, CopiesInAndOutOfStoppedAndRunningContainers) {
  const std::string src = HostDir("src");
  mkdir((src + "/sub").c_str(), 0750);
  std::ofstream(src + "/sub/file") << "content";
  std::ofstream(src + "/top") << "top";
  chmod((src + "/top").c_str(), 0741);
  ASSERT_EQ(symlink("sub/file", (src + "/link").c_str()), 0);
  ASSERT_EQ(link((src + "/top").c_str(), (src + "/hard").c_str()), 0);
  for (bool running : {false, true}) {
    const std::string name = running ? "cp-running" : "cp-stopped";
    MakeChanged(name, running);
    // A directory to a new name, a file into a directory, a file to a name.
    ASSERT_EQ(env_.Berth({"cp", src, name + ":/copied"}).exit_code, 0);
    ASSERT_EQ(env_.Berth({"cp", src + "/top", name + ":/tmp"}).exit_code, 0);
    ASSERT_EQ(env_.Berth({"cp", src + "/top", name + ":/tmp/renamed"}).exit_code, 0);
    ASSERT_EQ(env_.Berth({"cp", src + "/.", name + ":/new"}).exit_code, 0);
    // And back out.
    const std::string out = HostDir(name + "-out");
    RunResult back = env_.Berth({"cp", name + ":/copied", out});
    ASSERT_EQ(back.exit_code, 0) << back.err;
    EXPECT_EQ(Read(out + "/copied/sub/file"), "content");
    EXPECT_EQ(Read(out + "/copied/top"), "top");
    struct stat st, other;
    ASSERT_EQ(lstat((out + "/copied/top").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0741u);
    ASSERT_EQ(lstat((out + "/copied/hard").c_str(), &other), 0);
    EXPECT_EQ(st.st_ino, other.st_ino);
    ASSERT_EQ(lstat((out + "/copied/sub").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0750u);
    char target[64] = {};
    ASSERT_GT(readlink((out + "/copied/link").c_str(), target, sizeof target), 0);
    EXPECT_STREQ(target, "sub/file");
    // A file to a new host name, a directory's contents, the renamed copy.
    ASSERT_EQ(env_.Berth({"cp", name + ":/new/f", out + "/f-copy"}).exit_code, 0);
    EXPECT_EQ(Read(out + "/f-copy"), "hello\n");
    ASSERT_EQ(env_.Berth({"cp", name + ":/new/.", out + "/new-contents"}).exit_code, 0);
    EXPECT_EQ(Read(out + "/new-contents/f"), "hello\n");
    EXPECT_EQ(Read(out + "/new-contents/top"), "top");
    ASSERT_EQ(env_.Berth({"cp", name + ":/tmp/renamed", out}).exit_code, 0);
    EXPECT_EQ(Read(out + "/renamed"), "top");
    ASSERT_EQ(env_.Berth({"cp", name + ":/tmp/top", out + "/tmp-top"}).exit_code, 0);
    EXPECT_EQ(Read(out + "/tmp-top"), "top");
  }
  // Without -a the files are the container's root's.
  RunResult owner = env_.Berth({"exec", "cp-running", "sh", "-c",
                                "busybox stat -c %u:%g /copied/top"});
  ASSERT_EQ(owner.exit_code, 0) << owner.err;
  EXPECT_THAT(Lines(owner.out), ElementsAre("0:0"));
}

TEST_F(FilesE2eTest, TarStreamsThroughStdinAndStdout) {
  MakeChanged("streams", false);
  RunResult out = env_.Berth({"cp", "streams:/new", "-"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  std::ofstream(env_.dir() + "/new.tar") << out.out;
  EXPECT_THAT(TarNames(env_.dir() + "/new.tar"), ElementsAre("new/", "new/f"));

  const std::string src = HostDir("stream-src");
  std::ofstream(src + "/in") << "from stdin";
  const std::string tar = env_.dir() + "/in.tar";
  ASSERT_EQ(RunCommand({"/bin/tar", "-C", src, "-cf", tar, "in"}).exit_code, 0);
  RunResult in = env_.BerthWithInput({"cp", "-", "streams:/new"}, Read(tar));
  ASSERT_EQ(in.exit_code, 0) << in.err;
  RunResult check = env_.Berth({"cp", "streams:/new/in", "-"});
  EXPECT_THAT(check.out, HasSubstr("from stdin"));

  RunResult to_file = env_.BerthWithInput({"cp", "-", "streams:/new/f"}, Read(tar));
  EXPECT_EQ(to_file.exit_code, 1);
  EXPECT_THAT(to_file.err, HasSubstr("destination \"streams:/new/f\" must be a directory"));
}

TEST_F(FilesE2eTest, CommitMakesAnImageOfTheChanges) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "src", "-e", "FROM=run", "busybox",
                        "sh", "-c", "echo made > /made; exec sleep 600"})
                .exit_code,
            0);
  for (int i = 0; i < 50 && env_.Berth({"exec", "src", "cat", "/made"}).exit_code != 0;
       ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  RunResult committed = env_.Berth({"commit", "-c", "ENV X=1", "-m", "by test",
                                    "-a", "tester", "src", "mine:v1"});
  ASSERT_EQ(committed.exit_code, 0) << committed.err;
  EXPECT_EQ(committed.out.rfind("sha256:", 0), 0u) << committed.out;
  EXPECT_EQ(committed.out.size(), 7u + 64u + 1u);
  // The container ran on, unpaused.
  EXPECT_EQ(Inspect("src")["State"]["Status"], "running");
  RunResult used = env_.Berth({"run", "--rm", "mine:v1", "sh", "-c",
                               "cat /made; echo $X $FROM"});
  EXPECT_EQ(used.exit_code, 0) << used.err;
  EXPECT_EQ(used.out, "made\n1 run\n");
  RunResult author = env_.Berth({"image", "inspect", "-f", "{{.Author}} {{.Comment}}",
                                 "mine:v1"});
  EXPECT_EQ(author.out, "tester by test\n");
  // The new layer is on top of the history, with its comment.
  RunResult history = env_.Berth({"history", "--format", "{{.Comment}}", "mine:v1"});
  EXPECT_EQ(Lines(history.out).front(), "by test") << history.out;
  // export | import round trips the container's files.
  const std::string tar = env_.dir() + "/src.tar";
  ASSERT_EQ(env_.Berth({"export", "-o", tar, "src"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"import", tar, "flat:v1"}).exit_code, 0);
  EXPECT_EQ(env_.Berth({"run", "--rm", "flat:v1", "cat", "/made"}).out, "made\n");
  RunResult missing = env_.Berth({"commit", "nosuch"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("No such container: nosuch"));
}

TEST_F(FilesE2eTest, ErrorsInDockersWords) {
  MakeChanged("errors", false);
  RunResult missing = env_.Berth({"cp", "errors:/nothere", env_.dir()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("Could not find the file /nothere in container errors"));
  RunResult no_ctr = env_.Berth({"cp", "nobody:/etc", env_.dir()});
  EXPECT_EQ(no_ctr.exit_code, 1);
  EXPECT_THAT(no_ctr.err, HasSubstr("No such container: nobody"));
  RunResult two = env_.Berth({"cp", "a:/x", "b:/y"});
  EXPECT_EQ(two.exit_code, 1);
  EXPECT_THAT(two.err, HasSubstr("copying between containers is not supported"));
  RunResult none = env_.Berth({"cp", "a", "b"});
  EXPECT_THAT(none.err, HasSubstr("must specify at least one container source"));
  const std::string dir = HostDir("errs");
  RunResult not_dir = env_.Berth({"cp", dir, "errors:/new/f"});
  EXPECT_EQ(not_dir.exit_code, 1);
  EXPECT_THAT(not_dir.err, HasSubstr("cannot copy directory"));
  std::ofstream(dir + "/file") << "x";
  RunResult no_such_dir = env_.Berth({"cp", dir + "/file", "errors:/absent/"});
  EXPECT_THAT(no_such_dir.err, HasSubstr("no such directory"));
}

// A container whose /target is a symlink to /etc: cp into it writes the
// container's /etc, never the host's.
TEST_F(FilesE2eTest, SymlinksInTheContainerNeverReachTheHost) {
  RunResult run = env_.Berth({"run", "--name", "evil", "busybox", "sh", "-c",
                              "busybox ln -s /etc /target && "
                              "busybox ln -s ../../../../../../etc /up"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string src = HostDir("evil-src");
  const std::string marker = absl::StrCat("berth-cp-escape-", getpid());
  std::ofstream(src + "/" + marker) << "x";
  for (const char* into : {"evil:/target", "evil:/up/"}) {
    RunResult cp = env_.Berth({"cp", src + "/" + marker, into});
    ASSERT_EQ(cp.exit_code, 0) << cp.err;
  }
  EXPECT_NE(access(("/etc/" + marker).c_str(), F_OK), 0);
  RunResult inside = env_.Berth({"cp", "evil:/etc/" + marker, "-"});
  EXPECT_EQ(inside.exit_code, 0) << inside.err;
}

}  // namespace
}  // namespace berth::testing
