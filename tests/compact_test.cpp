#include "jose/compact.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

#include <string>

namespace jwtbatch::detail {
namespace {

status split(std::string_view token, compact_parts& parts,
             std::size_t max = k_default_max_token_bytes) {
  return split_compact(token, max, parts);
}

TEST(Compact, SplitsThreeSegments) {
  compact_parts p;
  const std::string token = "aGVhZA.cGF5bG9hZA.c2ln";
  ASSERT_EQ(split(token, p), status::ok);
  EXPECT_EQ(p.header, "aGVhZA");
  EXPECT_EQ(p.payload, "cGF5bG9hZA");
  EXPECT_EQ(p.signature, "c2ln");
  EXPECT_EQ(p.signing_input, "aGVhZA.cGF5bG9hZA");
  // Views point into the caller's token, not into copies.
  EXPECT_EQ(p.header.data(), token.data());
  EXPECT_EQ(p.signature.data(), token.data() + 18);
}

TEST(Compact, EmptySegmentsAreLeftToTheirStages) {
  compact_parts p;
  ASSERT_EQ(split("..", p), status::ok);  // each empty segment fails later, when decoded
  EXPECT_TRUE(p.header.empty());
  EXPECT_TRUE(p.payload.empty());
  EXPECT_TRUE(p.signature.empty());
  EXPECT_EQ(p.signing_input, ".");
  ASSERT_EQ(split("a.b.", p), status::ok);
  EXPECT_TRUE(p.signature.empty());
}

TEST(Compact, SegmentCounts) {
  compact_parts p;
  EXPECT_EQ(split("", p), status::bad_segments);
  EXPECT_EQ(split("abc", p), status::bad_segments);
  EXPECT_EQ(split("a.b", p), status::bad_segments);
  EXPECT_EQ(split("a.b.c.d", p), status::bad_segments);
  EXPECT_EQ(split("a.b.c.d.e", p), status::unsupported_serialization);  // JWE compact
  EXPECT_EQ(split("....", p), status::unsupported_serialization);
  EXPECT_EQ(split("a.b.c.d.e.f", p), status::bad_segments);
  EXPECT_EQ(split(".", p), status::bad_segments);
}

TEST(Compact, JsonSerializationIsUnsupported) {
  compact_parts p;
  EXPECT_EQ(split(R"({"payload":"e30","signatures":[]})", p), status::unsupported_serialization);
  EXPECT_EQ(split("{a.b.c", p), status::unsupported_serialization);
}

TEST(Compact, SizeLimitComesFirst) {
  compact_parts p;
  const std::string at_limit =
      std::string(30, 'a') + "." + std::string(30, 'b') + "." + std::string(38, 'c');  // 100 bytes
  EXPECT_EQ(split(at_limit, p, 100), status::ok);
  EXPECT_EQ(split(at_limit + "c", p, 100), status::token_too_large);
  EXPECT_EQ(split("{" + at_limit, p, 100), status::token_too_large);
  EXPECT_EQ(split(std::string(65537, 'a'), p), status::token_too_large);
  EXPECT_EQ(split(std::string(65536, '.'), p), status::bad_segments);
}

TEST(Compact, ManyDotsStopEarly) {
  // 100k dots under a raised limit: the scan stops at the sixth dot (docs/SECURITY.md P2).
  compact_parts p;
  const std::string dots(100000, '.');
  EXPECT_EQ(split(dots, p, 1 << 20), status::bad_segments);
  const std::string late = std::string(50000, 'a') + "." + std::string(50000, 'b');
  EXPECT_EQ(split(late, p, 1 << 20), status::bad_segments);
}

TEST(Compact, BytesInsideSegmentsAreNotJudgedHere) {
  compact_parts p;
  const std::string nul("a\0b.c.d", 7);
  ASSERT_EQ(split(nul, p), status::ok);
  EXPECT_EQ(p.header.size(), 3U);
  EXPECT_EQ(split(" a.b.c\n", p), status::ok);
  EXPECT_EQ(p.header, " a");
  EXPECT_EQ(p.signature, "c\n");
}

}  // namespace
}  // namespace jwtbatch::detail
