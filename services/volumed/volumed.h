// volumed: named and anonymous volumes and who uses them.
#ifndef BERTH_SERVICES_VOLUMED_VOLUMED_H_
#define BERTH_SERVICES_VOLUMED_VOLUMED_H_

#include "common/service_module.h"
#include "common/store.h"

namespace berth::volumed {

// The record kinds volumed keeps in ROOT/volumed/db.
StoreSchema Schema();

// How a daemon hosts volumed; used by berth-volumed and berthd.
ServiceDefinition Definition();

}  // namespace berth::volumed

#endif  // BERTH_SERVICES_VOLUMED_VOLUMED_H_
