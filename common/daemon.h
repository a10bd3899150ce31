// RunDaemon: the whole life of a Berth daemon process, shared by berthd and
// the four standalone service binaries so they behave the same:
//
//   1. parse flags (--config, --root, --run-root, --log-level, --log-file);
//   2. resolve the config (defaults < file < flags);
//   3. for each hosted service: lock ROOT/<service>, create the module,
//      serve it on its socket;
//   4. wait for SIGTERM or SIGINT, then stop every server gracefully
//      (in-flight calls get a grace period) and release the locks.
//
// Startup errors are printed as "<program>: error: ..." with exit code 1.
#ifndef BERTH_COMMON_DAEMON_H_
#define BERTH_COMMON_DAEMON_H_

#include <string>
#include <vector>

#include "common/service_module.h"

namespace berth {

int RunDaemon(int argc, char** argv, const std::string& program,
              const std::string& description,
              const std::vector<ServiceDefinition>& services);

}  // namespace berth

#endif  // BERTH_COMMON_DAEMON_H_
