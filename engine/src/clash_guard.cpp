#include "clash_guard.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <string_view>
#include <vector>

namespace jwtbatch::detail {
namespace {

// The relocations whose result the loader writes once and then leaves alone: GOT slots
// of calls and of address loads, and absolute pointers (read only when they lie in
// RELRO, where the program cannot have changed them since).
#if defined(__x86_64__)
constexpr auto k_jump_slot = R_X86_64_JUMP_SLOT;
constexpr auto k_glob_dat = R_X86_64_GLOB_DAT;
constexpr auto k_abs64 = R_X86_64_64;
#elif defined(__aarch64__)
constexpr auto k_jump_slot = R_AARCH64_JUMP_SLOT;
constexpr auto k_glob_dat = R_AARCH64_GLOB_DAT;
constexpr auto k_abs64 = R_AARCH64_ABS64;
#else
#error "clash_guard.cpp: add this architecture's GOT relocation types"
#endif
static_assert(sizeof(void*) == 8, "the relocation walk reads Elf64_Rela");

// The tables read here sit at addresses the loader reports as integers (load bias plus
// offsets): one place turns such an address into a pointer.
template <class T>
const T* at(std::uintptr_t addr) noexcept {
  return reinterpret_cast<const T*>(addr);  // NOLINT(performance-no-int-to-ptr)
}

// One loaded object: where it is mapped and its dynamic-section tables.
struct image {
  std::uintptr_t base = 0;
  std::span<const ElfW(Phdr)> phdrs;
  std::string path;
  const ElfW(Dyn) * dynamic = nullptr;
  const ElfW(Sym) * symtab = nullptr;
  const char* strtab = nullptr;
  std::span<const ElfW(Rela)> rela, jmprel;
  std::uintptr_t relro_begin = 0, relro_end = 0;

  [[nodiscard]] bool contains(std::uintptr_t addr) const noexcept {
    return std::ranges::any_of(phdrs, [&](const ElfW(Phdr) & ph) {
      return ph.p_type == PT_LOAD && addr - (base + ph.p_vaddr) < ph.p_memsz;
    });
  }

  // Dynamic entries hold addresses relocated in place by glibc, except for objects
  // whose dynamic section is read-only (the vDSO), which keep link-time offsets.
  [[nodiscard]] std::uintptr_t address(ElfW(Addr) p) const noexcept {
    return p < base ? base + p : p;
  }

  // needs(soname): the object lists `soname` among its DT_NEEDED dependencies.
  [[nodiscard]] bool needs(std::string_view soname) const noexcept {
    if (dynamic == nullptr || strtab == nullptr) return false;
    for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL; ++d) {
      if (d->d_tag == DT_NEEDED && soname == strtab + d->d_un.d_val) return true;
    }
    return false;
  }

  [[nodiscard]] std::string_view soname() const noexcept {
    if (dynamic == nullptr || strtab == nullptr) return {};
    for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL; ++d) {
      if (d->d_tag == DT_SONAME) return strtab + d->d_un.d_val;
    }
    return {};
  }

  // for_each_binding calls fn(symbol name, bound address) for every symbolic
  // relocation of the kinds above.
  template <class Fn>
  void for_each_binding(const Fn& fn) const {
    if (symtab == nullptr || strtab == nullptr) return;
    for (const auto relocs : {rela, jmprel}) {
      for (const ElfW(Rela) & r : relocs) {
        const auto type = ELF64_R_TYPE(r.r_info);
        const auto sym = ELF64_R_SYM(r.r_info);
        const std::uintptr_t slot = base + r.r_offset;
        const bool fixed = type == k_jump_slot || type == k_glob_dat ||
                           (type == k_abs64 && slot >= relro_begin && slot < relro_end);
        if (sym == 0 || !fixed) continue;
        std::uintptr_t value = 0;
        std::memcpy(&value, at<void>(slot), sizeof value);
        fn(std::string_view(strtab + symtab[sym].st_name),
           value - static_cast<std::uintptr_t>(r.r_addend));
      }
    }
  }
};

