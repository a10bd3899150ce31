// berth-netd: netd alone in its own process.
#include "common/daemon.h"
#include "services/netd/netd.h"

int main(int argc, char** argv) {
  return berth::RunDaemon(argc, argv, "berth-netd",
                          "Berth netd: networks, IP address management, "
                          "bridges, veths, port publishing and container DNS",
                          {berth::netd::Definition()});
}
