// An ImageSource for containerd's unit tests: every image exists, with a
// `sh` command; snapshots are remembered by key.
#ifndef BERTH_SERVICES_CONTAINERD_TESTING_FAKE_IMAGES_H_
#define BERTH_SERVICES_CONTAINERD_TESTING_FAKE_IMAGES_H_

#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/containerd/image_source.h"

namespace berth::containerd::testing {

class FakeImages final : public ImageSource {
 public:
  absl::StatusOr<image::v1::PrepareRootfsResponse> PrepareRootfs(
      const image::v1::PrepareRootfsRequest& request) override {
    absl::MutexLock lock(&mu_);
    last_prepare_ = request;
    if (!prepare_error_.ok()) return prepare_error_;
    snapshots_[request.key()] = request.lease();
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
      const std::string& key, bool) override {
    return absl::NotFoundError("no rootfs " + key);
  }
  // As imaged: a leased snapshot goes only with its lease.
  absl::Status RemoveRootfs(const std::string& key,
                            const std::string& lease) override {
    absl::MutexLock lock(&mu_);
    auto it = snapshots_.find(key);
    if (it == snapshots_.end()) return absl::OkStatus();
    if (!it->second.empty() && it->second != lease) {
      return absl::FailedPreconditionError("rootfs " + key + " is leased by " +
                                           it->second);
    }
    snapshots_.erase(it);
    return absl::OkStatus();
  }
  absl::StatusOr<image::v1::Image> InspectImage(
      const std::string& reference) override {
    return absl::NotFoundError("no image " + reference);
  }
  bool HasSnapshot(const std::string& key) {
    absl::MutexLock lock(&mu_);
    return snapshots_.count(key) != 0;
  }
  int snapshots() {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(snapshots_.size());
  }
  // The request of the last PrepareRootfs.
  image::v1::PrepareRootfsRequest last_prepare() {
    absl::MutexLock lock(&mu_);
    return last_prepare_;
  }
  // What PrepareRootfs answers from now on (OK: a snapshot).
  void FailPrepare(absl::Status error) {
    absl::MutexLock lock(&mu_);
    prepare_error_ = std::move(error);
  }

 private:
  absl::Mutex mu_;
  // key -> lease
  std::map<std::string, std::string> snapshots_ ABSL_GUARDED_BY(mu_);
  image::v1::PrepareRootfsRequest last_prepare_ ABSL_GUARDED_BY(mu_);
  absl::Status prepare_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::containerd::testing

#endif  // BERTH_SERVICES_CONTAINERD_TESTING_FAKE_IMAGES_H_
