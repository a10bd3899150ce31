#include "tests/support/busybox.h"

#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"
#include "tests/support/process.h"

namespace berth::testing {

std::string MakeBusyboxTar(const std::string& dir) {
  const std::string tar = dir + "/busybox.tar";
  // Made once per directory: a second call reuses it (its links exist).
  if (access(tar.c_str(), F_OK) == 0) return tar;
  const std::string rootfs = dir + "/busybox-rootfs";
  EXPECT_EQ(RunCommand({"/bin/mkdir", "-p", rootfs + "/bin", rootfs + "/etc",
                        rootfs + "/tmp", rootfs + "/mnt"})
                .exit_code,
            0);
  EXPECT_EQ(RunCommand({"/bin/cp", "/bin/busybox", rootfs + "/bin/busybox"})
                .exit_code,
            0);
  for (const char* applet :
       {"sh", "ls", "cat", "echo", "true", "false", "ps", "hostname", "id",
        "sleep", "unshare", "mount", "head", "dd", "seq", "grep", "wc",
        "kill", "yes", "env", "pwd", "touch", "mkdir", "cut", "tr", "tty",
        "readlink"}) {
    EXPECT_EQ(symlink("busybox", (rootfs + "/bin/" + applet).c_str()), 0);
  }
  std::ofstream(rootfs + "/etc/passwd")
      << "root:x:0:0:root:/root:/bin/sh\n"
      << "app:x:1000:1000:app:/home/app:/bin/sh\n";
  std::ofstream(rootfs + "/etc/group") << "root:x:0:\napp:x:1000:\n";
  EXPECT_EQ(RunCommand({"/bin/tar", "-C", rootfs, "-cf", tar, "."}).exit_code,
            0);
  return tar;
}

}  // namespace berth::testing
