// A main for formats_fuzz.cc without libFuzzer: runs the target once on each
// file named on the command line (or on stdin without arguments), so the
// target builds and replays a corpus or a crash input with gcc.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                         input.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::string input((std::istreambuf_iterator<char>(std::cin)),
                      std::istreambuf_iterator<char>());
    Run(input);
    std::cerr << "ran 1 input from stdin\n";
    return 0;
  }
  for (int i = 1; i < argc; ++i) {
    std::ifstream file(argv[i], std::ios::binary);
    if (!file) {
      std::cerr << "cannot read " << argv[i] << "\n";
      return 1;
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    Run(contents.str());
  }
  std::cerr << "ran " << argc - 1 << " inputs\n";
  return 0;
}
