// Acquire and release: reference counts, driver mounts (fake), copy-up
// and subpaths.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "absl/time/clock.h"
#include "common/proto_util.h"
#include "services/volumed/controller_fixture.h"

namespace berth::volumed {
namespace {

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& values) {
  return std::vector<std::string>(values.begin(), values.end());
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(VolumeControllerTest, AcquireCreatesWhenAskedAndCountsEachContainerOnce) {
  AcquireVolumeRequest request = Acquisition("data", Cid('a'));
  request.set_create_if_missing(false);
  auto missing = controller_->Acquire(request);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);

  request.set_create_if_missing(true);
  auto first = Acquire(request);
  EXPECT_TRUE(first.created());
  EXPECT_EQ(first.host_path(), DataOf("data"));
  auto again = Acquire(request);
  EXPECT_FALSE(again.created());
  EXPECT_EQ(again.host_path(), first.host_path());
  EXPECT_EQ(again.volume().usage().ref_count(), 1);
  Acquire(Acquisition("data", Cid('b')));
  Volume volume = Inspect("data");
  EXPECT_EQ(Strings(volume.used_by()), (std::vector<std::string>{Cid('a'), Cid('b')}));
  EXPECT_EQ(volume.usage().ref_count(), 2);
}

TEST_F(VolumeControllerTest, AcquireOfNoNameMakesAnAnonymousVolume) {
  auto acquired = Acquire(Acquisition("", Cid('a')));
  EXPECT_TRUE(acquired.created());
  EXPECT_TRUE(acquired.volume().anonymous());
  EXPECT_EQ(acquired.volume().name().size(), 64u);
  EXPECT_EQ(acquired.host_path(), DataOf(acquired.volume().name()));
}

TEST_F(VolumeControllerTest, AcquireRefusesBadRequests) {
  EXPECT_EQ(controller_->Acquire(Acquisition("data", "")).status().code(),
            absl::StatusCode::kInvalidArgument);
  AcquireVolumeRequest relative = Acquisition("data", Cid('a'));
  relative.mutable_copy_up()->set_path("srv");
  EXPECT_EQ(controller_->Acquire(relative).status().code(),
            absl::StatusCode::kInvalidArgument);
  for (const char* subpath : {"/abs", "../up", "a/../../b"}) {
    AcquireVolumeRequest bad = Acquisition("data", Cid('a'));
    bad.set_subpath(subpath);
    EXPECT_EQ(controller_->Acquire(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << subpath;
  }
  // None of it created the volume.
  EXPECT_TRUE(Names().empty());
}

TEST_F(VolumeControllerTest, SubpathMustExistInsideTheVolume) {
  Create(Named("data"));
  AcquireVolumeRequest request = Acquisition("data", Cid('a'));
  request.set_subpath("conf/app");
  auto missing = controller_->Acquire(request);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Inspect("data").used_by().empty());
  ASSERT_EQ(mkdir((DataOf("data") + "/conf").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((DataOf("data") + "/conf/app").c_str(), 0755), 0);
  EXPECT_EQ(Acquire(request).host_path(), DataOf("data") + "/conf/app");
  ASSERT_EQ(symlink("/etc", (DataOf("data") + "/escape").c_str()), 0);
  request.set_subpath("escape");
  request.set_container_id(Cid('b'));
  EXPECT_EQ(controller_->Acquire(request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(VolumeControllerTest, ReleaseIsIdempotentAndCanTakeAll) {
  Acquire(Acquisition("one", Cid('a')));
  Acquire(Acquisition("two", Cid('a')));
  Acquire(Acquisition("two", Cid('b')));
  auto released = controller_->Release(Release("", Cid('a')));
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(Strings(released->released()), (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(released->removed().empty());
  EXPECT_EQ(Strings(Inspect("two").used_by()), std::vector<std::string>{Cid('b')});
  released = controller_->Release(Release("", Cid('a')));
  ASSERT_TRUE(released.ok());
  EXPECT_TRUE(released->released().empty());
  released = controller_->Release(Release("gone", Cid('a')));
  ASSERT_TRUE(released.ok());
  EXPECT_TRUE(released->released().empty());
  EXPECT_EQ(controller_->Release(Release("", "")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(VolumeControllerTest, ReleaseRemovesAnonymousVolumesNobodyElseHolds) {
  const std::string shared = Acquire(Acquisition("", Cid('a'))).volume().name();
  Acquire(Acquisition(shared, Cid('b')));
  const std::string own = Acquire(Acquisition("", Cid('a'))).volume().name();
  Acquire(Acquisition("named", Cid('a')));
  auto released = controller_->Release(Release("", Cid('a'), true));
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(released->released_size(), 3);
  EXPECT_EQ(Strings(released->removed()), std::vector<std::string>{own});
  std::vector<std::string> left = Names();
  EXPECT_EQ(left.size(), 2u);
  EXPECT_EQ(controller_->Inspect(own, false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(Inspect("named").used_by().empty());
}

// rm -v of a container that named another container's anonymous volume
// removed that volume (Docker removes only the ones made for it).
TEST_F(VolumeControllerTest, RemoveAnonymousTakesOnlyThoseMadeForTheContainer) {
  const std::string orphan = Acquire(Acquisition("", Cid('a'))).volume().name();
  ASSERT_TRUE(controller_->Release(Release("", Cid('a'))).ok());
  Acquire(Acquisition(orphan, Cid('c')));
  auto released = controller_->Release(Release("", Cid('c'), true));
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_TRUE(released->removed().empty());
  EXPECT_TRUE(controller_->Inspect(orphan, false).ok());
}

TEST_F(VolumeControllerTest, DriverMountWithFirstUserUnmountWithLast) {
  AcquireVolumeRequest request = Acquisition("cache", Cid('a'));
  (*request.mutable_driver_options())["type"] = "tmpfs";
  (*request.mutable_driver_options())["o"] = "size=1m";
  auto acquired = Acquire(request);
  ASSERT_EQ(mounter_.mounts.count(DataOf("cache")), 1u);
  EXPECT_EQ(mounter_.mounts[DataOf("cache")].data, "size=1048576");
  EXPECT_EQ(acquired.volume().status().at("mounted"), "true");
  Acquire(Acquisition("cache", Cid('b')));
  Acquire(Acquisition("cache", Cid('b')));
  EXPECT_EQ(mounter_.mount_calls, 1);
  ASSERT_TRUE(controller_->Release(Release("cache", Cid('a'))).ok());
  EXPECT_EQ(mounter_.unmount_calls, 0);
  ASSERT_TRUE(controller_->Release(Release("cache", Cid('b'))).ok());
  EXPECT_EQ(mounter_.mounts.count(DataOf("cache")), 0u);
  EXPECT_TRUE(Inspect("cache").status().empty());
}

TEST_F(VolumeControllerTest, OpenMountsVolumesInUseAgainAndUnmountsUnused) {
  AcquireVolumeRequest request = Acquisition("cache", Cid('a'));
  (*request.mutable_driver_options())["type"] = "tmpfs";
  Acquire(request);
  mounter_.mounts.clear();  // a reboot
  Reopen();
  EXPECT_EQ(mounter_.mounts.count(DataOf("cache")), 1u);
  EXPECT_EQ(Inspect("cache").status().at("mounted"), "true");
  ASSERT_TRUE(controller_->Release(Release("cache", Cid('a'))).ok());
  mounter_.mounts[DataOf("cache")] = DriverMount();  // a crash left it
  Reopen();
  EXPECT_EQ(mounter_.mounts.count(DataOf("cache")), 0u);
}

TEST_F(VolumeControllerTest, FailedMountIsInternalAndRecordsNoUser) {
  Create([] {
    CreateVolumeRequest request = Named("cache");
    (*request.mutable_driver_options())["type"] = "tmpfs";
    return request;
  }());
  mounter_.fail_next = absl::PermissionDeniedError("mount tmpfs: EPERM");
  auto acquired = controller_->Acquire(Acquisition("cache", Cid('a')));
  EXPECT_EQ(acquired.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(acquired.status().message().find("EPERM"), std::string::npos);
  EXPECT_TRUE(Inspect("cache").used_by().empty());
  // An anonymous volume this call created goes with the failure.
  AcquireVolumeRequest anonymous = Acquisition("", Cid('a'));
  (*anonymous.mutable_driver_options())["type"] = "tmpfs";
  mounter_.fail_next = absl::PermissionDeniedError("mount tmpfs: EPERM");
  EXPECT_EQ(controller_->Acquire(anonymous).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(Names(), std::vector<std::string>{"cache"});
}

class CopyUpTest : public VolumeControllerTest {
 protected:
  void SetUp() override {
    VolumeControllerTest::SetUp();
    image_ = dir_ + "/rootfs-srv";
    ASSERT_EQ(mkdir(image_.c_str(), 0750), 0);
    std::ofstream(image_ + "/index.html") << "from image";
    ASSERT_EQ(chown((image_ + "/index.html").c_str(), 1000, 1000), 0);
    ASSERT_EQ(chmod((image_ + "/index.html").c_str(), 0640), 0);
    ASSERT_EQ(symlink("index.html", (image_ + "/default").c_str()), 0);
  }
  AcquireVolumeRequest WithCopyUp(const std::string& name, char container) {
    AcquireVolumeRequest request = Acquisition(name, Cid(container));
    request.mutable_copy_up()->set_path(image_);
    request.set_target("/srv");
    return request;
  }
  std::string image_;
};

TEST_F(CopyUpTest, FillsAnEmptyVolumeOnceKeepingModesOwnersAndSymlinks) {
  auto acquired = Acquire(WithCopyUp("web", 'a'));
  EXPECT_TRUE(acquired.copied());
  EXPECT_TRUE(acquired.volume().populated());
  EXPECT_EQ(Read(DataOf("web") + "/index.html"), "from image");
  struct stat st;
  ASSERT_EQ(lstat((DataOf("web") + "/index.html").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(lstat((DataOf("web") + "/default").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_EQ(lstat(DataOf("web").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);

  // Populated once: a later container's image content does not come in,
  // even after the volume was emptied.
  ASSERT_EQ(unlink((DataOf("web") + "/index.html").c_str()), 0);
  ASSERT_EQ(unlink((DataOf("web") + "/default").c_str()), 0);
  auto second = Acquire(WithCopyUp("web", 'b'));
  EXPECT_FALSE(second.copied());
  EXPECT_FALSE(std::ifstream(DataOf("web") + "/index.html").good());
}

TEST_F(CopyUpTest, NeverOverwritesAVolumeWithContent) {
  Create(Named("web"));
  std::ofstream(DataOf("web") + "/index.html") << "mine";
  auto acquired = Acquire(WithCopyUp("web", 'a'));
  EXPECT_FALSE(acquired.copied());
  EXPECT_FALSE(acquired.volume().populated());
  EXPECT_EQ(Read(DataOf("web") + "/index.html"), "mine");
}

TEST_F(CopyUpTest, NoCopyAndMissingSourceCopyNothing) {
  AcquireVolumeRequest no_copy = WithCopyUp("a", 'a');
  no_copy.set_no_copy(true);
  EXPECT_FALSE(Acquire(no_copy).copied());
  EXPECT_TRUE(*files_->IsEmptyDir(DataOf("a")));
  AcquireVolumeRequest missing = WithCopyUp("b", 'a');
  missing.mutable_copy_up()->set_path(dir_ + "/nothing-here");
  auto acquired = Acquire(missing);
  EXPECT_FALSE(acquired.copied());
  EXPECT_FALSE(acquired.volume().populated());
}

// A subpath mount takes no copy-up, and a missing subpath fails before
// anything is copied (the volume was filled, then the acquire failed).
TEST_F(CopyUpTest, SubpathTakesNoCopyUp) {
  ASSERT_EQ(mkdir((image_ + "/conf").c_str(), 0755), 0);
  Create(Named("web"));
  AcquireVolumeRequest request = WithCopyUp("web", 'a');
  request.set_subpath("conf");
  EXPECT_EQ(controller_->Acquire(request).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(*files_->IsEmptyDir(DataOf("web")));
  ASSERT_EQ(mkdir((DataOf("web") + "/conf").c_str(), 0755), 0);
  auto acquired = Acquire(request);
  EXPECT_EQ(acquired.host_path(), DataOf("web") + "/conf");
  EXPECT_FALSE(acquired.copied());
}

// A volume another container holds (and may be changing) is not filled:
// its entries could be swapped for symlinks under volumed's writes.
TEST_F(CopyUpTest, NoCopyUpIntoAVolumeAnotherContainerHolds) {
  Acquire(Acquisition("web", Cid('a')));
  auto acquired = Acquire(WithCopyUp("web", 'b'));
  EXPECT_FALSE(acquired.copied());
  EXPECT_TRUE(*files_->IsEmptyDir(DataOf("web")));
}

TEST_F(CopyUpTest, EmitsMountAndUnmountWithContainer) {
  Acquire(WithCopyUp("web", 'a'));
  ASSERT_TRUE(controller_->Release(Release("web", Cid('a'))).ok());
  std::vector<types::v1::Event> seen;
  types::v1::EventFilter filter;
  filter.add_actions("mount");
  filter.add_actions("unmount");
  *filter.mutable_until() = ToTimestamp(absl::Now() + absl::Milliseconds(300));
  ASSERT_TRUE(controller_->events()
                  .Stream(
                      filter,
                      [&](const types::v1::Event& event) {
                        seen.push_back(event);
                        return true;
                      },
                      [] { return false; })
                  .ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].action(), "mount");
  EXPECT_EQ(seen[0].actor().id(), "web");
  EXPECT_EQ(seen[0].actor().attributes().at("container"), Cid('a'));
  EXPECT_EQ(seen[0].actor().attributes().at("driver"), "local");
  EXPECT_EQ(seen[0].actor().attributes().at("destination"), "/srv");
  EXPECT_EQ(seen[1].action(), "unmount");
  EXPECT_EQ(seen[1].actor().attributes().at("container"), Cid('a'));
}

}  // namespace
}  // namespace berth::volumed
