// The write half of RegistryClient (blob uploads, cross-repository mounts,
// manifest pushes) over its session. Private to the registry_client
// library; RegistryClient's methods forward here and document the contract.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_REGISTRY_UPLOAD_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_REGISTRY_UPLOAD_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/imaged/registry/manifest.h"
#include "services/imaged/registry/registry_session.h"

namespace berth::imaged::registry {

absl::Status UploadBlobFile(RegistrySession& session, const Descriptor& blob,
                            const std::string& path,
                            const std::function<void(int64_t)>& progress);

absl::StatusOr<bool> MountBlobFrom(RegistrySession& session,
                                   const std::string& digest,
                                   const std::string& from_repository);

absl::StatusOr<std::string> PutManifestAs(RegistrySession& session,
                                          const std::string& reference,
                                          const std::string& media_type,
                                          const std::string& body);

}  // namespace berth::imaged::registry

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_REGISTRY_UPLOAD_H_
