// Where the CLI finds the credentials it sends with pull, push and search,
// and where `berth login` keeps them: Berth's config.json
// ($BERTH_CONFIG, else ~/.berth), in Docker's "auths" shape
// (services/imaged/registry/credentials.h). When that file does not exist,
// Docker's ($DOCKER_CONFIG, else ~/.docker) is read, never written, so a
// `docker login` already done serves Berth too. The whole file decides,
// not each entry: after `berth logout` a registry's Docker entry does not
// come back.
#ifndef BERTH_CTL_IMAGE_REGISTRY_AUTH_H_
#define BERTH_CTL_IMAGE_REGISTRY_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/image/v1/image_types.pb.h"

namespace berth::ctl {

// Docker Hub as a reference's domain and as a RegistryAuth's server.
inline constexpr char kDockerHubRegistry[] = "docker.io";

// The file `berth login` writes: ClientConfigDir()/config.json ("" when
// neither $BERTH_CONFIG nor $HOME is set).
std::string BerthCredentialsPath();

// Docker's config file: $DOCKER_CONFIG/config.json, else
// $HOME/.docker/config.json ("" when neither is set).
std::string DockerCredentialsPath();

// The credentials for `registry` (a reference's domain: "docker.io",
// "127.0.0.1:5000") from `berth_path` when that file exists, else from
// `docker_path`. server_address is always `registry`; the rest is empty when
// no entry matches. An identity token stored by a login goes as is. Errors
// (a file that cannot be read or parsed) name the file, never a secret.
absl::StatusOr<image::v1::RegistryAuth> LookupRegistryAuth(
    absl::string_view registry, const std::string& berth_path,
    const std::string& docker_path);

// LookupRegistryAuth in the user's files. A bad file is reported on stderr
// as a warning and read as no credentials, as Docker's CLI treats a config
// file it cannot load: the registry then answers as to an anonymous user.
image::v1::RegistryAuth RegistryAuthFor(absl::string_view registry);

// The registry a search term names (Docker's splitReposSearchTerm): the
// part before the first "/" when it has a "." or ":" or is "localhost",
// else Docker Hub.
std::string SearchTermRegistry(absl::string_view term);

}  // namespace berth::ctl

#endif  // BERTH_CTL_IMAGE_REGISTRY_AUTH_H_
