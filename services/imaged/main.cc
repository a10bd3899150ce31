// berth-imaged: imaged alone in its own process.
#include "common/daemon.h"
#include "services/imaged/imaged.h"

int main(int argc, char** argv) {
  return berth::RunDaemon(
      argc, argv, "berth-imaged",
      "Berth imaged: the image store: content blobs, layers, image records and "
      "tags, and the root filesystem snapshots containers run on",
      {berth::imaged::Definition()});
}
