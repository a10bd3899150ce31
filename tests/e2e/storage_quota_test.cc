// `--storage-opt size=` end to end: berthd's root on a filesystem of the
// test's own making (a loop-mounted ext4 image, or tmpfs), the real CLI, and
// containers writing past and within their writable layer's limit.
//
// The limit needs project quotas. On a kernel that cannot mount ext4 with
// the quota feature read-write (built without CONFIG_QFMT_V2, which ext4's
// quota files use) the enforcing test is skipped saying so; the refusals on
// tmpfs and on ext4 without quotas run everywhere.
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/berth_env.h"
#include "tests/support/busybox.h"

namespace berth::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kMkfsExt4[] = "/usr/sbin/mkfs.ext4";

// A filesystem mounted at a directory for the length of a test: tmpfs, or
// an image file formatted with mkfs.ext4 and attached to a free loop device.
// The destructor unmounts and detaches, also after a failed step; error()
// says what failed ("" once mounted).
class ScopedFilesystem {
 public:
  static std::unique_ptr<ScopedFilesystem> Tmpfs(const std::string& target,
                                                 const std::string& size) {
    auto fs = std::unique_ptr<ScopedFilesystem>(new ScopedFilesystem(target));
    if (mount("tmpfs", target.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) {
      fs->Fail("mount tmpfs", errno);
    } else {
      fs->mounted_ = true;
    }
    return fs;
  }

  // A sparse image of `megabytes` at `image`, `mkfs.ext4 mkfs_args`, mounted
  // with `options`.
  static std::unique_ptr<ScopedFilesystem> Ext4(
      const std::string& image, int megabytes,
      const std::vector<std::string>& mkfs_args, const std::string& target,
      const std::string& options) {
    auto fs = std::unique_ptr<ScopedFilesystem>(new ScopedFilesystem(target));
    fs->image_ = image;
    fs->AttachAndMount(megabytes, mkfs_args, options);
    return fs;
  }

  ~ScopedFilesystem() {
    if (mounted_ && umount(target_.c_str()) != 0) {
      // Something still has it open (a leftover container): detach it now;
      // the loop device, set to clear itself, goes with the last user.
      umount2(target_.c_str(), MNT_DETACH);
    }
    if (loop_fd_ >= 0) {
      ioctl(loop_fd_, LOOP_CLR_FD, 0);
      close(loop_fd_);
    }
    if (!image_.empty()) unlink(image_.c_str());
  }

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& loop_device() const { return loop_device_; }

 private:
  explicit ScopedFilesystem(const std::string& target) : target_(target) {
    mkdir(target.c_str(), 0755);
  }

  void Fail(const std::string& step, int err) {
    error_ = absl::StrCat(step, ": ", strerror(err));
  }

  void AttachAndMount(int megabytes, const std::vector<std::string>& mkfs_args,
                      const std::string& options) {
    const int file = open(image_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (file < 0) return Fail("create " + image_, errno);
    const bool sized = ftruncate(file, off_t{megabytes} << 20) == 0;
    const int truncate_errno = errno;
    if (!sized) {
      close(file);
      return Fail("truncate " + image_, truncate_errno);
    }
    std::vector<std::string> mkfs = {kMkfsExt4, "-q", "-F"};
    mkfs.insert(mkfs.end(), mkfs_args.begin(), mkfs_args.end());
    mkfs.push_back(image_);
    RunResult made = RunCommand(mkfs);
    if (made.exit_code != 0) {
      close(file);
      error_ = "mkfs.ext4 failed: " + made.err;
      return;
    }
    const bool attached = Attach(file);
    close(file);  // the loop device holds its own reference
    if (!attached) return;
    if (mount(loop_device_.c_str(), target_.c_str(), "ext4", 0,
              options.c_str()) != 0) {
      Fail(absl::StrCat("mount ", loop_device_, " -o ", options), errno);
      error_ += "; kernel: " + LastKernelMessageAbout(loop_device_);
      return;
    }
    mounted_ = true;
  }

  // Attaches `file` to a free loop device that clears itself once unused.
  bool Attach(int file) {
    const int control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (control < 0) {
      Fail("open /dev/loop-control", errno);
      return false;
    }
    // Another process may take the free device first: ask again.
    for (int attempt = 0; attempt < 10; ++attempt) {
      const int number = ioctl(control, LOOP_CTL_GET_FREE);
      if (number < 0) {
        Fail("LOOP_CTL_GET_FREE", errno);
        break;
      }
      loop_device_ = absl::StrCat("/dev/loop", number);
      const int device = open(loop_device_.c_str(), O_RDWR | O_CLOEXEC);
      if (device < 0) {
        Fail("open " + loop_device_, errno);
        break;
      }
      struct loop_config config = {};
      config.fd = static_cast<uint32_t>(file);
      config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
      if (ioctl(device, LOOP_CONFIGURE, &config) == 0) {
        loop_fd_ = device;
        close(control);
        return true;
      }
      const int err = errno;
      close(device);
      if (err != EBUSY) {
        Fail("LOOP_CONFIGURE " + loop_device_, err);
        break;
      }
    }
    close(control);
    if (error_.empty()) error_ = "no free loop device";
    return false;
  }

  static std::string LastKernelMessageAbout(const std::string& device) {
    const std::string name = device.substr(device.rfind('/') + 1);
    RunResult dmesg = RunCommand({"/usr/bin/dmesg"});
    std::string last;
    size_t start = 0;
    while (start < dmesg.out.size()) {
      size_t end = dmesg.out.find('\n', start);
      if (end == std::string::npos) end = dmesg.out.size();
      const std::string line = dmesg.out.substr(start, end - start);
      if (line.find("(" + name + ")") != std::string::npos) last = line;
      start = end + 1;
    }
    return last.empty() ? "(nothing in dmesg)" : last;
  }

  std::string target_;
  std::string image_;
  std::string loop_device_;
  int loop_fd_ = -1;
  bool mounted_ = false;
  std::string error_;
};

// Whether the running kernel was built without the quota file format ext4
// keeps its quotas in: then it refuses to mount an ext4 with the quota
// feature read-write, and project quotas cannot exist on ext4.
bool KernelLacksExt4QuotaFormat(const std::string& mount_error) {
  if (mount_error.find("not built with CONFIG_QUOTA and CONFIG_QFMT_V2") !=
      std::string::npos) {
    return true;
  }
  RunResult config = RunCommand({"/bin/sh", "-c", "zcat /proc/config.gz"});
  return config.exit_code == 0 &&
         (config.out.find("# CONFIG_QFMT_V2 is not set") != std::string::npos ||
          config.out.find("# CONFIG_QUOTA is not set") != std::string::npos);
}

class StorageQuotaTest : public ::testing::Test {
 protected:
  void StartBerthdWithBusybox() {
    berthd_ = env_.StartDaemon(kBerthd);
    ASSERT_TRUE(env_.WaitHealthy({"imaged", "containerd", "netd", "volumed"}));
    RunResult imported = env_.Berth({"import", "--change", "CMD [\"sh\"]",
                                     MakeBusyboxTar(env_.dir()), "busybox"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  RunResult Run(const std::vector<std::string>& flags,
                const std::string& script) {
    std::vector<std::string> args = {"run", "--rm"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"busybox", "sh", "-c", script});
    return env_.Berth(args);
  }

  // A refused create left no container, snapshot or container directory.
  void ExpectNothingLeft() {
    RunResult ps = env_.Berth({"ps", "-a", "-q"});
    EXPECT_EQ(ps.exit_code, 0) << ps.err;
    EXPECT_EQ(ps.out, "");
    for (const std::string& dir :
         {env_.root() + "/imaged/snapshots", env_.root() + "/containerd/containers"}) {
      RunResult listed = RunCommand({"/bin/ls", "-A", dir});
      EXPECT_EQ(listed.out, "") << dir;
    }
  }

  // Stops berthd before the filesystem under it is unmounted.
  void TearDown() override {
    if (berthd_ != nullptr) {
      EXPECT_EQ(berthd_->Stop(), 0);
    }
    berthd_.reset();
  }

  // Destroyed in reverse: berthd (if TearDown did not run), the
  // filesystem, then the environment's directory.
  BerthEnv env_;
  std::unique_ptr<ScopedFilesystem> fs_;
  std::unique_ptr<Daemon> berthd_;
};

TEST_F(StorageQuotaTest, SizeLimitsTheWritableLayerOnExt4WithPrjquota) {
  fs_ = ScopedFilesystem::Ext4(env_.dir() + "/quota.img", 200,
                               {"-O", "quota,project"}, env_.root(), "prjquota");
  if (!fs_->mounted()) {
    if (KernelLacksExt4QuotaFormat(fs_->error())) {
      GTEST_SKIP() << "this kernel cannot mount ext4 with the quota feature "
                      "read-write (built without CONFIG_QFMT_V2; xfs quotas "
                      "need CONFIG_XFS_QUOTA), so no filesystem here enforces "
                      "project quotas: "
                   << fs_->error();
    }
    FAIL() << fs_->error();
  }
  StartBerthdWithBusybox();

  RunResult big = Run({"--storage-opt", "size=20m"},
                      "dd if=/dev/zero of=/big bs=1M count=50");
  EXPECT_NE(big.exit_code, 0) << big.out << big.err;
  EXPECT_THAT(big.err, HasSubstr("Disk quota exceeded"));

  RunResult small = Run({"--storage-opt", "size=20m"},
                        "dd if=/dev/zero of=/small bs=1M count=10 && echo wrote");
  EXPECT_EQ(small.exit_code, 0) << small.err;
  EXPECT_THAT(small.out, HasSubstr("wrote"));

  // A copy-up goes through the work dir, which must share the project.
  RunResult copied_up = Run({"--storage-opt", "size=20m"},
                            "echo quota >> /etc/passwd && tail -n 1 /etc/passwd");
  EXPECT_EQ(copied_up.exit_code, 0) << copied_up.err;
  EXPECT_EQ(copied_up.out, "quota\n");

  // Without the option the same write fits on the disk.
  RunResult unlimited = Run({}, "dd if=/dev/zero of=/big bs=1M count=50 && echo wrote");
  EXPECT_EQ(unlimited.exit_code, 0) << unlimited.err;

  RunResult created = env_.Berth(
      {"create", "--name", "limited", "--storage-opt", "size=20m", "busybox"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  RunResult inspected =
      env_.Berth({"inspect", "-f", "{{json .HostConfig.StorageOpt}}", "limited"});
  EXPECT_EQ(inspected.out, "{\"size\":\"20m\"}\n") << inspected.err;
  EXPECT_EQ(env_.Berth({"rm", "limited"}).exit_code, 0);
}

TEST_F(StorageQuotaTest, TmpfsRootRefusesTheLimitWithExit125AndLeavesNothing) {
  fs_ = ScopedFilesystem::Tmpfs(env_.root(), "200m");
  ASSERT_TRUE(fs_->mounted()) << fs_->error();
  StartBerthdWithBusybox();

  RunResult refused = Run({"--storage-opt", "size=20m"}, "true");
  EXPECT_EQ(refused.exit_code, 125);
  EXPECT_THAT(refused.err,
              AllOf(HasSubstr("berth: "),  // run's failures, framed as Docker's
                    HasSubstr("--storage-opt is supported only for overlay over "
                              "xfs with the 'pquota' mount option"),
                    HasSubstr("prjquota"),
                    HasSubstr(env_.root() + "/imaged/snapshots is on tmpfs")));
  ExpectNothingLeft();

  // The same container without the option runs.
  RunResult plain = Run({}, "echo ran");
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "ran\n");
}

TEST_F(StorageQuotaTest, Ext4WithoutProjectQuotasRefusesSayingWhatItNeeds) {
  fs_ = ScopedFilesystem::Ext4(env_.dir() + "/plain.img", 100, {}, env_.root(),
                               "");
  ASSERT_TRUE(fs_->mounted()) << fs_->error();
  StartBerthdWithBusybox();

  RunResult refused = env_.Berth(
      {"create", "--storage-opt", "size=1G", "busybox"});
  // The daemon's refusal: create exits 1 for it, as Docker's does.
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err,
              AllOf(HasSubstr("mkfs.ext4 -O quota,project"),
                    HasSubstr(env_.root() +
                              "/imaged/snapshots is on ext4 without project "
                              "quotas")));
  ExpectNothingLeft();
}

TEST_F(StorageQuotaTest, BadStorageOptsExit125NamingKeyOrValue) {
  StartBerthdWithBusybox();
  RunResult unknown = Run({"--storage-opt", "dm.basesize=10G"}, "true");
  EXPECT_EQ(unknown.exit_code, 125);
  EXPECT_THAT(unknown.err, HasSubstr("unknown storage option \"dm.basesize\""));
  RunResult bad_size = Run({"--storage-opt", "size=twenty"}, "true");
  EXPECT_EQ(bad_size.exit_code, 125);
  EXPECT_THAT(bad_size.err, HasSubstr("invalid size: 'twenty'"));
  RunResult no_value = Run({"--storage-opt", "size"}, "true");
  EXPECT_EQ(no_value.exit_code, 125);
  EXPECT_THAT(no_value.err, HasSubstr("invalid storage option"));
  ExpectNothingLeft();
}

}  // namespace
}  // namespace berth::testing
