#include "common/host_facts.h"

#include "gtest/gtest.h"

namespace berth {
namespace {

TEST(HostFactsTest, OsReleaseNamePrefersPrettyName) {
  EXPECT_EQ(OsReleaseName("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian "
                          "GNU/Linux 12 (bookworm)\"\nID=debian\n"),
            "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(OsReleaseName("NAME='Alpine Linux'\nID=alpine\n"), "Alpine Linux");
  EXPECT_EQ(OsReleaseName("ID=x\n"), "");
}

TEST(HostFactsTest, ReadsThisMachine) {
  types::v1::HostInfo host = ReadHostFacts();
  EXPECT_FALSE(host.kernel_version().empty());
  EXPECT_EQ(host.os_type(), "linux");
  EXPECT_GT(host.ncpu(), 0);
  EXPECT_GT(host.mem_total(), 0);
  EXPECT_FALSE(host.name().empty());
  EXPECT_EQ(BackingFilesystem("/proc/self/does-not-exist"), "<unknown>");
}

}  // namespace
}  // namespace berth
