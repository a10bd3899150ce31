// berthd: the embedded default, all four Berth services in one process on
// their usual sockets. They still talk to each other through their gRPC
// stubs, so splitting them into separate daemons changes no code.
#include "common/daemon.h"
#include "services/containerd/containerd.h"
#include "services/imaged/imaged.h"
#include "services/netd/netd.h"
#include "services/volumed/volumed.h"

int main(int argc, char** argv) {
  return berth::RunDaemon(
      argc, argv, "berthd",
      "berthd: the Berth container platform daemon, hosting imaged, "
      "containerd, netd and volumed in one process",
      {berth::imaged::Definition(), berth::containerd::Definition(),
       berth::netd::Definition(), berth::volumed::Definition()});
}
