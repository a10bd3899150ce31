// berth-volumed: volumed alone in its own process.
#include "common/daemon.h"
#include "services/volumed/volumed.h"

int main(int argc, char** argv) {
  return berth::RunDaemon(
      argc, argv, "berth-volumed",
      "Berth volumed: named and anonymous volumes and who uses them",
      {berth::volumed::Definition()});
}
