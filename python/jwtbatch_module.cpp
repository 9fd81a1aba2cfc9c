// jwtbatch_module.cpp: the `jwtbatch` Python extension module (pybind11) over the
// public C++ API (engine/include/jwtbatch/), linked against libjwtbatch.so like any
// other user of the installed library: no engine header, nothing of jwtbatch::detail.
// What it shares with the program (jwtbatch_cli_shared), pure code over the same public
// API: the log scanner (scan_extractor.hpp), which jwtbatch.scan runs in the library's
// pipeline, and the readers and refusals of configuration values (config_words.hpp).
//
// Why pybind11 over the C++ API and not cffi over the C ABI: the C++ API hands over a
// result's claims, aud list and custom claims as views that are turned into Python
// objects in one pass with the GIL held, and its config_error carries the very
// messages the CLI prints; cffi would need a Python-side loop per token field, which
// is where the time of a 100,000-token batch would go.
//
// Shape of a call (Verifier.verify): the tokens argument becomes a tuple of our own;
// chunks of tokens (1,024 first, doubling up to 16,384) are viewed in place (their
// UTF-8 bytes) with the GIL held. The first is verified on every core; each next
// one by a helper thread on every core but one while this thread makes the records of
// the chunk before (the GIL held), then by both, GIL released, block by block. While
// the GIL is released no Python object is changed or made (the engine only reads the
// immutable bytes of the tokens, which the tuple holds), and a per-token failure is a
// record.
//
// Records have the keys of the CLI's NDJSON records (engine/cli/record.cpp) without
// the place in the input ("line", "file"): a key is present only when the CLI writes
// it, and claims only when the signature verified.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config_words.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/batch.hpp"
#include "jwtbatch/cache.hpp"
#include "jwtbatch/error.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/pipeline.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"
#include "jwtbatch/verifier.hpp"
#include "scan_extractor.hpp"

namespace py = pybind11;

namespace {

using jwtbatch::config_error;
// The CLI's words for its configuration (config_words.hpp): bounds, parsers, refusals.
using jwtbatch::cli::k_max_age_seconds;
using jwtbatch::cli::k_max_unix_time;
using jwtbatch::cli::rethrow_naming;

// ---------------------------------------------------------------------------------
// Interned strings: the record keys and every name of the vocabulary, made once.

struct names {
  py::str status{"status"}, cls{"class"}, detail{"detail"}, alg{"alg"}, kid{"kid"}, iss{"iss"},
      sub{"sub"}, aud{"aud"}, exp{"exp"}, nbf{"nbf"}, iat{"iat"}, jti{"jti"}, claims{"claims"},
      fp{"fp"}, label{"label"};
  // The members a scan record has before the verdict's.
  py::str line{"line"}, offset{"offset"}, encoding{"encoding"}, at{"at"}, at_source{"at_source"},
      cut{"cut"}, percent{"percent"};
  std::vector<py::str> time_sources;  // by time_source value: "now", "flag", "line"
  std::vector<py::str> record_keys;   // by record_key
  std::vector<py::str> statuses;      // by status value
  std::vector<py::str> classes;       // by status value: its class's name
  std::vector<py::str> algs;          // by alg value
  std::vector<py::str> labels;        // by attack_label value
  py::object json_loads;
};

names* g_names = nullptr;  // set at module init, lives as long as the interpreter

void init_names() {
  auto* n = new names();  // never freed: module state for the interpreter's life
  for (const jwtbatch::status s : jwtbatch::all_statuses()) {
    n->statuses.emplace_back(std::string(jwtbatch::status_name(s)));
    n->classes.emplace_back(std::string(jwtbatch::class_name(s)));
  }
  for (std::size_t a = 0; a < jwtbatch::alg_count; ++a) {
    n->algs.emplace_back(std::string(jwtbatch::alg_name(static_cast<jwtbatch::alg>(a))));
  }
  for (std::size_t l = 0; l <= static_cast<std::size_t>(jwtbatch::attack_label::crit_bypass); ++l) {
    n->labels.emplace_back(
        std::string(jwtbatch::label_name(static_cast<jwtbatch::attack_label>(l))));
  }
  for (const jwtbatch::time_source t :
       {jwtbatch::time_source::now, jwtbatch::time_source::flag, jwtbatch::time_source::line}) {
    n->time_sources.emplace_back(std::string(jwtbatch::time_source_name(t)));
  }
  for (const py::str* key :
       {&n->line, &n->offset, &n->encoding, &n->at,  &n->at_source, &n->cut, &n->status,
        &n->cls,  &n->detail, &n->alg,      &n->kid, &n->iss,       &n->sub, &n->aud,
        &n->exp,  &n->nbf,    &n->iat,      &n->jti, &n->claims,    &n->fp,  &n->label}) {
    n->record_keys.push_back(*key);
  }
  n->json_loads = py::module_::import("json").attr("loads");
  g_names = n;
}

// ---------------------------------------------------------------------------------
// Arguments: Python values to the CLI's configuration, refused with the CLI's words.

std::string text_of(py::handle v) {
  return py::str(v).cast<std::string>();
}

// A path: str, bytes or os.PathLike.
std::string path_of(py::handle v, std::string_view what) {
  if (py::isinstance<py::str>(v) || py::isinstance<py::bytes>(v) || py::hasattr(v, "__fspath__")) {
    py::object p = py::module_::import("os").attr("fsdecode")(v);
    return p.cast<std::string>();
  }
  throw py::type_error(std::string(what) + ": expected a path (str, bytes or os.PathLike)");
}

// None -> nothing; one value -> one item; an iterable -> its items. `convert` makes each.
template <class Convert>
std::vector<std::string> items_of(py::handle v, std::string_view what, Convert convert) {
  std::vector<std::string> out;
  if (v.is_none()) return out;
  if (py::isinstance<py::str>(v) || py::isinstance<py::bytes>(v) || py::hasattr(v, "__fspath__")) {
    out.push_back(convert(v));
    return out;
  }
  if (!py::isinstance<py::iterable>(v)) {
    throw py::type_error(std::string(what) + ": expected a str or a list of str");
  }
  for (py::handle item : v) out.push_back(convert(item));
  return out;
}

std::vector<std::string> paths_of(py::handle v, std::string_view what) {
  return items_of(v, what, [&](py::handle item) { return path_of(item, what); });
}

// The CLI's list flags (--iss, --aud, --alg, --require, --typ, --claims): one value per
// item, never empty (CLI11 then says `--iss: empty value`).
std::vector<std::string> list_of(py::handle v, std::string_view flag) {
  return items_of(v, flag, [&](py::handle item) {
    if (!py::isinstance<py::str>(item)) {
      throw py::type_error(std::string(flag) + ": expected a str or a list of str");
    }
    auto s = item.cast<std::string>();
    if (s.empty()) throw config_error(std::string(flag) + ": empty value");
    return s;
  });
}

// The CLI's whole-number flags (flags.cpp parse_whole): `--leeway: "-5" is out of range
// (expected a whole number, 0..86400)`.
std::int64_t whole_of(py::handle v, std::string_view flag, std::int64_t lo, std::int64_t hi) {
  const std::string expected =
      "(expected a whole number, " + std::to_string(lo) + ".." + std::to_string(hi) + ")";
  if (!py::isinstance<py::int_>(v) || py::isinstance<py::bool_>(v)) {
    throw py::type_error(std::string(flag) + ": expected an int, not " +
                         std::string(Py_TYPE(v.ptr())->tp_name));
  }
  long long value = 0;
  int overflow = 0;
  value = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
  if (overflow != 0 || value < lo || value > hi) {
    throw config_error(std::string(flag) + ": \"" + text_of(v) + "\" is out of range " + expected);
  }
  return value;
}

// --at as the CLI reads it: Unix seconds (an int, a float, or text: parse_time, as the
// CLI reads the flag) or an RFC 3339 date-time with its zone (text, or an aware
// datetime), 1970..9999.
double time_of(py::handle v, std::string_view flag) {
  // The value as the messages quote it (a number or a datetime: text is parse_time's);
  // made only for a message.
  const auto text = [&]() { return text_of(v); };
  const auto in_range = [&](double t) {
    if (std::isfinite(t) && t >= 0 && t <= k_max_unix_time) return t;
    throw config_error(std::string(flag) + " \"" + text() +
                       "\": out of range (expected a time from 1970 to 9999)");
  };
  const auto no_zone = [&]() {
    return config_error(std::string(flag) + " \"" + text() +
                        "\": an RFC 3339 date-time needs its zone (Z for UTC, or an offset such "
                        "as +02:00)");
  };
  if (py::isinstance<py::bool_>(v)) {
    throw py::type_error(std::string(flag) + ": expected Unix seconds or a date-time, not bool");
  }
  if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)) {
    double t = PyFloat_AsDouble(v.ptr());  // an int too; one beyond a double overflows
    if (t == -1.0 && PyErr_Occurred() != nullptr) {
      PyErr_Clear();
      t = HUGE_VAL;
    }
    return in_range(t);
  }
  py::module_ datetime = py::module_::import("datetime");
  if (py::isinstance(v, datetime.attr("datetime"))) {
    if (v.attr("tzinfo").is_none()) throw no_zone();
    return in_range(v.attr("timestamp")().cast<double>());
  }
  if (!py::isinstance<py::str>(v)) {
    throw py::type_error(std::string(flag) +
                         ": expected Unix seconds (int, float, str) or a date-time (str, "
                         "datetime)");
  }
  return jwtbatch::cli::parse_time(v.cast<std::string>(), flag);
}

