// netd: networks, IP address management, bridges, veths, port publishing and
// container DNS.
#ifndef BERTH_SERVICES_NETD_NETD_H_
#define BERTH_SERVICES_NETD_NETD_H_

#include "common/service_module.h"
#include "common/store.h"

namespace berth::netd {

// The record kinds netd keeps in ROOT/netd/db.
StoreSchema Schema();

// How a daemon hosts netd; used by berth-netd and berthd.
ServiceDefinition Definition();

}  // namespace berth::netd

#endif  // BERTH_SERVICES_NETD_NETD_H_
