// The CLI's own settings file, as Docker's config.json: the directory is
// $BERTH_CONFIG, else ~/.berth; `config.json` in it holds, so far,
// "detachKeys" (the default detach sequence for run, start, attach and
// exec) and the default --format of ps, images and stats ("psFormat",
// "imagesFormat", "statsFormat"). A file that is missing means the
// defaults.
#ifndef BERTH_CTL_CLI_CLIENT_CONFIG_H_
#define BERTH_CTL_CLI_CLIENT_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::ctl {

struct ClientConfig {
  // "" means the daemon's default (ctrl-p,ctrl-q).
  std::string detach_keys;
  // The --format used when none is given; "" for the table.
  std::string ps_format;
  std::string images_format;
  std::string stats_format;
};

// $BERTH_CONFIG when set, else $HOME/.berth ("" when neither is known).
std::string ClientConfigDir();

// Reads `text` (the file's content); `path` names it in errors.
absl::StatusOr<ClientConfig> ParseClientConfig(absl::string_view text,
                                               absl::string_view path);

// Reads DIR/config.json. A missing file is the defaults; one that cannot be
// read or parsed is an error naming the file and what is wrong.
absl::StatusOr<ClientConfig> LoadClientConfig(const std::string& dir);

// LoadClientConfig(ClientConfigDir()), warning on stderr and going on with
// the defaults when the file is bad, as Docker's CLI does.
ClientConfig ClientConfigOrDefaults();

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_CLIENT_CONFIG_H_