image read_image(const dl_phdr_info& info) {
  image m;
  m.base = info.dlpi_addr;
  m.phdrs = {info.dlpi_phdr, info.dlpi_phnum};
  m.path = info.dlpi_name != nullptr ? info.dlpi_name : "";
  for (const ElfW(Phdr) & ph : m.phdrs) {
    if (ph.p_type == PT_DYNAMIC) {
      m.dynamic = at<ElfW(Dyn)>(m.base + ph.p_vaddr);
    } else if (ph.p_type == PT_GNU_RELRO) {
      m.relro_begin = m.base + ph.p_vaddr;
      m.relro_end = m.relro_begin + ph.p_memsz;
    }
  }
  if (m.dynamic == nullptr) return m;
  const ElfW(Rela)* rela = nullptr;
  const ElfW(Rela)* jmprel = nullptr;
  std::size_t rela_bytes = 0;
  std::size_t jmprel_bytes = 0;
  bool plt_is_rela = true;
  for (const ElfW(Dyn)* d = m.dynamic; d->d_tag != DT_NULL; ++d) {
    switch (d->d_tag) {
      case DT_SYMTAB:
        m.symtab = at<ElfW(Sym)>(m.address(d->d_un.d_ptr));
        break;
      case DT_STRTAB:
        m.strtab = at<char>(m.address(d->d_un.d_ptr));
        break;
      case DT_RELA:
        rela = at<ElfW(Rela)>(m.address(d->d_un.d_ptr));
        break;
      case DT_RELASZ:
        rela_bytes = d->d_un.d_val;
        break;
      case DT_JMPREL:
        jmprel = at<ElfW(Rela)>(m.address(d->d_un.d_ptr));
        break;
      case DT_PLTRELSZ:
        jmprel_bytes = d->d_un.d_val;
        break;
      case DT_PLTREL:
        plt_is_rela = d->d_un.d_val == DT_RELA;
        break;
      default:
        break;
    }
  }
  if (rela != nullptr) m.rela = {rela, rela_bytes / sizeof(ElfW(Rela))};
  if (jmprel != nullptr && plt_is_rela) m.jmprel = {jmprel, jmprel_bytes / sizeof(ElfW(Rela))};
  return m;
}

// What the walk over the loaded objects found. Everything is copied out of the
// callback, where the loader's lock is held: no dl* call may be made there (dlsym takes
// the loader's other lock, in the opposite order to dlopen).
struct walk {
  std::uintptr_t self_addr = 0;    // an address inside this library
  std::uintptr_t anchor_addr = 0;  // BoringSSL's BORINGSSL_self_test, as bound here
  bool found = false;              // first pass: self and boring were seen
  image self, boring;
  // Second pass.
  struct binding {
    std::string object;  // who is bound (outbound), or who binds (inbound)
    std::string symbol;
    std::uintptr_t bound = 0;
  };
  std::vector<binding> inbound_candidates;  // self/boring slots bound outside BoringSSL
  std::vector<binding> outbound;            // foreign slots bound into BoringSSL
  std::exception_ptr failure;               // bad_alloc inside a callback
};

int find_self_and_boring(dl_phdr_info* info, std::size_t /*size*/, void* data) noexcept {
  auto& w = *static_cast<walk*>(data);
  try {
    image m = read_image(*info);
    if (m.contains(w.self_addr)) w.self = m;
    if (m.contains(w.anchor_addr)) w.boring = std::move(m);
  } catch (...) {
    w.failure = std::current_exception();
    return 1;
  }
  return 0;
}

int collect_bindings(dl_phdr_info* info, std::size_t /*size*/, void* data) noexcept {
  auto& w = *static_cast<walk*>(data);
  try {
    const image m = read_image(*info);
    const bool self = m.contains(w.self_addr);
    const bool boring = m.contains(w.anchor_addr);
    if (self || boring) {
      m.for_each_binding([&](std::string_view symbol, std::uintptr_t bound) {
        if (!w.boring.contains(bound)) {
          w.inbound_candidates.push_back({m.path, std::string(symbol), bound});
        }
      });
    } else if (!m.needs(w.boring.soname())) {
      m.for_each_binding([&](std::string_view symbol, std::uintptr_t bound) {
        if (w.boring.contains(bound)) w.outbound.push_back({m.path, std::string(symbol), bound});
      });
    }
  } catch (...) {
    w.failure = std::current_exception();
    return 1;
  }
  return 0;
}

std::string object_at(std::uintptr_t addr) {
  Dl_info info{};
  if (dladdr(at<void>(addr), &info) != 0 && info.dli_fname != nullptr &&
      info.dli_fname[0] != '\0') {
    return info.dli_fname;
  }
  return addr == 0 ? "nothing (an undefined weak symbol)" : "an unknown object";
}

std::string object_name(const std::string& path) {
  return path.empty() ? "the program" : path;
}

