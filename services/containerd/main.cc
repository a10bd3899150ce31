// berth-containerd: containerd alone in its own process.
#include "common/daemon.h"
#include "services/containerd/containerd.h"

int main(int argc, char** argv) {
  return berth::RunDaemon(argc, argv, "berth-containerd",
                          "Berth containerd: container records and their "
                          "lifecycle, shims and logs",
                          {berth::containerd::Definition()});
}