// ---------------------------------------------------------------------------------
// Tokens in, records out.

// What a call needs besides its Python objects: a chunk of tokens (a view per token
// into its Python object), their times and their results. Reused from call to call
// (py_verifier::take_scratch), so a steady stream of calls allocates nothing here.
struct scratch {
  std::vector<std::string_view> views;
  std::vector<double> times;
  std::vector<jwtbatch::result> results;
};

// The tokens argument as a tuple of our own: the caller's list may change while the
// GIL is released between chunks, the tuple cannot.
py::tuple token_tuple(py::handle tokens) {
  if (py::isinstance<py::str>(tokens) || py::isinstance<py::bytes>(tokens)) {
    throw py::type_error("tokens: expected a list of tokens (str or bytes), not one token");
  }
  if (!py::isinstance<py::iterable>(tokens)) {
    throw py::type_error("tokens: expected a list of tokens (str or bytes)");
  }
  PyObject* t = PySequence_Tuple(tokens.ptr());
  if (t == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::tuple>(t);
}

// The bytes of `item` (GIL held): those of a bytes, or the UTF-8 of a str (its own
// bytes when it is ASCII, else the UTF-8 copy the str keeps once asked). Both stay as
// they are while the item lives. Throws TypeError naming what[index] for any other type.
std::string_view bytes_of(PyObject* item, const char* what, std::size_t index) {
  Py_ssize_t len = 0;
  const char* data = nullptr;
  if (PyUnicode_Check(item)) {
    data = PyUnicode_AsUTF8AndSize(item, &len);
    if (data == nullptr) throw py::error_already_set();
  } else if (PyBytes_Check(item)) {
    data = PyBytes_AS_STRING(item);
    len = PyBytes_GET_SIZE(item);
  } else {
    throw py::type_error(std::string(what) + "[" + std::to_string(index) +
                         "]: expected str or bytes, not " + std::string(Py_TYPE(item)->tp_name));
  }
  return {data, static_cast<std::size_t>(len)};
}

// view_tokens points s.views at tokens[offset, offset + count) (GIL held). The tuple
// holds them for the whole call, so the engine reads them in place, GIL released,
// without a copy.
void view_tokens(const py::tuple& tokens, std::size_t offset, std::size_t count, scratch& s) {
  PyObject** items = PySequence_Fast_ITEMS(tokens.ptr());
  s.views.clear();
  for (std::size_t i = offset; i < offset + count; ++i) {
    s.views.push_back(bytes_of(items[i], "tokens", i));
  }
}

py::object str_of(std::string_view s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(o);
}

py::object fp_of(const jwtbatch::result& r) {
  const std::string_view fp = r.fingerprint_hex();
  PyObject* o = PyUnicode_New(static_cast<Py_ssize_t>(fp.size()), 127);
  if (o == nullptr) throw py::error_already_set();
  std::memcpy(PyUnicode_1BYTE_DATA(o), fp.data(), fp.size());
  return py::reinterpret_steal<py::object>(o);
}

// The Python objects of the values that repeat from token to token in a log (kid,
// iss, sub, aud, a detail; exp, nbf, iat): a value made once is handed out again while
// it stays in its slot of a direct-mapped table, so a batch of one issuer's tokens
// makes one str of its issuer and one int of an iat that is also the nbf. Fewer objects
// made is fewer allocations, and fewer pages the interpreter touches for the first
// time. One per call (the GIL held), its references dropped when the call ends.
class value_cache {
 public:
  value_cache() : strs_(k_slots), numbers_(k_slots) {}

  py::object str(std::string_view s) {
    const std::size_t h = std::hash<std::string_view>{}(s);
    str_slot& slot = strs_[h & (strs_.size() - 1)];
    if (slot.value && slot.hash == h && slot.bytes == s) return slot.value;
    slot.value = str_of(s);
    slot.hash = h;
    slot.bytes.assign(s);
    return slot.value;
  }

  // A NumericDate as the CLI writes it: an integer when it is one, else the double.
  py::object number(double v) {
    // (The engine bounds NumericDates far inside int64; the cast is checked anyway.)
    const bool whole = std::fabs(v) < 9.0e18 && v == std::trunc(v);
    if (!whole) return steal(PyFloat_FromDouble(v));
    const auto i = static_cast<std::int64_t>(v);
    number_slot& slot = numbers_[static_cast<std::size_t>(i) & (numbers_.size() - 1)];
    if (!slot.value || slot.key != i) {
      slot.value = steal(PyLong_FromLongLong(i));
      slot.key = i;
    }
    return slot.value;
  }

 private:
  static constexpr std::size_t k_slots = 256;
  struct str_slot {
    std::size_t hash = 0;
    std::string bytes;
    py::object value;
  };
  struct number_slot {
    std::int64_t key = 0;
    py::object value;
  };
  static py::object steal(PyObject* o) {
    if (o == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(o);
  }
  std::vector<str_slot> strs_;
  std::vector<number_slot> numbers_;
};

py::object aud_of(const jwtbatch::result& r, value_cache& same) {
  py::list aud(r.aud.size());
  for (std::size_t i = 0; i < r.aud.size(); ++i) aud[i] = same.str(r.aud[i]);
  PyObject_GC_UnTrack(aud.ptr());
  return aud;
}

py::object claims_of(const jwtbatch::result& r) {
  py::dict claims;
  for (const auto& [name, json] : r.custom_claims) {
    claims[str_of(name)] = g_names->json_loads(str_of(json));
  }
  return claims;
}

void set(py::dict& d, const py::str& key, const py::handle value) {
  if (PyDict_SetItem(d.ptr(), key.ptr(), value.ptr()) != 0) throw py::error_already_set();
}

// Where a scan record's token was in its line and when it was judged: the members of
// a scan record before the verdict's.
struct scan_origin {
  std::uint64_t line = 0;  // 1-based, counted over the whole call
  std::size_t offset = 0;
  bool percent_encoded = false;
  double at = 0;
  jwtbatch::time_source at_source = jwtbatch::time_source::now;
  bool cut = false;  // the line held more than its records say
};

// Every key a record may have, in the order of append_record (engine/cli/record.cpp):
// a scan record's SCAN_KEYS, then a verify record's RECORD_KEYS.
enum record_key : std::uint8_t {
  k_line,
  k_offset,
  k_encoding,
  k_at,
  k_at_source,
  k_cut,
  k_status,
  k_class,
  k_detail,
  k_alg,
  k_kid,
  k_iss,
  k_sub,
  k_aud,
  k_exp,
  k_nbf,
  k_iat,
  k_jti,
  k_claims,
  k_fp,
  k_label,
  k_record_keys
};

// The dicts records are made from: one per set of keys, each holding None under them,
// all sharing one table of keys, the way CPython's instance dicts share their class's
// (PEP 412). A record is a copy of its shape's dict with the values put in: the copy
// shares the table too, so it is made without hashing a key or growing a table, and
// takes less than half the memory of a dict of its own (what the interpreter touches
// for the first time, and frees again, is most of a large batch's cost). The shared
// table is made by the instances of a class of ours; to everyone else a record is a
// plain dict, and one given a key of another name turns into one with its own table.
class record_shapes {
 public:
  record_shapes() {
    const py::dict attrs;
    holder_ = py::module_::import("builtins").attr("type")("_jwtbatch_record", py::tuple(), attrs);
  }

  // A new dict holding None under each key of `keys` (a bit per record_key), in order.
  py::dict make(std::uint32_t keys) {
    auto it = shapes_.find(keys);
    if (it == shapes_.end()) it = shapes_.emplace(keys, shape_of(keys)).first;
    PyObject* d = PyDict_Copy(it->second.ptr());
    if (d == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::dict>(d);
  }

 private:
  py::dict shape_of(std::uint32_t keys) const {
    const names& n = *g_names;
    const py::object instance = holder_();
    for (std::size_t k = 0; k < k_record_keys; ++k) {
      if ((keys & (1U << k)) == 0) continue;
      if (PyObject_GenericSetAttr(instance.ptr(), n.record_keys[k].ptr(), Py_None) != 0) {
        throw py::error_already_set();
      }
    }
    PyObject* d = PyObject_GenericGetDict(instance.ptr(), nullptr);
    if (d == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::dict>(d);
  }

  py::object holder_;
  std::unordered_map<std::uint32_t, py::dict> shapes_;
};

// The record of append_record (engine/cli/record.cpp), member for member and in its
// order, without the input's place ("file") and, unless `origin` is given (scan),
// without the line's ("line", "offset", "encoding", "at", "at_source", "cut").
record_shapes* g_shapes = nullptr;  // set at module init, lives as long as the interpreter

py::dict record_of(const jwtbatch::result& r, value_cache& same,
                   const scan_origin* origin = nullptr) {
  const names& n = *g_names;
  const auto code = static_cast<std::size_t>(r.code);
  // The members first, then the dict of their keys with their values put in.
  std::array<py::object, k_record_keys> members;
  std::uint32_t keys = 0;
  const auto put = [&](record_key k, py::object value) {
    members[k] = std::move(value);
    keys |= 1U << k;
  };
  if (origin != nullptr) {
    put(k_line, py::int_(origin->line));
    put(k_offset, py::int_(origin->offset));
    if (origin->percent_encoded) put(k_encoding, n.percent);
    put(k_at, same.number(origin->at));
    put(k_at_source, n.time_sources[static_cast<std::size_t>(origin->at_source)]);
    if (origin->cut) put(k_cut, py::bool_(true));
  }
  put(k_status, n.statuses[code]);
  put(k_class, n.classes[code]);
  if (r.detail) put(k_detail, same.str(*r.detail));
  if (r.algorithm) put(k_alg, n.algs[static_cast<std::size_t>(*r.algorithm)]);
  if (r.kid) put(k_kid, same.str(*r.kid));
  // Claims only from a genuine token: nothing a forged token says is shown.
  if (r.signature_verified) {
    if (r.iss) put(k_iss, same.str(*r.iss));
    if (r.sub) put(k_sub, str_of(*r.sub));
    if (r.has_aud) put(k_aud, aud_of(r, same));
    if (r.exp) put(k_exp, same.number(*r.exp));
    if (r.nbf) put(k_nbf, same.number(*r.nbf));
    if (r.iat) put(k_iat, same.number(*r.iat));
    if (r.jti) put(k_jti, str_of(*r.jti));
    if (!r.custom_claims.empty()) put(k_claims, claims_of(r));
  }
  put(k_fp, fp_of(r));
  if (r.label != jwtbatch::attack_label::none) {
    put(k_label, n.labels[static_cast<std::size_t>(r.label)]);
  }
  py::dict d = g_shapes->make(keys);
  for (std::size_t k = 0; k < k_record_keys; ++k) {
    if (members[k]) set(d, n.record_keys[k], members[k]);
  }
  // A record holds no reference cycle: besides strs and numbers, its one container is
  // the aud list, untracked too (aud_of). The collector need not visit it, which saves
  // the collections a large batch's allocations would set off. Custom claims are
  // json.loads' objects: such a record stays tracked.
  if (r.custom_claims.empty()) PyObject_GC_UnTrack(d.ptr());
  return d;
}

// The columns of verify_columns: every record key, None where a record has none.
class column_writer {
 public:
  explicit column_writer(std::size_t count) {
    for (py::list& c : cols_) c = py::list(count);
  }

  // Fills rows offset.. with `results`.
  void put(std::size_t offset, std::span<const jwtbatch::result> results) {
    const names& n = *g_names;
    for (std::size_t j = 0; j < results.size(); ++j) {
      const jwtbatch::result& r = results[j];
      const std::size_t i = offset + j;
      const auto code = static_cast<std::size_t>(r.code);
      const bool genuine = r.signature_verified;
      set(0, i, n.statuses[code]);
      set(1, i, n.classes[code]);
      set(2, i, r.detail ? same_.str(*r.detail) : py::none());
      set(3, i,
          r.algorithm ? py::object(n.algs[static_cast<std::size_t>(*r.algorithm)]) : py::none());
      set(4, i, r.kid ? same_.str(*r.kid) : py::none());
      set(5, i, genuine && r.iss ? same_.str(*r.iss) : py::none());
      set(6, i, genuine && r.sub ? str_of(*r.sub) : py::none());
      set(7, i, genuine && r.has_aud ? aud_of(r, same_) : py::none());
      set(8, i, genuine && r.exp ? same_.number(*r.exp) : py::none());
      set(9, i, genuine && r.nbf ? same_.number(*r.nbf) : py::none());
      set(10, i, genuine && r.iat ? same_.number(*r.iat) : py::none());
      set(11, i, genuine && r.jti ? str_of(*r.jti) : py::none());
      set(12, i, genuine && !r.custom_claims.empty() ? claims_of(r) : py::none());
      set(13, i, fp_of(r));
      set(14, i,
          r.label != jwtbatch::attack_label::none
              ? py::object(n.labels[static_cast<std::size_t>(r.label)])
              : py::none());
    }
  }

  // The columns by key, in RECORD_KEYS order.
  [[nodiscard]] py::dict finish() const {
    const names& n = *g_names;
    const std::array<const py::str*, 15> keys = {&n.status, &n.cls, &n.detail, &n.alg, &n.kid,
                                                 &n.iss,    &n.sub, &n.aud,    &n.exp, &n.nbf,
                                                 &n.iat,    &n.jti, &n.claims, &n.fp,  &n.label};
    py::dict d;
    for (std::size_t c = 0; c < keys.size(); ++c) {
      if (PyDict_SetItem(d.ptr(), keys[c]->ptr(), cols_[c].ptr()) != 0) {
        throw py::error_already_set();
      }
    }
    return d;
  }

 private:
  // Steals `v` into the list's (empty) slot.
  void set(std::size_t col, std::size_t i, py::object v) {
    PyList_SET_ITEM(cols_[col].ptr(), static_cast<Py_ssize_t>(i), v.release().ptr());
  }
  std::array<py::list, 15> cols_;
  value_cache same_;
};

// ---------------------------------------------------------------------------------
// Verifier.

class py_verifier {
 public:
  py_verifier(const py::object& jwks, const py::object& jwks_json, const py::object& secret_files,
              const py::object& kid, bool allow_mixed_keys, const py::object& iss,
              const py::object& aud, const py::object& algs, const py::object& typ,
              const py::object& require, const py::object& claims, const py::object& leeway,
              const py::object& max_age, const py::object& at, const py::object& threads,
              const py::object& cache_size, const py::object& max_token_bytes, bool require_kid,
              const py::object& typ_required) {
    // Every argument is read (and its type and range checked, as the CLI's flag
    // parser does) before any key file is opened.
    const std::vector<std::string> jwks_paths = paths_of(jwks, "jwks");
    const std::vector<std::string> jwks_docs =
        items_of(jwks_json, "jwks_json", [](py::handle item) {
          if (!py::isinstance<py::str>(item) && !py::isinstance<py::bytes>(item)) {
            throw py::type_error("jwks_json: expected a str or a list of str");
          }
          return item.cast<std::string>();
        });
    const std::vector<std::string> secrets = paths_of(secret_files, "secret_files");
    std::string key_id;
    if (!kid.is_none()) {
      if (!py::isinstance<py::str>(kid)) throw py::type_error("kid: expected a str");
      key_id = kid.cast<std::string>();
      if (key_id.empty()) throw config_error("--kid: empty value");
    }
    jwtbatch::policy p;
    const std::vector<std::string> alg_names = list_of(algs, "--alg");
    p.issuers = list_of(iss, "--iss");
    p.audiences = list_of(aud, "--aud");
    p.accepted_typs = list_of(typ, "--typ");
    p.required_claims = list_of(require, "--require");
    p.returned_claims = list_of(claims, "--claims");
    // RFC 8725 §3.11, RFC 9068 §4: a token type that is checked must be present.
    // typ_required (no CLI flag: the policy's field) may say otherwise.
    p.typ_required = typ_required.is_none() ? !p.accepted_typs.empty() : typ_required.cast<bool>();
    p.require_kid = require_kid;
    p.leeway_seconds = whole_of(leeway, "--leeway", 0, jwtbatch::max_leeway_seconds);
    if (!max_age.is_none())
      p.max_age_seconds = whole_of(max_age, "--max-age", 0, k_max_age_seconds);
    if (!max_token_bytes.is_none()) {
      p.limits.max_token_bytes = static_cast<std::size_t>(
          whole_of(max_token_bytes, "--max-token-bytes", 1,
                   static_cast<std::int64_t>(jwtbatch::max_token_bytes_limit)));
    }
    jwtbatch::batch_options options;
    options.threads = static_cast<int>(whole_of(threads, "--threads", 0, jwtbatch::max_threads));
    std::size_t cache_entries = jwtbatch::cache_options{}.max_entries;
    if (!cache_size.is_none()) {
      cache_entries = static_cast<std::size_t>(whole_of(
          cache_size, "--cache-size", 0, static_cast<std::int64_t>(jwtbatch::max_cache_entries)));
    }

    // Keys, as the CLI loads them (load_key_source): --jwks, then --secret-file.
    if (jwks_paths.empty() && jwks_docs.empty() && secrets.empty()) {
      throw config_error(
          "no keys: give --jwks FILE, --key PEM_FILE, --secret-file FILE, --jwks-url URL, "
          "--oidc-issuer URL or --key-history FILE");
    }
    jwtbatch::key_set_builder b;
    b.allow_mixed_key_types(allow_mixed_keys);
    for (const std::string& path : jwks_paths) {
      try {
        b.add_file(path);
      } catch (const config_error& e) {
        rethrow_naming(e, "--jwks", path);
      }
    }
    for (std::size_t i = 0; i < jwks_docs.size(); ++i) {
      b.add_jwks(jwks_docs[i], jwks_docs.size() == 1 ? std::string("jwks_json")
                                                     : "jwks_json[" + std::to_string(i) + "]");
    }
    for (const std::string& path : secrets) {
      // --secret-file binds its key to the one --alg (HS256 without one).
      jwtbatch::alg bind = jwtbatch::alg::hs256;
      if (alg_names.size() == 1) {
        bind = jwtbatch::cli::parse_alg(alg_names.front(), "--alg", jwtbatch::cli::alg_use::verify);
      } else if (!alg_names.empty()) {
        throw config_error("--secret-file " + path + ": give exactly one --alg to bind the key to");
      }
      try {
        b.add_secret_file(path, key_id, bind);
      } catch (const config_error& e) {
        rethrow_naming(e, "--secret-file", path);
      }
    }
    std::shared_ptr<const jwtbatch::key_set> keys;
    try {
      keys = b.build();
    } catch (const jwtbatch::mixed_key_set_error& e) {
      throw jwtbatch::cli::mixed_keys_error(e);
    }
    warnings_ = keys->warnings();

    // The policy (make_policy): algorithms, then --at.
    if (!alg_names.empty()) {
      p.allowed_algs = jwtbatch::alg_set{};
      for (const std::string& a : alg_names)
        p.allowed_algs.add(jwtbatch::cli::parse_alg(a, "--alg", jwtbatch::cli::alg_use::verify));
    }
    if (!at.is_none()) p.fixed_time = time_of(at, "--at");
    p.fingerprint = true;  // every record has its "fp"

    std::shared_ptr<jwtbatch::token_cache> cache;
    if (cache_entries > 0) {
      cache = std::make_shared<jwtbatch::token_cache>(
          jwtbatch::cache_options{.max_entries = cache_entries});
    }
    const auto verifier =
        std::make_shared<const jwtbatch::verifier>(std::move(keys), std::move(p), cache);
    engine_ = std::make_unique<jwtbatch::batch_verifier>(verifier, options);
    options.threads = std::max(1, engine_->threads() - 1);
    beside_ = std::make_unique<jwtbatch::batch_verifier>(verifier, options);
  }

  // Verifies every token, k_chunk_tokens at a time: `start(n)` is told the count once
  // the arguments are read, and `emit(offset, results)` makes the Python objects of each
  // chunk with the GIL held; the GIL is released while the engine runs a chunk. Chunks
  // bound the memory a call holds besides its Python objects, and their results are
  // reused from call to call (take_scratch), so a steady stream of calls allocates no
  // result buffers.
  template <class Start, class Emit>
  void run(py::handle tokens, py::handle at, const Start& start, const Emit& emit) const {
    const py::tuple items = token_tuple(tokens);
    const auto n = static_cast<std::size_t>(PyTuple_GET_SIZE(items.ptr()));
    std::vector<double> times;  // one per token, or none
    std::optional<double> one_time;
    if (!at.is_none()) {
      const bool one = py::isinstance<py::int_>(at) || py::isinstance<py::float_>(at) ||
                       py::isinstance<py::str>(at) ||
                       py::isinstance(at, py::module_::import("datetime").attr("datetime"));
      if (one) {
        one_time = time_of(at, "at");
      } else {
        auto seq = py::reinterpret_steal<py::object>(
            PySequence_Fast(at.ptr(), "at: expected one time, or a list of one time per token"));
        if (!seq) throw py::error_already_set();
        const auto m = static_cast<std::size_t>(PySequence_Fast_GET_SIZE(seq.ptr()));
        if (m != n) {
          throw py::value_error("at: " + std::to_string(m) + " times for " + std::to_string(n) +
                                " tokens (give one time, or one per token)");
        }
        times.resize(n);
        PyObject** given = PySequence_Fast_ITEMS(seq.ptr());
        for (std::size_t i = 0; i < n; ++i) {
          PyObject* item = given[i];
          if (PyFloat_CheckExact(item)) {
            const double t = PyFloat_AS_DOUBLE(item);
            times[i] = std::isfinite(t) && t >= 0 && t <= k_max_unix_time
                           ? t
                           : time_of(item, "at[" + std::to_string(i) + "]");
          } else {
            times[i] = time_of(item, "at[" + std::to_string(i) + "]");
          }
        }
      }
    }
    start(n);
    // One time for the whole call unless there is one per token (the engine's own rule
    // for a batch): the call's, the policy's, or the clock's as the call starts.
    if (!one_time) one_time = engine_->verifier().evaluation_time();
    // Two scratches in turn: while this thread makes the Python objects of one chunk
    // (GIL held), another thread has the engine verify the next chunk (no Python object
    // touched there), so the engine's time hides behind the objects' time.
    std::array<scratch, 2> work = {take_scratch(), take_scratch()};
    // A chunk's size: k_first_chunk_tokens, doubling up to k_chunk_tokens, so that the
    // first chunk, which nothing overlaps, is short.
    const auto size_at = [n](std::size_t offset) {
      std::size_t size = k_first_chunk_tokens;
      while (size < k_chunk_tokens && size <= offset) size *= 2;
      return std::min(size, n - offset);
    };
    const auto prepare = [&](std::size_t offset, scratch& w) {  // GIL held
      const std::size_t m = size_at(offset);
      view_tokens(items, offset, m, w);
      if (times.empty()) {
        w.times.assign(m, *one_time);
      } else {
        w.times.assign(times.begin() + static_cast<std::ptrdiff_t>(offset),
                       times.begin() + static_cast<std::ptrdiff_t>(offset + m));
      }
      w.results.resize(m);
    };
    const auto verify_chunk = [this](scratch& w) noexcept {  // no Python here
      engine_->verify_batch_at(w.views, w.times, w.results);
    };
    // A chunk verified beside this thread's objects: by blocks, which the helper thread
    // takes to beside_'s threads and, once its objects are made, this thread verifies
    // itself, one token after the other (not in beside_'s arena, which has no room for
    // a second caller and would make it wait). No Python here.
    std::atomic<std::size_t> next_block{0};
    const auto verify_blocks = [this, &next_block](scratch& w, bool here) noexcept {
      const std::size_t size = w.results.size();
      const std::size_t block = k_block_tokens * static_cast<std::size_t>(beside_->threads());
      for (std::size_t b = next_block.fetch_add(block); b < size; b = next_block.fetch_add(block)) {
        const std::size_t end = std::min(b + block, size);
        if (here) {
          for (std::size_t i = b; i < end; ++i) {
            engine_->verifier().verify_at(w.views[i], w.times[i], w.results[i]);
          }
        } else {
          beside_->verify_batch_at(std::span(w.views).subspan(b, end - b),
                                   std::span(w.times).subspan(b, end - b),
                                   std::span(w.results).subspan(b, end - b));
        }
      }
    };
    if (n > 0) {
      prepare(0, work[0]);
      py::gil_scoped_release release;
      verify_chunk(work[0]);
    }
    for (std::size_t offset = 0, turn = 0; offset < n; turn ^= 1U) {
      scratch& done = work[turn];
      scratch& next = work[turn ^ 1U];
      const std::size_t next_offset = offset + done.results.size();
      // Declared after the scratches: its destructor waits for the thread even when
      // emit throws, before `next` goes away.
      std::future<void> running;
      if (next_offset < n) {
        prepare(next_offset, next);
        next_block = 0;
        running = std::async(std::launch::async, verify_blocks, std::ref(next), false);
      }
      emit(offset, std::span<const jwtbatch::result>(done.results));
      if (running.valid()) {
        py::gil_scoped_release release;
        verify_blocks(next, true);
        running.get();
      }
      offset = next_offset;
    }
    give_back(std::move(work[0]));
    give_back(std::move(work[1]));
  }

  py::list verify(const py::object& tokens, const py::object& at) const {
    py::list out;
    value_cache same;
    run(
        tokens, at, [&](std::size_t n) { out = py::list(n); },
        [&](std::size_t offset, std::span<const jwtbatch::result> results) {
          for (std::size_t i = 0; i < results.size(); ++i) {
            PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(offset + i),
                            record_of(results[i], same).release().ptr());
          }
        });
    return out;
  }

  py::dict verify_columns(const py::object& tokens, const py::object& at) const {
    std::optional<column_writer> columns;
    run(
        tokens, at, [&](std::size_t n) { columns.emplace(n); },
        [&](std::size_t offset, std::span<const jwtbatch::result> results) {
          columns->put(offset, results);
        });
    return columns->finish();
  }

  // The C++ batch API alone on the same tokens, for bench/python/verify_bench.py: the
  // tokens viewed once, then the wall time of each of `repeat` calls of
  // batch_verifier::verify_batch over all of them (GIL released), in seconds.
  std::vector<double> engine_seconds(const py::object& tokens, int repeat) const {
    const py::tuple items = token_tuple(tokens);
    const auto n = static_cast<std::size_t>(PyTuple_GET_SIZE(items.ptr()));
    scratch s;
    view_tokens(items, 0, n, s);
    s.results.resize(n);
    std::vector<double> seconds;
    py::gil_scoped_release release;
    for (int i = 0; i < std::max(repeat, 1); ++i) {
      const auto start = std::chrono::steady_clock::now();
      engine_->verify_batch(s.views, s.results);
      seconds.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return seconds;
  }

  [[nodiscard]] int threads() const noexcept { return engine_->threads(); }
  [[nodiscard]] const jwtbatch::batch_verifier& engine() const noexcept { return *engine_; }
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  // Tokens verified per release of the GIL: large enough that the engine's threads have
  // work to share, small enough that the results stay in a few MiB. The first chunk is
  // verified while this thread waits, the next ones while it makes the objects of the
  // one before.
  static constexpr std::size_t k_chunk_tokens = 16384;
  static constexpr std::size_t k_first_chunk_tokens = 1024;
  // Tokens per block of a chunk verified beside the objects, per thread of beside_.
  static constexpr std::size_t k_block_tokens = 256;

  // The scratch of an earlier call, or a new one. Thread-safe.
  scratch take_scratch() const {
    const std::lock_guard<std::mutex> lock(pool_m_);
    if (pool_.empty()) return {};
    scratch r = std::move(pool_.back());
    pool_.pop_back();
    return r;
  }
  // Keeps `r` for a later call: two per call that ran at once, up to four.
  void give_back(scratch r) const {
    const std::lock_guard<std::mutex> lock(pool_m_);
    if (pool_.size() < 4) pool_.push_back(std::move(r));
  }

  std::unique_ptr<jwtbatch::batch_verifier> engine_;
  std::unique_ptr<jwtbatch::batch_verifier> beside_;
  std::vector<std::string> warnings_;
  mutable std::mutex pool_m_;
  mutable std::vector<scratch> pool_;
};

// ---------------------------------------------------------------------------------
// scan: the tokens of log lines, found and judged as `jwtbatch scan` finds and judges
// them: the same extractor (scan_extractor.hpp) in the library's pipeline.

// The verdicts of one verify_stream run and where each token was, kept in input order
// by the pipeline's serial consume() while the GIL is released (no Python here).
class scan_rows final : public jwtbatch::line_consumer {
 public:
  explicit scan_rows(std::uint64_t lines_before) : before_(lines_before) {}

  void consume(const jwtbatch::line_result& line, std::string_view /*prepared*/,
               bool /*flush*/) override {
    for (std::size_t i = 0; i < line.tokens.size(); ++i) {
      origins_.push_back(scan_origin{
          .line = before_ + line.number,
          .offset = line.tokens[i].offset,
          .percent_encoded = (line.tokens[i].tag & jwtbatch::cli::k_tag_percent_encoded) != 0,
          .at = line.at,
          .at_source = line.at_source,
          .cut = line.cut_line || line.cut});
      results_.push_back(line.results[i]);
    }
  }

  [[nodiscard]] const std::vector<scan_origin>& origins() const noexcept { return origins_; }
  [[nodiscard]] const std::vector<jwtbatch::result>& results() const noexcept { return results_; }

 private:
  std::uint64_t before_;
  std::vector<scan_origin> origins_;
  std::vector<jwtbatch::result> results_;
};

// One piece of the lines, scanned: its tokens' rows, and how many lines it held.
struct scan_piece {
  scan_rows rows{0};
  std::uint64_t lines = 0;
};

// Scans `text` (whole lines, the last one with or without its "\n"), whose first line
// is line lines_before + 1. Touches no Python object: runs with the GIL released.
scan_piece run_piece(const py_verifier& v, const jwtbatch::line_extractor& extractor,
                     std::string_view text, std::uint64_t lines_before) {
  scan_piece piece{scan_rows(lines_before)};
  jwtbatch::memory_source source(text);
  jwtbatch::pipeline_options options;
  options.max_line_bytes = jwtbatch::cli::k_max_log_line;
  piece.lines = jwtbatch::verify_stream(v.engine(), source, extractor, piece.rows, options).lines;
  return piece;
}

// Scans the pieces `next(buffer)` hands out in turn (GIL held: a view of the next whole
// lines, made in `buffer` or not, or nullopt after the last) and returns their records:
// the library's pipeline scans each piece, GIL released, while this thread makes the
// records of the piece before. A piece's text must stay as it is until the next call
// of `next` after it; `buffer` is never the one of the piece being scanned.
template <class Next>
py::list scan_pieces(const py_verifier& v, const jwtbatch::line_extractor& extractor, Next next) {
  py::list out;
  value_cache same;
  std::array<std::string, 2> buffers;
  unsigned turn = 0;
  const std::optional<std::string_view> first = next(buffers[turn]);
  if (!first) return out;
  scan_piece done;
  {
    py::gil_scoped_release release;
    done = run_piece(v, extractor, *first, 0);
  }
  std::uint64_t lines_before = done.lines;
  for (;;) {
    turn ^= 1U;
    const std::optional<std::string_view> text = next(buffers[turn]);
    // Declared after `buffers`: its destructor waits for the scan even when making
    // the records throws, before the buffer goes away.
    std::future<scan_piece> running;
    if (text) {
      running = std::async(std::launch::async, run_piece, std::cref(v), std::cref(extractor), *text,
                           lines_before);
    }
    const scan_rows& rows = done.rows;
    for (std::size_t i = 0; i < rows.results().size(); ++i) {
      const py::dict record = record_of(rows.results()[i], same, &rows.origins()[i]);
      if (PyList_Append(out.ptr(), record.ptr()) != 0) throw py::error_already_set();
    }
    if (!text) return out;
    {
      py::gil_scoped_release release;
      done = running.get();
    }
    lines_before += done.lines;
  }
}

// Bytes of lines per piece a scan hands to the pipeline.
constexpr std::size_t k_scan_chunk_bytes = std::size_t{4} << 20;

// The pieces of a whole log's text: k_scan_chunk_bytes and on to the end of that line
// (a longer line stays whole: the pipeline cuts lines at 16 MiB), views into `text`.
auto whole_lines(std::string_view text) {
  return [text,
          at = std::size_t{0}](std::string& /*buffer*/) mutable -> std::optional<std::string_view> {
    if (at >= text.size()) return std::nullopt;
    std::size_t end = text.find('\n', std::min(at + k_scan_chunk_bytes, text.size()));
    end = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view piece = text.substr(at, end - at);
    at = end;
    return piece;
  };
}

py::list scan(const py::object& lines, const py_verifier& v, bool at_log_time,
              bool require_log_time, const py::object& time_field, const py::object& syslog_year) {
  // The flags of `jwtbatch scan` (scan_cmd.cpp make_scan_times), refused in its words.
  if (require_log_time && !at_log_time) {
    throw config_error("--require-log-time requires --at-log-time");
  }
  std::string field;
  if (!time_field.is_none()) {
    if (!py::isinstance<py::str>(time_field)) throw py::type_error("time_field: expected a str");
    field = time_field.cast<std::string>();
    if (field.empty()) throw config_error("--time-field: empty value");
  }
  jwtbatch::cli::scan_time_options o;
  o.at_log_time = at_log_time;
  o.require_log_time = require_log_time;
  o.times.time_field = field;
  // As for a pipe: without syslog_year, the year of an RFC 3164 stamp is this one's, or
  // the one before.
  jwtbatch::cli::set_syslog_year(
      o.times,
      syslog_year.is_none() ? 0
                            : static_cast<int>(whole_of(syslog_year, "--syslog-year", 1970, 9999)),
      std::nullopt);
  const jwtbatch::cli::scan_extractor extractor(o);

  // The whole log as one str: scanned where it is (immutable, held by the caller's
  // reference while the GIL is released).
  if (PyUnicode_Check(lines.ptr())) {
    Py_ssize_t len = 0;
    const char* data = PyUnicode_AsUTF8AndSize(lines.ptr(), &len);
    if (data == nullptr) throw py::error_already_set();
    return scan_pieces(v, extractor,
                       whole_lines(std::string_view(data, static_cast<std::size_t>(len))));
  }
  // Or as bytes, or any bytes-like object (bytearray, memoryview, mmap...): scanned
  // where it is too, exported for the call (a bytearray cannot be resized meanwhile).
  if (PyObject_CheckBuffer(lines.ptr()) != 0) {
    Py_buffer view;
    if (PyObject_GetBuffer(lines.ptr(), &view, PyBUF_SIMPLE) != 0) {  // contiguous bytes
      throw py::error_already_set();
    }
    const std::unique_ptr<Py_buffer, void (*)(Py_buffer*)> held(&view, PyBuffer_Release);
    return scan_pieces(v, extractor,
                       whole_lines(std::string_view(static_cast<const char*>(view.buf),
                                                    static_cast<std::size_t>(view.len))));
  }
  // Lines from an iterable (a list, an open file...): each item is one or more whole
  // lines, a "\n" added where it has none, gathered k_scan_chunk_bytes at a time.
  PyObject* it = PyObject_GetIter(lines.ptr());
  if (it == nullptr) {
    PyErr_Clear();
    throw py::type_error(
        "lines: expected a str, a bytes-like object, or an iterable of lines (str or bytes)");
  }
  const auto iter = py::reinterpret_steal<py::object>(it);
  std::size_t index = 0;
  return scan_pieces(v, extractor, [&](std::string& text) -> std::optional<std::string_view> {
    text.clear();
    while (text.size() < k_scan_chunk_bytes) {
      PyObject* raw = PyIter_Next(iter.ptr());
      if (raw == nullptr) {
        if (PyErr_Occurred() != nullptr) throw py::error_already_set();
        break;
      }
      const auto item = py::reinterpret_steal<py::object>(raw);
      const std::string_view line = bytes_of(raw, "lines", index);
      ++index;
      // Each item ends its line: an empty item is an empty line.
      text.append(line);
      if (line.empty() || line.back() != '\n') text += '\n';
    }
    if (text.empty()) return std::nullopt;
    return std::string_view(text);
  });
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(jwtbatch, m) {
  m.doc() =
      "jwtbatch: verify JSON Web Tokens in bulk, on every core.\n\n"
      "Verifier(...) takes the keys and the policy (names follow the jwtbatch CLI's flags);\n"
      "Verifier.verify(tokens) returns one record (a dict with the keys of the CLI's NDJSON\n"
      "records) per token, in order; Verifier.verify_columns(tokens) returns the same as\n"
      "columns (pandas.DataFrame(...) takes it as it is). A token that fails is a record\n"
      "with its status, never an exception; a configuration the CLI would refuse raises\n"
      "ConfigError with the CLI's message.";
  init_names();
  g_shapes = new record_shapes();  // never freed: module state for the interpreter's life

  py::register_exception<config_error>(m, "ConfigError", PyExc_ValueError).doc() =
      "A configuration the jwtbatch CLI would refuse (a key file missing or unusable, an "
      "unknown algorithm, a bound exceeded); the message is the CLI's. A ValueError.";

  // The status vocabulary: OK = "ok", BAD_SIGNATURE = "bad_signature", ...
  py::list statuses;
  py::dict class_of;
  for (const jwtbatch::status s : jwtbatch::all_statuses()) {
    const std::string name(jwtbatch::status_name(s));
    m.attr(upper(name).c_str()) = name;
    statuses.append(name);
    class_of[py::str(name)] = std::string(jwtbatch::class_name(s));
  }
  m.attr("STATUSES") = py::tuple(statuses);
  m.attr("CLASS_OF") = class_of;
  m.attr("CLASSES") = py::make_tuple("ok", "format", "header", "key", "signature", "claims");
  m.attr("RECORD_KEYS") =
      py::make_tuple("status", "class", "detail", "alg", "kid", "iss", "sub", "aud", "exp", "nbf",
                     "iat", "jti", "claims", "fp", "label");

  py::class_<py_verifier>(
      m, "Verifier",
      "Keys and a policy, ready to verify batches of tokens on every core.\n\n"
      "Arguments follow the jwtbatch CLI's flags: jwks (--jwks: JWK Set, JWK or\n"
      "PEM files), jwks_json (JWK Set text), secret_files (--secret-file, bound\n"
      "to the one algorithm of algs, HS256 by default; kid: --kid),\n"
      "allow_mixed_keys, iss, aud, algs (--alg), typ, require, claims (custom\n"
      "claims returned in each record's 'claims'), leeway, max_age, at (the\n"
      "evaluation time: Unix seconds, an RFC 3339 str with its zone, or an\n"
      "aware datetime; default now), threads (0 = every core), cache_size\n"
      "(verified-token cache entries; 0 turns it off), max_token_bytes.\n"
      "Beyond the CLI, the policy's require_kid (a token without kid fails\n"
      "kid_missing) and typ_required (default: True when typ is given).\n"
      "Every argument after secret_files is keyword-only.\n"
      "Lists take a str or a list of str. Raises ConfigError with the CLI's\n"
      "message for what the CLI refuses. Thread-safe: several Python threads\n"
      "may verify on one Verifier at once.")
      .def(py::init<const py::object&, const py::object&, const py::object&, const py::object&,
                    bool, const py::object&, const py::object&, const py::object&,
                    const py::object&, const py::object&, const py::object&, const py::object&,
                    const py::object&, const py::object&, const py::object&, const py::object&,
                    const py::object&, bool, const py::object&>(),
           py::arg("jwks") = py::none(), py::arg("jwks_json") = py::none(),
           py::arg("secret_files") = py::none(), py::kw_only(), py::arg("kid") = py::none(),
           py::arg("allow_mixed_keys") = false, py::arg("iss") = py::none(),
           py::arg("aud") = py::none(), py::arg("algs") = py::none(), py::arg("typ") = py::none(),
           py::arg("require") = py::none(), py::arg("claims") = py::none(), py::arg("leeway") = 0,
           py::arg("max_age") = py::none(), py::arg("at") = py::none(), py::arg("threads") = 0,
           py::arg("cache_size") = py::none(), py::arg("max_token_bytes") = py::none(),
           py::arg("require_kid") = false, py::arg("typ_required") = py::none())
      .def("verify", &py_verifier::verify, py::arg("tokens"), py::arg("at") = py::none(),
           "verify(tokens, at=None) -> list[dict]\n\n"
           "One record per token (str or bytes), in order: the keys of the CLI's NDJSON\n"
           "records (status, class, detail, alg, kid, iss, sub, aud, exp, nbf, iat, jti,\n"
           "claims, fp, label), each only when it applies; claims only when the signature\n"
           "verified. at: one evaluation time for every token, or one per token (a list),\n"
           "overriding the Verifier's. The GIL is released while the batch runs.")
      .def("verify_columns", &py_verifier::verify_columns, py::arg("tokens"),
           py::arg("at") = py::none(),
           "verify_columns(tokens, at=None) -> dict[str, list]\n\n"
           "The records of verify() as columns: every key of RECORD_KEYS, each a list with\n"
           "one value per token, None where the record has no such key.")
      .def_property_readonly("threads", &py_verifier::threads,
                             "The most threads a batch runs on (the calling one included).")
      .def_property_readonly("warnings", &py_verifier::warnings,
                             "What loading the keys said about them (a key skipped, an RSA key "
                             "not bound to one algorithm...), as the CLI's warnings.")
      .def("_engine_seconds", &py_verifier::engine_seconds, py::arg("tokens"),
           py::arg("repeat") = 1,
           "For benchmarks: the wall time, in seconds, of each of `repeat` runs of the C++ "
           "batch API (batch_verifier::verify_batch) over `tokens`.");

  m.def("scan", &scan, py::arg("lines"), py::arg("verifier"), py::kw_only(),
        py::arg("at_log_time") = false, py::arg("require_log_time") = false,
        py::arg("time_field") = py::none(), py::arg("syslog_year") = py::none(),
        "scan(lines, verifier, *, at_log_time=False, require_log_time=False,\n"
        "     time_field=None, syslog_year=None) -> list[dict]\n\n"
        "The tokens of log lines, found and judged as `jwtbatch scan` finds and judges\n"
        "them (Bearer values, parameters, JSON members, bare tokens; at most 64 per\n"
        "line), verified by `verifier`. lines: the log's text (str, bytes or another\n"
        "bytes-like object, such as an mmap), or an iterable of lines (str or bytes,\n"
        "such as an open file; an item may hold several lines, and ends its last).\n"
        "One record per token, in order: the keys of the CLI's scan\n"
        "records, SCAN_KEYS (line: 1-based; offset: the token's byte offset in the\n"
        "line; encoding: 'percent' when it was percent-encoded; at and at_source:\n"
        "when it was judged and why: 'line', 'flag' (the Verifier's at) or 'now';\n"
        "cut: True when the line held more than 64 tokens or 16 MiB), then those of\n"
        "verify(). Lines without a token give no record. at_log_time judges each\n"
        "token at its line's own time (--at-log-time), require_log_time gives\n"
        "no_log_time to a token on a line without one, time_field names a JSON line's\n"
        "time member, syslog_year is the year of RFC 3164 stamps (default: this year,\n"
        "or the last one for a stamp more than 31 days ahead). Lines are scanned 4 MiB\n"
        "at a time on every core, GIL released, while the records of the 4 MiB before\n"
        "are made.");
  m.attr("SCAN_KEYS") = py::make_tuple("line", "offset", "encoding", "at", "at_source", "cut");
}