// list() names the distinct values of key(b) over `bindings`, in order of first
// appearance: "a, b, c and 4 more".
template <class Key>
std::string list(const std::vector<walk::binding>& bindings, const Key& key) {
  std::vector<std::string> seen;
  for (const walk::binding& b : bindings) {
    std::string k = key(b);
    if (std::find(seen.begin(), seen.end(), k) == seen.end()) seen.push_back(std::move(k));
  }
  std::string out;
  const std::size_t shown = std::min<std::size_t>(seen.size(), 3);
  for (std::size_t i = 0; i < shown; ++i) out += (i == 0 ? "" : ", ") + seen[i];
  if (seen.size() > shown) out += " and " + std::to_string(seen.size() - shown) + " more";
  return out;
}

std::string symbols(const std::vector<walk::binding>& bindings) {
  return list(bindings, [](const walk::binding& b) { return b.symbol; });
}

constexpr std::string_view k_remedy =
    " Mixing the two libraries' objects is undefined behaviour, so jwtbatch refuses to run "
    "in this process. Run it out of process instead (the `jwtbatch verify` or `jwtbatch "
    "scan` NDJSON filter), or load libjwtbatch.so.0 with dlopen(RTLD_NOW | RTLD_LOCAL | "
    "RTLD_DEEPBIND) before anything links it, so that it and its BoringSSL bind their own "
    "symbols first (README.md, \"Embedding (C ABI)\").";

crypto_binding_report run_check() {
  const auto start = std::chrono::steady_clock::now();
  walk w;
  w.self_addr = reinterpret_cast<std::uintptr_t>(&crypto_binding_check);
  // Only BoringSSL defines BORINGSSL_self_test: its address, taken through this
  // library's own GOT, lands in the BoringSSL this library was linked with.
  w.anchor_addr = reinterpret_cast<std::uintptr_t>(&BORINGSSL_self_test);
  dl_iterate_phdr(find_self_and_boring, &w);
  if (w.failure) std::rethrow_exception(w.failure);
  crypto_binding_report report;
  if (w.boring.phdrs.empty() || w.self.phdrs.empty()) {
    report.ok = false;
    report.message =
        "jwtbatch cannot find the BoringSSL it was linked with among the loaded "
        "objects (BORINGSSL_self_test resolves to " +
        object_at(w.anchor_addr) + ").";
    report.message += k_remedy;
    return report;
  }
  dl_iterate_phdr(collect_bindings, &w);
  if (w.failure) std::rethrow_exception(w.failure);

  // Which of the inbound candidates are BoringSSL's names? dlsym on BoringSSL's handle
  // answers from BoringSSL first, then from its own dependencies (libc).
  std::vector<walk::binding> inbound;
  void* handle = dlopen(w.boring.path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (handle != nullptr) {
    for (auto& b : w.inbound_candidates) {
      void* own = dlsym(handle, b.symbol.c_str());
      if (own != nullptr && w.boring.contains(reinterpret_cast<std::uintptr_t>(own))) {
        inbound.push_back(std::move(b));
      }
    }
    dlclose(handle);
  }

  if (!inbound.empty()) {
    const walk::binding& first = inbound.front();
    report.ok = false;
    report.message = "jwtbatch is built on BoringSSL (" + w.boring.path + "), but ";
    if (w.self.contains(first.bound) && first.object == w.self.path) {
      report.message +=
          "some of its calls into BoringSSL were not bound at load time (lazy "
          "binding: link libjwtbatch with -z now): " +
          symbols(inbound) + ".";
    } else {
      report.message += "the dynamic loader bound " + std::to_string(inbound.size()) +
                        " of the BoringSSL functions that jwtbatch and BoringSSL call to " +
                        list(inbound, [](const walk::binding& b) { return object_at(b.bound); }) +
                        ", which exports the same names (OpenSSL): " + symbols(inbound) + ".";
    }
    report.message += k_remedy;
  } else if (!w.outbound.empty()) {
    report.ok = false;
    report.message =
        "jwtbatch's BoringSSL (" + w.boring.path +
        ") is in the process's global symbol scope, ahead of the crypto library that " +
        list(w.outbound, [](const walk::binding& b) { return object_name(b.object); }) +
        " expect (OpenSSL): " + std::to_string(w.outbound.size()) +
        " of their calls are bound to BoringSSL instead, e.g. " + symbols(w.outbound) +
        ". The process's own TLS and crypto calls would run in BoringSSL.";
    report.message += k_remedy;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace

const crypto_binding_report& crypto_binding_check() {
  // A static initialised by the first caller; a throwing initialiser leaves it unset,
  // so the next call checks again.
  static const crypto_binding_report report = run_check();
  return report;
}

}  // namespace jwtbatch::detail
