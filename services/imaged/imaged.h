// imaged: the image store: content blobs, layers, image records and tags, and
// the root filesystem snapshots containers run on.
#ifndef BERTH_SERVICES_IMAGED_IMAGED_H_
#define BERTH_SERVICES_IMAGED_IMAGED_H_

#include "common/service_module.h"
#include "common/store.h"

namespace berth::imaged {

// The record kinds imaged keeps in ROOT/imaged/db.
StoreSchema Schema();

// How a daemon hosts imaged; used by berth-imaged and berthd.
ServiceDefinition Definition();

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_IMAGED_H_
