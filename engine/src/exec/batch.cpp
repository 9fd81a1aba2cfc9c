#include "jwtbatch/batch.hpp"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "token/verify.hpp"

namespace jwtbatch {
namespace {

// The arena's size for `threads` (0..max_threads, 0 = one per core). TBB never runs
// more threads than the process allows (tbb::global_control::max_allowed_parallelism:
// by default the number of cores, or what the embedding program set): an arena asking
// for more gets no more, and TBB prints "The number of workers is currently limited
// to ..." on stderr, which is the reply channel in `scan --rsyslog`. So a larger
// request is capped here: nothing reaches stderr, and threads() tells what runs.
int arena_size(int threads) {
  if (threads == 0) return tbb::task_arena::automatic;
  const std::size_t allowed =
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  return static_cast<int>(std::clamp<std::size_t>(allowed, 1, static_cast<std::size_t>(threads)));
}

}  // namespace

struct batch_verifier::arena {
  tbb::task_arena tasks;
  explicit arena(int threads) : tasks(arena_size(threads)) {}
};

batch_verifier::batch_verifier(std::shared_ptr<const jwtbatch::verifier> v, batch_options options)
    : verifier_(std::move(v)), options_(options) {
  if (!verifier_) throw config_error("batch_verifier: no verifier");
  start();
}

batch_verifier::batch_verifier(std::shared_ptr<key_source> keys, jwtbatch::policy p,
                               std::shared_ptr<token_cache> cache, batch_options options)
    : options_(options), source_(std::move(keys)), cache_(std::move(cache)) {
  if (!source_) throw config_error("batch_verifier: no key source");
  const std::uint64_t generation = source_->generation();
  verifier_ = std::make_shared<const jwtbatch::verifier>(source_->keys(), std::move(p), cache_);
  newest_ = {verifier_, generation};
  start();
}

void batch_verifier::start() {
  // Checked before TBB is asked for anything: a huge arena crashes inside TBB.
  if (options_.threads < 0 || options_.threads > max_threads) {
    throw config_error("batch_verifier: threads must be 0 (one per core) to " +
                       std::to_string(max_threads) + ", got " + std::to_string(options_.threads));
  }
  if (options_.grain == 0) options_.grain = 1;
  arena_ = std::make_unique<arena>(options_.threads);
  arena_->tasks.initialize();
}

batch_verifier::snapshot batch_verifier::current() const {
  if (!source_) return {verifier_, 0};
  // The generation is read before the keys (key_source::generation): the set fetched
  // is at least that new. A thread that read an older generation than the one already
  // built (it was overtaken) takes the newer verifier: never a step back, which would
  // rebuild and empty the cache for nothing.
  const std::uint64_t generation = source_->generation();
  const std::lock_guard lock(newest_m_);
  if (generation > newest_.keys_generation) {
    newest_ = {
        std::make_shared<const jwtbatch::verifier>(source_->keys(), verifier_->policy(), cache_),
        generation};
  }
  return newest_;
}

std::optional<batch_verifier::snapshot> batch_verifier::fresher_after_unknown_kid(
    const snapshot& used) const noexcept {
  if (!source_ || !source_->refresh_for_unknown_kid(used.keys_generation)) return std::nullopt;
  try {
    snapshot fresh = current();
    if (fresh.keys_generation <= used.keys_generation) return std::nullopt;
    return fresh;
  } catch (...) {
    // Building the verifier failed (memory): the tokens keep their verdicts.
    return std::nullopt;
  }
}

batch_verifier::~batch_verifier() = default;

int batch_verifier::threads() const noexcept {
  return arena_->tasks.max_concurrency();
}

void batch_verifier::run_in_arena(const std::function<void()>& work) const {
  arena_->tasks.execute(work);
}

namespace {

// Runs `verify_at(i)` for every index on the arena's threads. The body is noexcept
// (verifier::verify_at never throws), so no exception can leave a task.
template <class Body>
void for_each_index(tbb::task_arena& tasks, std::size_t n, std::size_t grain, const Body& body) {
  tasks.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain),
                      [&](const tbb::blocked_range<std::size_t>& r) noexcept {
                        for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
                      });
  });
}

}  // namespace

template <class At>
void batch_verifier::run(std::span<const std::string_view> tokens, const At& at,
                         std::span<result> results) const {
  const snapshot used = current();
  const jwtbatch::verifier& rules = *used.rules;
  for_each_index(arena_->tasks, tokens.size(), options_.grain,
                 [&](std::size_t i) noexcept { rules.verify_at(tokens[i], at(i), results[i]); });
  if (!source_) return;
  std::vector<std::size_t> unknown;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].code == status::key_not_found) unknown.push_back(i);
  }
  if (unknown.empty()) return;
  const std::optional<snapshot> fresh = fresher_after_unknown_kid(used);
  if (!fresh) return;
  const jwtbatch::verifier& newer = *fresh->rules;
  for_each_index(arena_->tasks, unknown.size(), options_.grain, [&](std::size_t j) noexcept {
    const std::size_t i = unknown[j];
    newer.verify_at(tokens[i], at(i), results[i]);
  });
}

void batch_verifier::verify_batch(std::span<const std::string_view> tokens,
                                  std::span<result> results) const {
  if (tokens.size() != results.size()) {
    throw std::invalid_argument("verify_batch: tokens and results differ in length");
  }
  // One `now` for the whole batch, the tokens verified again included (every verifier
  // of this engine has its policy).
  const double now = verifier_->evaluation_time();
  run(
      tokens, [now](std::size_t /*i*/) { return now; }, results);
}

void batch_verifier::verify_batch_at(std::span<const std::string_view> tokens,
                                     std::span<const double> times,
                                     std::span<result> results) const {
  if (tokens.size() != results.size() || tokens.size() != times.size()) {
    throw std::invalid_argument("verify_batch_at: tokens, times and results differ in length");
  }
  run(
      tokens, [times](std::size_t i) { return times[i]; }, results);
}

}  // namespace jwtbatch
