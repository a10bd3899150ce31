// Firewall through libnftables: the rendered script runs as one nft
// transaction.
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "services/netd/firewall/firewall.h"

namespace berth::netd::firewall {
namespace {

absl::Status WriteSysctl(const std::string& path, const char* value) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  const ssize_t n = write(fd, value, 1);
  const int err = errno;
  close(fd);
  if (n != 1) return ErrnoStatus(err, "write", path);
  return absl::OkStatus();
}

class NftFirewall final : public Firewall {
 public:
  explicit NftFirewall(nft_ctx* ctx) : ctx_(ctx) {}
  ~NftFirewall() override { nft_ctx_free(ctx_); }

  absl::Status Apply(const Ruleset& rules) override {
    absl::MutexLock lock(&mu_);
    // Routing to the bridges needs forwarding on, as Docker turns it on.
    RETURN_IF_ERROR(WriteSysctl("/proc/sys/net/ipv4/ip_forward", "1"));
    for (const BridgeRules& bridge : rules.bridges) {
      RETURN_IF_ERROR(WriteSysctl(
          absl::StrCat("/proc/sys/net/ipv4/conf/", bridge.bridge, "/route_localnet"),
          "1"));
    }
    return Run(RenderRuleset(rules));
  }

 private:
  absl::Status Run(const std::string& script) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const int failed = nft_run_cmd_from_buffer(ctx_, script.c_str());
    const std::string error = nft_ctx_get_error_buffer(ctx_);
    if (failed != 0) {
      return absl::InternalError(absl::StrCat(
          "nftables refused Berth's table: ",
          absl::StripAsciiWhitespace(error.empty() ? "no reason given" : error)));
    }
    return absl::OkStatus();
  }

  absl::Mutex mu_;
  nft_ctx* const ctx_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Firewall>> NewNftFirewall() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (ctx == nullptr) {
    return absl::InternalError("libnftables could not make a context");
  }
  // Errors into a buffer for the status, not onto netd's stderr.
  if (nft_ctx_buffer_error(ctx) != 0 || nft_ctx_buffer_output(ctx) != 0) {
    nft_ctx_free(ctx);
    return absl::InternalError("libnftables could not buffer its messages");
  }
  return std::unique_ptr<Firewall>(new NftFirewall(ctx));
}

}  // namespace berth::netd::firewall
