#include "jwtbatch/status.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

#include <set>
#include <string>

namespace jwtbatch {
namespace {

TEST(Status, NamesAreStableAndExact) {
  // The public vocabulary: these strings appear verbatim in CLI output and the C ABI.
  EXPECT_EQ(status_name(status::ok), "ok");
  EXPECT_EQ(status_name(status::token_too_large), "token_too_large");
  EXPECT_EQ(status_name(status::bad_segments), "bad_segments");
  EXPECT_EQ(status_name(status::unsupported_serialization), "unsupported_serialization");
  EXPECT_EQ(status_name(status::bad_base64), "bad_base64");
  EXPECT_EQ(status_name(status::bad_json), "bad_json");
  EXPECT_EQ(status_name(status::duplicate_member), "duplicate_member");
  EXPECT_EQ(status_name(status::json_limit_exceeded), "json_limit_exceeded");
  EXPECT_EQ(status_name(status::bad_member_type), "bad_member_type");
  EXPECT_EQ(status_name(status::bad_crit), "bad_crit");
  EXPECT_EQ(status_name(status::alg_missing), "alg_missing");
  EXPECT_EQ(status_name(status::alg_none), "alg_none");
  EXPECT_EQ(status_name(status::alg_unsupported), "alg_unsupported");
  EXPECT_EQ(status_name(status::crit_unsupported), "crit_unsupported");
  EXPECT_EQ(status_name(status::b64_unsupported), "b64_unsupported");
  EXPECT_EQ(status_name(status::zip_unsupported), "zip_unsupported");
  EXPECT_EQ(status_name(status::nested_jwt_unsupported), "nested_jwt_unsupported");
  EXPECT_EQ(status_name(status::key_not_found), "key_not_found");
  EXPECT_EQ(status_name(status::key_ambiguous), "key_ambiguous");
  EXPECT_EQ(status_name(status::alg_key_mismatch), "alg_key_mismatch");
  EXPECT_EQ(status_name(status::kid_missing), "kid_missing");
  EXPECT_EQ(status_name(status::bad_signature_length), "bad_signature_length");
  EXPECT_EQ(status_name(status::bad_signature), "bad_signature");
  EXPECT_EQ(status_name(status::alg_not_allowed), "alg_not_allowed");
  EXPECT_EQ(status_name(status::typ_mismatch), "typ_mismatch");
  EXPECT_EQ(status_name(status::embedded_key_rejected), "embedded_key_rejected");
  EXPECT_EQ(status_name(status::bad_claim_type), "bad_claim_type");
  EXPECT_EQ(status_name(status::missing_claim), "missing_claim");
  EXPECT_EQ(status_name(status::expired), "expired");
  EXPECT_EQ(status_name(status::not_yet_valid), "not_yet_valid");
  EXPECT_EQ(status_name(status::issued_in_future), "issued_in_future");
  EXPECT_EQ(status_name(status::too_old), "too_old");
  EXPECT_EQ(status_name(status::issuer_mismatch), "issuer_mismatch");
  EXPECT_EQ(status_name(status::audience_mismatch), "audience_mismatch");
  EXPECT_EQ(status_name(status::subject_mismatch), "subject_mismatch");
  EXPECT_EQ(status_name(status::no_token), "no_token");
  EXPECT_EQ(status_name(status::no_log_time), "no_log_time");
  EXPECT_EQ(status_name(status::key_outside_window), "key_outside_window");
  EXPECT_EQ(status_count, 38U) << "a new status needs its name asserted above";
}

TEST(Status, NumbersAreAppendOnly) {
  // Numeric values are part of the C ABI: they never move.
  EXPECT_EQ(static_cast<int>(status::ok), 0);
  EXPECT_EQ(static_cast<int>(status::bad_base64), 4);
  EXPECT_EQ(static_cast<int>(status::alg_missing), 10);
  EXPECT_EQ(static_cast<int>(status::nested_jwt_unsupported), 16);
  EXPECT_EQ(static_cast<int>(status::key_not_found), 17);
  EXPECT_EQ(static_cast<int>(status::bad_signature), 22);
  EXPECT_EQ(static_cast<int>(status::alg_not_allowed), 23);
  EXPECT_EQ(static_cast<int>(status::subject_mismatch), 34);
  EXPECT_EQ(static_cast<int>(status::no_token), 35);
  EXPECT_EQ(static_cast<int>(status::no_log_time), 36);
  EXPECT_EQ(static_cast<int>(status::key_outside_window), 37);
}

TEST(Status, EveryValueHasExactlyOneClass) {
  EXPECT_EQ(class_of(status::ok), status_class::ok);
  for (status s :
       {status::token_too_large, status::bad_segments, status::unsupported_serialization,
        status::bad_base64, status::bad_json, status::duplicate_member, status::json_limit_exceeded,
        status::bad_member_type, status::bad_crit, status::no_token}) {
    EXPECT_EQ(class_name(s), "format") << status_name(s);
  }
  for (status s :
       {status::alg_missing, status::alg_none, status::alg_unsupported, status::crit_unsupported,
        status::b64_unsupported, status::zip_unsupported, status::nested_jwt_unsupported}) {
    EXPECT_EQ(class_name(s), "header") << status_name(s);
  }
  for (status s : {status::key_not_found, status::key_ambiguous, status::alg_key_mismatch,
                   status::kid_missing, status::key_outside_window}) {
    EXPECT_EQ(class_name(s), "key") << status_name(s);
  }
  for (status s : {status::bad_signature_length, status::bad_signature}) {
    EXPECT_EQ(class_name(s), "signature") << status_name(s);
  }
  for (status s : {status::alg_not_allowed, status::typ_mismatch, status::embedded_key_rejected}) {
    EXPECT_EQ(class_name(s), "header") << status_name(s);
  }
  for (status s :
       {status::bad_claim_type, status::missing_claim, status::expired, status::not_yet_valid,
        status::issued_in_future, status::too_old, status::issuer_mismatch,
        status::audience_mismatch, status::subject_mismatch, status::no_log_time}) {
    EXPECT_EQ(class_name(s), "claims") << status_name(s);
  }
}

TEST(Status, ClassNames) {
  EXPECT_EQ(class_name(status_class::ok), "ok");
  EXPECT_EQ(class_name(status_class::format), "format");
  EXPECT_EQ(class_name(status_class::header), "header");
  EXPECT_EQ(class_name(status_class::key), "key");
  EXPECT_EQ(class_name(status_class::signature), "signature");
  EXPECT_EQ(class_name(status_class::claims), "claims");
}

TEST(Status, NamesAreUniqueLowercaseAndRoundTrip) {
  std::set<std::string> seen;
  ASSERT_EQ(all_statuses().size(), status_count);
  for (std::size_t i = 0; i < status_count; ++i) {
    const status s = all_statuses()[i];
    EXPECT_EQ(static_cast<std::size_t>(s), i);
    const std::string name(status_name(s));
    EXPECT_TRUE(seen.insert(name).second) << "duplicate name " << name;
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    EXPECT_EQ(status_from_name(name), s);
  }
  EXPECT_EQ(status_from_name("OK"), std::nullopt);
  EXPECT_EQ(status_from_name(""), std::nullopt);
}

TEST(Status, OutOfRangeValuesNeverReadAsOk) {
  const auto bogus = static_cast<status>(200);
  EXPECT_EQ(status_name(bogus), "unknown");
  EXPECT_EQ(class_of(bogus), status_class::format);
}

}  // namespace
}  // namespace jwtbatch
