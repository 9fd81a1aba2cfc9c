#include "gen.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "gen_claims.hpp"
#include "gen_formats.hpp"
#include "gen_hostile.hpp"
#include "gen_random.hpp"
#include "gen_signers.hpp"
#include "jwtbatch/base64url.hpp"

// The generator in parts: gen_random (the PRNG), gen_signers (keys and compact
// serialization), gen_claims (payloads and their time windows), gen_hostile (attack
// shapes), gen_formats (log lines). This file draws the mix and runs the time model.
namespace jwtbatch::cli {
namespace {

using namespace gen_parts;

// Repeats are shuffled within blocks of this many lines. A token's copies are
// contiguous before the shuffle, so with repeat <= k_block they land in at most two
// consecutive blocks: at most 2 * 2048 lines * 0.599 s = 2,453 s apart, inside the
// 3,300 s a valid token has left after its first line (see the time model).
constexpr std::size_t k_block = 2048;
constexpr std::int64_t k_max_gap_ms = 600;  // line gaps are 0..599 ms

// ---------------------------------------------------------------------------------
// Mix kinds

std::string forge(prng& rng, const signer& sg, const signing_key& s, const claims& c,
                  const gen_options& o) {
  const std::string token = sg.sign(s, c.json(o));
  const parts p = split(token);
  if (rng.below(2) == 0) {
    // Change one signature byte (away from the edges: for ECDSA it stays inside R
    // and below the group order, for RSA below the modulus).
    std::vector<std::uint8_t> sig = unb64(p.signature);
    const std::size_t quarter = std::max<std::size_t>(1, sig.size() / 4);
    sig[quarter + rng.below(quarter)] ^= static_cast<std::uint8_t>(1 + rng.below(255));
    return std::string(p.header) + "." + std::string(p.payload) + "." + b64(sig);
  }
  // Swap the payload for an escalated one, keeping the genuine signature.
  claims t = c;
  t.sub = "admin";
  t.scope = "admin:all orders:write payments:write";
  t.roles = R"(["admin"])";
  return std::string(p.header) + "." + base64url_encode(t.json(o)) + "." + std::string(p.signature);
}

std::string malform(prng& rng, const std::string& token) {
  const parts p = split(token);
  switch (rng.below(5)) {
    case 0: {  // a character outside the base64url alphabet in the header
      constexpr std::array<char, 4> bad = {'+', '/', '*', '='};
      std::string h(p.header);
      h[rng.below(h.size())] = rng.pick(bad);
      return h + "." + std::string(p.payload) + "." + std::string(p.signature);
    }
    case 1:  // signature segment dropped
      return std::string(p.header) + "." + std::string(p.payload);
    case 2:  // one segment too many
      return token + "." + std::string(p.signature.substr(0, 8));
    case 3:  // truncated inside the payload
      return token.substr(0, p.header.size() + 1 + rng.below(p.payload.size()));
    default:  // header is not JSON (cut in the middle of the object)
      return base64url_encode(R"({"alg":"HS256","typ":)") + "." + std::string(p.payload) + "." +
             std::string(p.signature);
  }
}

// Distinct-token counts per kind by the largest-remainder method (exact, ties to the
// kind listed first).
std::array<std::size_t, 4> split_counts(std::size_t distinct, const gen_mix& m) {
  const std::array<unsigned, 4> pct = {m.valid, m.expired, m.forged, m.malformed};
  std::array<std::size_t, 4> n{};
  std::array<std::size_t, 4> rem{};
  std::size_t given = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    n[i] = distinct * pct[i] / 100;
    rem[i] = distinct * pct[i] % 100;
    given += n[i];
  }
  while (given < distinct) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < 4; ++i) {
      if (rem[i] > rem[best]) best = i;
    }
    ++n[best];
    rem[best] = 0;
    ++given;
  }
  return n;
}

void validate(const gen_options& o) {
  if (o.count == 0) throw config_error("gen: count must be at least 1");
  if (o.repeat == 0 || o.repeat > k_block) {
    throw config_error("gen: repeat must be 1.." + std::to_string(k_block));
  }
  if (o.count % o.repeat != 0) {
    throw config_error("gen: count (" + std::to_string(o.count) +
                       ") must be a multiple of repeat (" + std::to_string(o.repeat) + ")");
  }
  if (o.algs.empty()) throw config_error("gen: no algorithm requested");
  const gen_mix& m = o.mix;
  if (!o.hostile && std::uint64_t{m.valid} + m.expired + m.forged + m.malformed != 100) {
    throw config_error("gen: the mix percentages must sum to 100");
  }
  // Up to year 9000, so that every time written (and exp) has a 4-digit year.
  if (!std::isfinite(o.base_time) || o.base_time < 0 || o.base_time > 221845392000.0) {
    throw config_error("gen: base time must be a Unix time between 1970 and 9000");
  }
  if (o.issuer.empty() || o.audience.empty()) {
    throw config_error("gen: issuer and audience must not be empty");
  }
}

struct live_token {
  std::string token;
  gen_kind kind = gen_kind::valid;
  std::size_t id = 0;  // first-use order
  std::size_t used = 0;
  std::size_t user = 0;
  std::int64_t iat = 0, exp = 0;
  const shape* shape_of = nullptr;
};

}  // namespace

