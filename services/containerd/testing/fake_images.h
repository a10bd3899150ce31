// An ImageSource for containerd's unit tests: every image exists, with a
// `sh` command; snapshots are remembered by key in an ImageWorld, which
// outlives the supervisors a test opens (as imaged outlives containerd).
#ifndef BERTH_SERVICES_CONTAINERD_TESTING_FAKE_IMAGES_H_
#define BERTH_SERVICES_CONTAINERD_TESTING_FAKE_IMAGES_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "services/containerd/image_source.h"

namespace berth::containerd::testing {

struct ImageWorld {
  absl::Mutex mu;
  std::map<std::string, std::string> snapshots ABSL_GUARDED_BY(mu);  // key -> lease
  bool reachable ABSL_GUARDED_BY(mu) = true;  // false: imaged is down
  // What imaged measures: a snapshot's writable layer, an image's size.
  std::map<std::string, int64_t> upper_sizes ABSL_GUARDED_BY(mu);
  std::map<std::string, int64_t> image_sizes ABSL_GUARDED_BY(mu);
  // Commits imaged was asked for, in order; each makes image "sha256:cN".
  std::vector<image::v1::CommitRootfsRequest> commits ABSL_GUARDED_BY(mu);
  // Called (unlocked) after each snapshot is made: what happens while a
  // create waits for imaged.
  std::function<void()> after_prepare;
};

class FakeImages final : public ImageSource {
 public:
  explicit FakeImages(ImageWorld& world) : world_(world) {}

  absl::StatusOr<image::v1::PrepareRootfsResponse> PrepareRootfs(
      const image::v1::PrepareRootfsRequest& request) override {
    {
      absl::MutexLock lock(&world_.mu);
      RETURN_IF_ERROR(Reachable());
      last_prepare_ = request;
      if (!prepare_error_.ok()) return prepare_error_;
      world_.snapshots[request.key()] = request.lease();
    }
    if (world_.after_prepare) world_.after_prepare();
    image::v1::PrepareRootfsResponse response;
    response.mutable_rootfs()->set_image_id("sha256:" + std::string(64, 'b'));
    response.mutable_rootfs()->mutable_mount()->set_options(
        "lowerdir=/l/a,upperdir=/u,workdir=/w");
    response.mutable_rootfs()->mutable_mount()->set_upper_dir("/u");
    response.mutable_config()->add_cmd("sh");
    response.mutable_config()->add_env("PATH=/bin");
    return response;
  }
  absl::StatusOr<image::v1::InspectRootfsResponse> InspectRootfs(
      const std::string& key, bool with_size) override {
    absl::MutexLock lock(&world_.mu);
    auto size = world_.upper_sizes.find(key);
    if (!world_.snapshots.count(key) || size == world_.upper_sizes.end()) {
      return absl::NotFoundError("no rootfs " + key);
    }
    image::v1::InspectRootfsResponse response;
    response.mutable_rootfs()->set_key(key);
    if (with_size) response.set_upper_size(size->second);
    return response;
  }
  // As imaged: a leased snapshot goes only with its lease.
  absl::Status RemoveRootfs(const std::string& key,
                            const std::string& lease) override {
    absl::MutexLock lock(&world_.mu);
    RETURN_IF_ERROR(Reachable());
    auto it = world_.snapshots.find(key);
    if (it == world_.snapshots.end()) return absl::OkStatus();
    if (!it->second.empty() && it->second != lease) {
      return absl::FailedPreconditionError("rootfs " + key + " is leased by " +
                                           it->second);
    }
    world_.snapshots.erase(it);
    return absl::OkStatus();
  }
  absl::StatusOr<image::v1::Image> InspectImage(
      const std::string& reference) override {
    absl::MutexLock lock(&world_.mu);
    auto size = world_.image_sizes.find(reference);
    if (size == world_.image_sizes.end()) {
      return absl::NotFoundError("no image " + reference);
    }
    image::v1::Image image;
    image.set_id(reference);
    image.set_size(size->second);
    return image;
  }
  absl::StatusOr<image::v1::CommitRootfsResponse> CommitRootfs(
      const image::v1::CommitRootfsRequest& request) override {
    absl::MutexLock lock(&world_.mu);
    if (!world_.reachable) return absl::UnavailableError("imaged is down");
    if (world_.snapshots.count(request.key()) == 0) {
      return absl::NotFoundError("no snapshot " + request.key());
    }
    world_.commits.push_back(request);
    image::v1::CommitRootfsResponse response;
    response.set_image_id("sha256:c" + std::to_string(world_.commits.size()));
    return response;
  }
  absl::StatusOr<std::vector<image::v1::Rootfs>> ListRootfs() override {
    absl::MutexLock lock(&world_.mu);
    RETURN_IF_ERROR(Reachable());
    std::vector<image::v1::Rootfs> all;
    for (const auto& [key, lease] : world_.snapshots) {
      all.emplace_back();
      all.back().set_key(key);
      all.back().set_lease(lease);
    }
    return all;
  }
  bool HasSnapshot(const std::string& key) {
    absl::MutexLock lock(&world_.mu);
    return world_.snapshots.count(key) != 0;
  }
  int snapshots() {
    absl::MutexLock lock(&world_.mu);
    return static_cast<int>(world_.snapshots.size());
  }
  // The request of the last PrepareRootfs.
  image::v1::PrepareRootfsRequest last_prepare() {
    absl::MutexLock lock(&world_.mu);
    return last_prepare_;
  }
  // What PrepareRootfs answers from now on (OK: a snapshot).
  void FailPrepare(absl::Status error) {
    absl::MutexLock lock(&world_.mu);
    prepare_error_ = std::move(error);
  }

 private:
  absl::Status Reachable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(world_.mu) {
    if (world_.reachable) return absl::OkStatus();
    return absl::UnavailableError("imaged is unreachable");
  }

  ImageWorld& world_;
  image::v1::PrepareRootfsRequest last_prepare_ ABSL_GUARDED_BY(world_.mu);
  absl::Status prepare_error_ ABSL_GUARDED_BY(world_.mu);
};

}  // namespace berth::containerd::testing

#endif  // BERTH_SERVICES_CONTAINERD_TESTING_FAKE_IMAGES_H_
