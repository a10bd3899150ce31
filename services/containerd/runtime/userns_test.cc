#include "services/containerd/runtime/userns.h"

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

using ::testing::HasSubstr;

TEST(IdMapTest, FormatsAndFindsRoot) {
  std::vector<IdMap> map = {{0, 100000, 1000}, {1000, 5000, 1}};
  EXPECT_EQ(FormatIdMap(map), "0 100000 1000\n1000 5000 1\n");
  EXPECT_EQ(*HostIdOfRoot(map), 100000u);
  EXPECT_TRUE(absl::IsNotFound(HostIdOfRoot({{1, 2, 3}}).status()));
}

TEST(IdMapTest, ValidationNamesTheProblem) {
  EXPECT_TRUE(ValidateIdMap({{0, 100000, 65536}}, "uid").ok());
  EXPECT_THAT(std::string(ValidateIdMap({}, "uid").message()),
              HasSubstr("no uid mapping"));
  EXPECT_THAT(std::string(ValidateIdMap({{0, 1, 0}}, "gid").message()),
              HasSubstr("size must be positive"));
  EXPECT_THAT(std::string(ValidateIdMap({{0, 4294967000u, 65536}}, "uid").message()),
              HasSubstr("overflows"));
  EXPECT_THAT(
      std::string(ValidateIdMap({{0, 100000, 10}, {5, 200000, 10}}, "uid").message()),
      HasSubstr("overlaps"));
  EXPECT_THAT(std::string(ValidateIdMap({{1, 100000, 10}}, "uid").message()),
              HasSubstr("map container id 0"));
}

TEST(IdmapLowerDirsTest, NeedsLowerDirs) {
  std::vector<int> fds;
  EXPECT_TRUE(absl::IsInvalidArgument(
      IdmapLowerDirs("upperdir=/u,workdir=/w", -1, &fds).status()));
  EXPECT_TRUE(fds.empty());
}

// Root only: a real namespace, whose maps a process joining it sees.
TEST(CreateUserNamespaceTest, JoinersSeeTheMaps) {
  absl::StatusOr<int> fd =
      CreateUserNamespace({{0, 100000, 65536}}, {{0, 200000, 100}});
  ASSERT_TRUE(fd.ok()) << fd.status();
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    if (!JoinUserNamespace(*fd).ok()) _exit(1);
    std::ifstream uid("/proc/self/uid_map"), gid("/proc/self/gid_map");
    std::stringstream text;
    text << uid.rdbuf() << gid.rdbuf();
    const std::string out = text.str();
    if (write(pipe_fds[1], out.data(), out.size()) < 0) _exit(2);
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string out;
  char buffer[256];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof(buffer))) > 0) out.append(buffer, n);
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_THAT(out, HasSubstr("0     100000      65536"));
  EXPECT_THAT(out, HasSubstr("0     200000        100"));
  close(*fd);
}

}  // namespace
}  // namespace runtime
}  // namespace containerd
}  // namespace berth