std::string_view gen_kind_name(gen_kind k) noexcept {
  switch (k) {
    case gen_kind::valid:
      return "valid";
    case gen_kind::expired:
      return "expired";
    case gen_kind::forged:
      return "forged";
    case gen_kind::malformed:
      return "malformed";
    case gen_kind::hostile:
      return "hostile";
  }
  return "unknown";
}

gen_stats generate(const key_set& private_keys, const gen_options& o,
                   const std::function<void(std::string_view line)>& emit,
                   const std::function<void(const gen_line_info&)>& describe) {
  validate(o);
  const signer sg(private_keys, o.algs);
  std::vector<shape> shapes;
  if (o.hostile) {
    if (sg.targets().empty())
      throw config_error("gen: hostile mode needs a signing key with a kid");
    shapes = hostile_shapes(sg);
  }

  prng rng(o.seed);
  const std::size_t distinct = o.count / o.repeat;
  std::array<std::size_t, 4> left = split_counts(distinct, o.mix);  // kinds still to hand out
  std::size_t left_total = distinct;

  gen_stats st;
  st.distinct = distinct;
  if (o.hostile) {
    for (const auto& s : shapes) st.by_shape.emplace_back(std::string(s.name), 0);
  }
  std::unordered_map<std::size_t, live_token> live;  // by copy-list index, at most 2 blocks
  std::size_t next_id = 0;
  auto ms = static_cast<std::int64_t>(std::llround(o.base_time * 1000.0));
  std::string line;
  std::vector<std::size_t> block;

  for (std::size_t start = 0; start < o.count; start += k_block) {
    const std::size_t end = std::min(o.count, start + k_block);
    block.resize(end - start);
    for (std::size_t i = start; i < end; ++i) block[i - start] = i / o.repeat;
    if (o.repeat > 1) rng.shuffle(block);

    for (std::size_t slot : block) {
      const std::size_t index = st.lines;
      if (index > 0) ms += static_cast<std::int64_t>(rng.below(k_max_gap_ms));
      const std::int64_t now_s = ms / 1000;
      auto [it, fresh] = live.try_emplace(slot);
      live_token& t = it->second;
      if (fresh) {
        t.id = next_id++;
        t.user = rng.below(k_users);
        if (o.hostile) {
          t.kind = gen_kind::hostile;
          t.shape_of = &shapes[t.id % shapes.size()];
        } else {
          std::uint64_t u = rng.below(left_total);
          std::size_t k = 0;
          while (u >= left[k]) u -= left[k++];
          --left[k];
          --left_total;
          t.kind = static_cast<gen_kind>(k);
        }
        const std::size_t a = rng.below(o.algs.size());
        const signing_key& key = rng.pick(sg.keys_for(a));
        const claims c = make_claims(rng, t.user, now_s, t.kind == gen_kind::expired);
        t.iat = c.iat;
        t.exp = c.exp;
        switch (t.kind) {
          case gen_kind::valid:
          case gen_kind::expired:
            t.token = sg.sign(key, c.json(o));
            break;
          case gen_kind::forged:
            t.token = forge(rng, sg, key, c, o);
            break;
          case gen_kind::malformed:
            t.token = malform(rng, sg.sign(key, c.json(o)));
            break;
          case gen_kind::hostile: {
            const std::size_t n = shapes.size();
            const shape& s = *t.shape_of;
            shape_context x{rng,
                            sg,
                            o,
                            c,
                            (t.id / n) % s.variants,
                            sg.targets()[(t.id / n) % sg.targets().size()]};
            t.token = build_shape(s, x);
            break;
          }
        }
      }
      // The time model's promise, checked rather than assumed.
      const std::int64_t ceil_s = (ms + 999) / 1000;
      if ((t.kind == gen_kind::valid && (now_s < t.iat || ceil_s >= t.exp)) ||
          (t.kind == gen_kind::expired && now_s < t.exp)) {
        throw std::logic_error("gen: a repeat fell outside its token's validity window");
      }

      const bool accepted = t.kind == gen_kind::valid;
      const request req = o.format == gen_format::tokens ? request{} : make_request(rng, accepted);
      format_line(line, o.format, ms, req, t.user, t.token);
      emit(line);

      ++st.lines;
      switch (t.kind) {
        case gen_kind::valid:
          ++st.valid;
          break;
        case gen_kind::expired:
          ++st.expired;
          break;
        case gen_kind::forged:
          ++st.forged;
          break;
        case gen_kind::malformed:
          ++st.malformed;
          break;
        case gen_kind::hostile:
          ++st.hostile;
          ++st.by_shape[static_cast<std::size_t>(t.shape_of - shapes.data())].second;
          break;
      }
      if (index == 0) st.first_time = static_cast<double>(ms) / 1000.0;
      st.last_time = static_cast<double>(ms) / 1000.0;
      if (describe) {
        gen_line_info info;
        info.index = index;
        info.line = line;
        info.token = t.token;
        info.time = static_cast<double>(ms) / 1000.0;
        info.kind = t.kind;
        info.token_id = t.id;
        info.occurrence = t.used;
        if (t.shape_of != nullptr) {
          info.shape = t.shape_of->name;
          info.expected_label = t.shape_of->expected;
        }
        describe(info);
      }
      if (++t.used == o.repeat) live.erase(it);
    }
  }
  return st;
}

}  // namespace jwtbatch::cli
