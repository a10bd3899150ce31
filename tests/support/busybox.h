// Test images made from Debian's busybox-static.
#ifndef BERTH_TESTS_SUPPORT_BUSYBOX_H_
#define BERTH_TESTS_SUPPORT_BUSYBOX_H_

#include <string>

namespace berth::testing {

// Writes DIR/busybox.tar: a rootfs tarball with /bin/busybox, applet links,
// /etc/passwd and /etc/group (root, and "app" uid/gid 1000), /tmp. A
// second call for the same DIR returns the tar already there.
std::string MakeBusyboxTar(const std::string& dir);

}  // namespace berth::testing

#endif  // BERTH_TESTS_SUPPORT_BUSYBOX_H_
