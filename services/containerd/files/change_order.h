// The order `docker diff` lists changes in: its daemon walks the writable
// layer depth first, each directory's names sorted, so a directory comes
// right before what is below it ("/a", "/a/b", "/a.txt"), which a plain
// sort of the path strings does not give ('.' sorts before '/').
#ifndef BERTH_SERVICES_CONTAINERD_FILES_CHANGE_ORDER_H_
#define BERTH_SERVICES_CONTAINERD_FILES_CHANGE_ORDER_H_

#include "google/protobuf/repeated_field.h"
#include "berth/types/v1/types.pb.h"

namespace berth::containerd::files {

// Sorts `changes` into walk order: by path, component by component.
void SortInWalkOrder(
    google::protobuf::RepeatedPtrField<types::v1::FileChange>* changes);

}  // namespace berth::containerd::files

#endif  // BERTH_SERVICES_CONTAINERD_FILES_CHANGE_ORDER_H_
