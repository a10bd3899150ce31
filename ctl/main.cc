// berth: the command-line client. Parses Docker-style commands and fans each
// out to the service(s) that own the work.
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "ctl/cli/registry.h"
#include "ctl/cli/run.h"
#include "ctl/commands.h"

int main(int argc, char** argv) {
  // save/load stream 1 MiB messages: keep such buffers on the heap, reused,
  // instead of mmapped and page-faulted anew for each (the page faults cost
  // more than the copy). The CLI lives for one command, so the heap it keeps
  // costs nothing; the daemons keep glibc's defaults.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  berth::ctl::CommandRegistry registry;
  const absl::Status registered = berth::ctl::RegisterBuiltinCommands(registry);
  int code = berth::ctl::kExitError;
  if (registered.ok()) {
    code = berth::ctl::RunCli(registry, argc, argv);
  } else {
    std::fprintf(stderr, "berth: %s\n",
                 std::string(registered.message()).c_str());
  }
  // Every call has finished and the output only needs flushing: skip the
  // destructors, whose gRPC shutdown joins its threads for milliseconds.
  std::fflush(nullptr);
  _exit(code);
}
