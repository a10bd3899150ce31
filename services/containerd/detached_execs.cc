#include "services/containerd/detached_execs.h"

#include <sys/socket.h>
#include <unistd.h>

#include <utility>

#include "absl/time/clock.h"
#include "services/containerd/shim/framing.h"

namespace berth::containerd {

DetachedExecs::DetachedExecs(std::function<void(const std::string&, int)> exited)
    : exited_(std::move(exited)) {}

DetachedExecs::~DetachedExecs() { Shutdown(); }

void DetachedExecs::Watch(const std::string& exec_id, shim::ShimStream stream) {
  std::vector<std::thread> finished;
  {
    absl::MutexLock lock(&mu_);
    for (uint64_t key : done_) {
      finished.push_back(std::move(threads_[key]));
      threads_.erase(key);
    }
    done_.clear();
    if (shut_down_) {
      close(stream.fd);
    } else {
      const uint64_t key = next_++;
      fds_[stream.fd] = exec_id;
      threads_[key] = std::thread(
          [this, key, exec_id, stream = std::move(stream)]() mutable {
            Drain(key, exec_id, std::move(stream));
          });
    }
  }
  for (std::thread& thread : finished) thread.join();  // they have returned
}

void DetachedExecs::Drain(uint64_t key, const std::string& exec_id,
                          shim::ShimStream stream) {
  // The stream's input side is not needed: the process has no client.
  shutdown(stream.fd, SHUT_WR);
  std::string carry = std::move(stream.carry);
  while (true) {
    absl::StatusOr<std::optional<std::string>> frame = shim::ReadFrame(
        stream.fd, absl::InfiniteFuture(), "the shim", &carry);
    if (!frame.ok() || !frame->has_value()) break;
    ::berth::shim::v1::StreamOutput message;
    if (!message.ParseFromString(**frame)) break;
    if (message.has_exit()) {
      exited_(exec_id, message.exit().exit_code());
      break;
    }
  }
  absl::MutexLock lock(&mu_);
  fds_.erase(stream.fd);
  close(stream.fd);
  done_.push_back(key);
}

void DetachedExecs::Shutdown() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    // Each reader returns at once from a stream whose reading side is shut.
    for (const auto& [fd, exec_id] : fds_) shutdown(fd, SHUT_RDWR);
    for (auto& [key, thread] : threads_) threads.push_back(std::move(thread));
    threads_.clear();
    done_.clear();
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace berth::containerd
