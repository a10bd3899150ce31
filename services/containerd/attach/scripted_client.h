// A client of an attach for tests: its input is scripted, what it
// receives is kept, and it can be made to go away.
#ifndef BERTH_SERVICES_CONTAINERD_ATTACH_SCRIPTED_CLIENT_H_
#define BERTH_SERVICES_CONTAINERD_ATTACH_SCRIPTED_CLIENT_H_

#include <deque>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/containerd/attach/stream_bridge.h"

namespace berth::containerd::testing {

using container::v1::AttachContainerRequest;
using container::v1::AttachContainerResponse;

// A client whose input is scripted and whose received messages are kept.
class ScriptedClient {
 public:
  void Push(AttachContainerRequest request) {
    absl::MutexLock lock(&mu_);
    input_.push_back(std::move(request));
  }
  void EndInput() {
    absl::MutexLock lock(&mu_);
    ended_ = true;
  }
  void Cancel() {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }
  std::vector<AttachContainerResponse> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }
  // Waits (up to 5 s) until `count` messages were received.
  bool AwaitReceived(size_t count) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, count]() {
      mu_.AssertHeld();
      return received_.size() >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(5));
  }

  ClientStream Stream() {
    ClientStream stream;
    stream.read = [this](AttachContainerRequest* request) {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ScriptedClient* self) {
            return !self->input_.empty() || self->ended_ || self->aborted_;
          },
          this));
      if (input_.empty()) return false;
      *request = input_.front();
      input_.pop_front();
      return true;
    };
    stream.write = [this](const AttachContainerResponse& response) {
      absl::MutexLock lock(&mu_);
      received_.push_back(response);
      return true;
    };
    stream.abort_read = [this] {
      absl::MutexLock lock(&mu_);
      aborted_ = true;
    };
    stream.cancelled = [this] {
      absl::MutexLock lock(&mu_);
      return cancelled_;
    };
    return stream;
  }

 private:
  absl::Mutex mu_;
  std::deque<AttachContainerRequest> input_;
  bool ended_ = false;
  bool aborted_ = false;
  bool cancelled_ = false;
  std::vector<AttachContainerResponse> received_;
};

}  // namespace berth::containerd::testing

#endif  // BERTH_SERVICES_CONTAINERD_ATTACH_SCRIPTED_CLIENT_H_
