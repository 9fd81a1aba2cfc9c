// jwtbatch/batch.hpp: verifying many tokens at once on every core (Intel TBB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>

#include "jwtbatch/key_source.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/verifier.hpp"

namespace jwtbatch {

// The most worker threads one engine may ask for (batch_options::threads, the CLI's
// --threads, the C ABI's jwtbatch_verifier_options::threads): 0..max_threads.
inline constexpr int max_threads = 1024;

struct batch_options {
  // Worker threads for this engine's batches; 0 = one per core, else 1..max_threads
  // (anything else: config_error). Embedders that share a process with other TBB users
  // get their own arena of this size, capped at what TBB lets the process run
  // (tbb::global_control::max_allowed_parallelism, by default the number of cores):
  // TBB would run no more anyway, and asking it for more makes it print a warning on
  // stderr. threads() says how many run.
  int threads = 0;
  // Tokens per task: small enough to balance RSA/ECDSA-heavy batches over the cores,
  // large enough that scheduling costs nothing next to an HMAC.
  std::size_t grain = 32;
};

// batch_verifier runs a verifier over spans of tokens. Results land in the caller's
// span, slot i for token i: N tokens in, N results out, in order, whatever the thread
// count. The same batch gives the same results with 1, 2 or N threads, and a hostile
// token never affects its neighbours (each verification is noexcept and uses its
// thread's own scratch, reset per token). Thread-safe: several threads may run batches
// on one batch_verifier at once.
class batch_verifier {
 public:
  // Throws config_error for a null verifier or threads outside 0..max_threads.
  batch_verifier(std::shared_ptr<const jwtbatch::verifier> v, batch_options options = {});
  // A batch_verifier that follows `keys` (jwtbatch/key_source.hpp): each batch, and each
  // chunk of verify_stream, is verified with the source's newest key set, under `p` and
  // with `cache` (a new set gets a new verifier, so the cache drops the old set's
  // entries). Tokens refused with key_not_found make the source look for newer keys
  // (key_source::refresh_for_unknown_kid, bounded) and are verified again when it found
  // some. Throws config_error for a null source and as the other constructor does.
  batch_verifier(std::shared_ptr<key_source> keys, jwtbatch::policy p,
                 std::shared_ptr<token_cache> cache = nullptr, batch_options options = {});
  ~batch_verifier();
  batch_verifier(const batch_verifier&) = delete;
  batch_verifier& operator=(const batch_verifier&) = delete;

  // verify_batch checks every token at the policy's fixed time, or at the time the
  // call starts (one `now` for the whole batch, so the batch is deterministic).
  // Throws std::invalid_argument if the spans differ in length; nothing else throws.
  // Reusing the same results span batch after batch allocates nothing in steady state.
  void verify_batch(std::span<const std::string_view> tokens, std::span<result> results) const;

  // verify_batch_at: token i is evaluated at times[i] (Unix seconds), e.g. the time
  // of the log line it came from.
  void verify_batch_at(std::span<const std::string_view> tokens, std::span<const double> times,
                       std::span<result> results) const;

  // threads: the most threads this engine's batches run on (the arena's concurrency,
  // the calling thread included): batch_options::threads, capped as described there.
  [[nodiscard]] int threads() const noexcept;

  // run_in_arena runs `work` inside this engine's TBB arena, so that its parallel
  // algorithms use this engine's threads (the streaming pipeline uses it).
  void run_in_arena(const std::function<void()>& work) const;
  // The verifier the engine was made with. Its policy holds for every batch; an engine
  // that follows a key source verifies with current() instead, whose keys may be newer.
  [[nodiscard]] const jwtbatch::verifier& verifier() const noexcept { return *verifier_; }
  [[nodiscard]] const jwtbatch::policy& policy() const noexcept { return verifier_->policy(); }

  // The verifier of the newest keys, and the key generation it was built for (0 when
  // the engine follows no source). Hold it for a whole batch. Thread-safe.
  struct snapshot {
    std::shared_ptr<const jwtbatch::verifier> rules;
    std::uint64_t keys_generation = 0;
  };
  [[nodiscard]] snapshot current() const;
  // After `used` refused some token with key_not_found: when the engine follows a key
  // source and that source found newer keys (key_source::refresh_for_unknown_kid), the
  // newer snapshot to verify those tokens again with; otherwise nullopt. May wait for a
  // fetch (bounded by the source); never throws.
  [[nodiscard]] std::optional<snapshot> fresher_after_unknown_kid(
      const snapshot& used) const noexcept;
  // The key source followed, or null.
  [[nodiscard]] key_source* source() const noexcept { return source_.get(); }

 private:
  struct arena;
  void start();
  // Verifies tokens[i] at at(i) for every index; then, following a source, once more
  // those refused with key_not_found when the source found newer keys.
  template <class At>
  void run(std::span<const std::string_view> tokens, const At& at, std::span<result> results) const;
  std::shared_ptr<const jwtbatch::verifier> verifier_;
  batch_options options_;
  std::unique_ptr<arena> arena_;
  // Following a key source: the policy and cache every new verifier gets, and the
  // newest verifier built (guarded by newest_m_).
  std::shared_ptr<key_source> source_;
  std::shared_ptr<token_cache> cache_;
  mutable std::mutex newest_m_;
  mutable snapshot newest_;
};

}  // namespace jwtbatch
