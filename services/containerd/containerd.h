// containerd: container records and their lifecycle, shims, logs, exec/attach
// and events.
#ifndef BERTH_SERVICES_CONTAINERD_CONTAINERD_H_
#define BERTH_SERVICES_CONTAINERD_CONTAINERD_H_

#include "common/service_module.h"
#include "common/store.h"

namespace berth::containerd {

// The record kinds containerd keeps in ROOT/containerd/db.
StoreSchema Schema();

// How a daemon hosts containerd; used by berth-containerd and berthd.
ServiceDefinition Definition();

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_CONTAINERD_H_
