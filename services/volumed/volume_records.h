// volumed's records and the pure rules about them.
//
// Key layout (ROOT/volumed/db), see common/store.h for the column families:
//
//   "volumes"   <name> -> berth.volume.v1.Volume
//                         used_by (sorted container ids) is the reference
//                         count; it changes in the same Put as the decision
//                         that changes it (acquire, release).
//
// On disk, beside the db: ROOT/volumed/volumes/<name>/_data, the volume's
// content (or the mount point of its driver filesystem).
#ifndef BERTH_SERVICES_VOLUMED_VOLUME_RECORDS_H_
#define BERTH_SERVICES_VOLUMED_VOLUME_RECORDS_H_

#include <string>

#include "absl/status/status.h"
#include "berth/types/v1/types.pb.h"
#include "berth/volume/v1/volume.pb.h"
#include "common/store.h"
#include "common/table.h"

namespace berth::volumed {

Table<volume::v1::Volume> VolumesTable();
StoreSchema VolumedSchema();

// Docker's rule for a local volume's name: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at
// most 255 characters. INVALID_ARGUMENT naming the name, in Docker's words
// (with its hint for a host path given where a name belongs).
absl::Status ValidateVolumeName(const std::string& name);

// A container id as a record may hold it: non-empty, [a-zA-Z0-9_.-].
absl::Status ValidateContainerId(const std::string& id);

// Adds `container_id` to `volume`'s sorted used_by; false if it was there.
bool AddUser(volume::v1::Volume& volume, const std::string& container_id);
// Removes it; false if it was not there.
bool RemoveUser(volume::v1::Volume& volume, const std::string& container_id);
bool HoldsVolume(const volume::v1::Volume& volume,
                 const std::string& container_id);

// Whether `volume` passes `volume ls`'s filter (terms ANDed, values ORed).
bool MatchesVolumeFilter(const volume::v1::Volume& volume,
                         const volume::v1::VolumeFilter& filter);

// Whether an unused `volume` is one `volume prune` removes: anonymous (or
// any with `all`), created before `until`, matching every label term.
bool PrunesVolume(const volume::v1::Volume& volume, bool all,
                  const types::v1::PruneFilter& filter);

// Docker's refusal to remove a volume in use, naming its containers:
// FAILED_PRECONDITION "remove NAME: volume is in use - [id1, id2]".
absl::Status InUseError(const volume::v1::Volume& volume);

}  // namespace berth::volumed

#endif  // BERTH_SERVICES_VOLUMED_VOLUME_RECORDS_H_
