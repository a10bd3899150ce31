// The fixture of volumed's controller tests: a real store and real files
// in a temporary directory, and a fake mounter that records what it was
// asked.
#ifndef BERTH_SERVICES_VOLUMED_CONTROLLER_FIXTURE_H_
#define BERTH_SERVICES_VOLUMED_CONTROLLER_FIXTURE_H_

#include <stdlib.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "gtest/gtest.h"
#include "services/volumed/volume_controller.h"
#include "services/volumed/volume_records.h"

namespace berth::volumed {

using volume::v1::AcquireVolumeRequest;
using volume::v1::CreateVolumeRequest;
using volume::v1::ReleaseVolumeRequest;
using volume::v1::Volume;

class FakeMounter final : public Mounter {
 public:
  absl::Status Mount(const DriverMount& mount, const std::string& target) override {
    if (!fail_next.ok()) return std::exchange(fail_next, absl::OkStatus());
    mounts[target] = mount;
    ++mount_calls;
    return absl::OkStatus();
  }
  absl::Status Unmount(const std::string& target) override {
    mounts.erase(target);
    ++unmount_calls;
    return absl::OkStatus();
  }
  absl::StatusOr<bool> IsMounted(const std::string& target) override {
    return mounts.count(target) > 0;
  }
  std::map<std::string, DriverMount> mounts;
  int mount_calls = 0;
  int unmount_calls = 0;
  absl::Status fail_next;
};

// Container ids as containerd makes them.
inline std::string Cid(char c) { return std::string(64, c); }

inline CreateVolumeRequest Named(const std::string& name) {
  CreateVolumeRequest request;
  request.set_name(name);
  return request;
}

inline AcquireVolumeRequest Acquisition(const std::string& name,
                                        const std::string& container) {
  AcquireVolumeRequest request;
  request.set_name(name);
  request.set_container_id(container);
  request.set_create_if_missing(true);
  return request;
}

inline ReleaseVolumeRequest Release(const std::string& name,
                                    const std::string& container,
                                    bool remove_anonymous = false) {
  ReleaseVolumeRequest request;
  request.set_name(name);
  request.set_container_id(container);
  request.set_remove_anonymous(remove_anonymous);
  return request;
}

class VolumeControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/volumed-ctl-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    log_ = *MakeLogger("volumed-test", "off", "");
    files_ = NewHostVolumeFiles();
    Reopen();
  }
  void TearDown() override {
    controller_.reset();
    store_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }
  void Reopen() {
    controller_.reset();
    store_.reset();
    auto store = Store::Open(dir_ + "/db", VolumedSchema());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto controller = VolumeController::Open(*store_, mounter_, *files_,
                                             VolumesDir(), *log_);
    ASSERT_TRUE(controller.ok()) << controller.status();
    controller_ = *std::move(controller);
  }
  std::string VolumesDir() const { return dir_ + "/volumes"; }
  std::string DataOf(const std::string& name) const {
    return VolumesDir() + "/" + name + "/_data";
  }
  Volume Create(const CreateVolumeRequest& request) {
    auto created = controller_->Create(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->volume() : Volume();
  }
  Volume Inspect(const std::string& name, bool size = false) {
    absl::StatusOr<Volume> volume = controller_->Inspect(name, size);
    EXPECT_TRUE(volume.ok()) << volume.status();
    return volume.ok() ? *volume : Volume();
  }
  std::vector<std::string> Names(const volume::v1::VolumeFilter& filter = {}) {
    std::vector<std::string> names;
    auto listed = controller_->List(filter, false);
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (!listed.ok()) return names;
    for (const Volume& v : *listed) names.push_back(v.name());
    return names;
  }
  volume::v1::AcquireVolumeResponse Acquire(const AcquireVolumeRequest& request) {
    auto acquired = controller_->Acquire(request);
    EXPECT_TRUE(acquired.ok()) << acquired.status();
    return acquired.ok() ? *acquired : volume::v1::AcquireVolumeResponse();
  }

  std::string dir_;
  std::shared_ptr<spdlog::logger> log_;
  FakeMounter mounter_;
  std::unique_ptr<VolumeFiles> files_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<VolumeController> controller_;
};

}  // namespace berth::volumed

#endif  // BERTH_SERVICES_VOLUMED_CONTROLLER_FIXTURE_H_
