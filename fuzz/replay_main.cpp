// replay_main: runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer,
// so every normal build (any compiler) replays the checked-in corpus as a ctest test.
//
// usage: <target>_replay [-v] PATH...
// Each PATH is a file (run once) or a directory (each regular file directly inside it
// is run, in name order; subdirectories are skipped). Every input is handed over in a
// heap block of exactly its size, as libFuzzer does, so sanitizers see overreads.
// Exits 0 after printing the number of inputs run; exits 1 if a path is missing or
// unreadable or if no input ran at all (an empty or misplaced corpus must not pass).
// An invariant violation inside the target aborts the process.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool run_file(const fs::path& path, bool verbose) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  if (verbose) std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
  const std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[bytes.size()]);
  if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
  (void)LLVMFuzzerTestOneInput(copy.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false;
  bool ok = true;
  std::size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-v") {
      verbose = true;
      continue;
    }
    const fs::path path(arg);
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec)) files.push_back(entry.path());
      }
      if (ec) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", path.c_str(), ec.message().c_str());
        ok = false;
        continue;
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& file : files) {
        if (run_file(file, verbose)) {
          ++runs;
        } else {
          ok = false;
        }
      }
    } else if (fs::is_regular_file(path, ec)) {
      if (run_file(path, verbose)) {
        ++runs;
      } else {
        ok = false;
      }
    } else {
      std::fprintf(stderr, "replay: %s: no such file or directory\n", path.c_str());
      ok = false;
    }
  }
  std::printf("%s: ran %zu inputs\n", argc > 0 ? argv[0] : "replay", runs);
  if (runs == 0) std::fprintf(stderr, "replay: no input ran\n");
  return ok && runs > 0 ? 0 : 1;
}
