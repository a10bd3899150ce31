// The kernel's side of driver volumes, as root: a tmpfs volume mounted on
// its first user and unmounted with its last, and a bind volume.
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "common/logging.h"
#include "gtest/gtest.h"
#include "services/volumed/volume_controller.h"
#include "services/volumed/volume_records.h"

namespace berth::volumed {
namespace {

constexpr long kTmpfsMagic = 0x01021994;

class VolumeMountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (getuid() != 0) GTEST_SKIP() << "mounting needs root";
    char tmpl[] = "/tmp/volumed-mnt-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    log_ = *MakeLogger("volumed-mount-test", "off", "");
    mounter_ = NewKernelMounter();
    files_ = NewHostVolumeFiles();
    auto store = Store::Open(dir_ + "/db", VolumedSchema());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto controller = VolumeController::Open(*store_, *mounter_, *files_,
                                             dir_ + "/volumes", *log_);
    ASSERT_TRUE(controller.ok()) << controller.status();
    controller_ = *std::move(controller);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    controller_.reset();
    store_.reset();
    // Whatever a failed test left mounted goes before the directory does.
    for (const std::string& path :
         {Data("cache"), Data("shared"), Data("lost"), dir_ + "/m"}) {
      while (umount2(path.c_str(), MNT_DETACH) == 0) {
      }
    }
    std::system(("rm -rf " + dir_).c_str());
  }
  bool IsTmpfs(const std::string& path) {
    struct statfs fs;
    return statfs(path.c_str(), &fs) == 0 && fs.f_type == kTmpfsMagic;
  }
  std::string Data(const std::string& name) {
    return dir_ + "/volumes/" + name + "/_data";
  }

  std::string dir_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<Mounter> mounter_;
  std::unique_ptr<VolumeFiles> files_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<VolumeController> controller_;
};

volume::v1::AcquireVolumeRequest Acquisition(const std::string& name, char c) {
  volume::v1::AcquireVolumeRequest request;
  request.set_name(name);
  request.set_container_id(std::string(64, c));
  request.set_create_if_missing(true);
  return request;
}

volume::v1::ReleaseVolumeRequest Release(const std::string& name, char c) {
  volume::v1::ReleaseVolumeRequest request;
  request.set_name(name);
  request.set_container_id(std::string(64, c));
  return request;
}

TEST_F(VolumeMountTest, TmpfsMountedWithFirstUserUnmountedWithLast) {
  volume::v1::AcquireVolumeRequest request = Acquisition("cache", 'a');
  (*request.mutable_driver_options())["type"] = "tmpfs";
  (*request.mutable_driver_options())["o"] = "size=1m";
  auto acquired = controller_->Acquire(request);
  ASSERT_TRUE(acquired.ok()) << acquired.status();
  EXPECT_EQ(acquired->host_path(), Data("cache"));
  EXPECT_TRUE(IsTmpfs(Data("cache")));
  EXPECT_TRUE(*mounter_->IsMounted(Data("cache")));
  // The size option reached the kernel: 1 MiB holds no 2 MiB file.
  {
    std::ofstream big(Data("cache") + "/big");
    big << std::string(2 << 20, 'x');
    big.flush();
    EXPECT_FALSE(big.good());
  }
  ASSERT_TRUE(controller_->Acquire(Acquisition("cache", 'b')).ok());
  ASSERT_TRUE(controller_->Release(Release("cache", 'a')).ok());
  EXPECT_TRUE(IsTmpfs(Data("cache")));
  ASSERT_TRUE(controller_->Release(Release("cache", 'b')).ok());
  EXPECT_FALSE(*mounter_->IsMounted(Data("cache")));
  EXPECT_FALSE(IsTmpfs(Data("cache")));
  ASSERT_TRUE(controller_->Remove("cache", false).ok());
}

TEST_F(VolumeMountTest, BindVolumeShowsItsDevice) {
  const std::string source = dir_ + "/host-dir";
  ASSERT_EQ(mkdir(source.c_str(), 0755), 0);
  std::ofstream(source + "/hello") << "hi";
  volume::v1::AcquireVolumeRequest request = Acquisition("shared", 'a');
  (*request.mutable_driver_options())["type"] = "none";
  (*request.mutable_driver_options())["o"] = "bind";
  (*request.mutable_driver_options())["device"] = source;
  auto acquired = controller_->Acquire(request);
  ASSERT_TRUE(acquired.ok()) << acquired.status();
  std::ifstream in(Data("shared") + "/hello");
  std::string content;
  in >> content;
  EXPECT_EQ(content, "hi");
  ASSERT_TRUE(controller_->Release(Release("shared", 'a')).ok());
  EXPECT_FALSE(*mounter_->IsMounted(Data("shared")));
  // Removing the volume leaves the bind mount's source alone.
  ASSERT_TRUE(controller_->Remove("shared", false).ok());
  EXPECT_EQ(access((source + "/hello").c_str(), F_OK), 0);
}

TEST_F(VolumeMountTest, MounterSeesThroughSymlinksAndUnmountsStackedMounts) {
  const std::string target = dir_ + "/m";
  ASSERT_EQ(mkdir(target.c_str(), 0755), 0);
  ASSERT_EQ(symlink(dir_.c_str(), (dir_ + "/link").c_str()), 0);
  const std::string via_link = dir_ + "/link/m";
  DriverMount tmpfs;
  tmpfs.type = "tmpfs";
  tmpfs.source = "tmpfs";
  EXPECT_FALSE(*mounter_->IsMounted(via_link));
  ASSERT_TRUE(mounter_->Mount(tmpfs, target).ok());
  ASSERT_TRUE(mounter_->Mount(tmpfs, target).ok());
  EXPECT_TRUE(*mounter_->IsMounted(via_link));
  ASSERT_TRUE(mounter_->Unmount(via_link).ok());
  EXPECT_FALSE(*mounter_->IsMounted(target));
  EXPECT_TRUE(mounter_->Unmount(target).ok());  // nothing left: OK
  EXPECT_FALSE(*mounter_->IsMounted(dir_ + "/missing"));
}

// After a reboot the tmpfs of a volume in use is mounted again at Open.
TEST_F(VolumeMountTest, OpenMountsAVolumeInUseAgain) {
  volume::v1::AcquireVolumeRequest request = Acquisition("lost", 'a');
  (*request.mutable_driver_options())["type"] = "tmpfs";
  ASSERT_TRUE(controller_->Acquire(request).ok());
  ASSERT_EQ(umount2(Data("lost").c_str(), 0), 0);  // the reboot
  controller_.reset();
  auto controller = VolumeController::Open(*store_, *mounter_, *files_,
                                           dir_ + "/volumes", *log_);
  ASSERT_TRUE(controller.ok()) << controller.status();
  controller_ = *std::move(controller);
  EXPECT_TRUE(IsTmpfs(Data("lost")));
  ASSERT_TRUE(controller_->Release(Release("lost", 'a')).ok());
  EXPECT_FALSE(IsTmpfs(Data("lost")));
}

}  // namespace
}  // namespace berth::volumed
