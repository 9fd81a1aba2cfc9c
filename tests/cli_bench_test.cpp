// End-to-end tests of `jwtbatch bench` (run as a user would run it), and of the SVG
// chart writer behind --chart.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli_support.hpp"
#include "svg_chart.hpp"

namespace jwtbatch {
namespace {

using test::cli_temp_path;
using test::lines;
using test::read_file;
using test::run;
using test::run_result;

std::size_t count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t i = haystack.find(needle); i != std::string_view::npos;
       i = haystack.find(needle, i + needle.size())) {
    ++n;
  }
  return n;
}

// ---- a small XML well-formedness check --------------------------------------------------

// Every '&' must start one of the five predefined entities or a character reference.
std::string reference_problem(std::string_view text) {
  for (std::size_t i = text.find('&'); i != std::string_view::npos; i = text.find('&', i + 1)) {
    const std::size_t end = text.find(';', i);
    if (end == std::string_view::npos) return "'&' without ';'";
    const std::string_view ref = text.substr(i + 1, end - i - 1);
    const bool named = ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos";
    const bool hex = ref.substr(0, 2) == "#x";
    const std::string_view digits = ref.substr(hex ? 2 : 1);
    const bool numeric = ref.substr(0, 1) == "#" && !digits.empty() &&
                         std::all_of(digits.begin(), digits.end(), [&](char c) {
                           const auto u = static_cast<unsigned char>(c);
                           return hex ? std::isxdigit(u) != 0 : std::isdigit(u) != 0;
                         });
    if (!named && !numeric) return "unknown reference &" + std::string(ref) + ";";
  }
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return "a control character";
    }
  }
  return {};
}

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == ':' ||
         c == '.';
}

// xml_problem checks the subset of XML 1.0 the chart uses: an optional declaration,
// comments, one root element, balanced and properly nested tags, quoted attributes
// (no '<' in values, no name twice), valid references, no stray '<'. "" when well-formed.
std::string xml_problem(std::string_view d) {
  std::vector<std::string> open;
  bool root_seen = false;
  std::size_t i = 0;
  if (d.substr(0, 5) == "<?xml") {
    i = d.find("?>");
    if (i == std::string_view::npos) return "unterminated declaration";
    i += 2;
  }
  while (i < d.size()) {
    if (d[i] != '<') {
      const std::size_t j = std::min(d.find('<', i), d.size());
      const std::string_view text = d.substr(i, j - i);
      if (open.empty() && text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
        return "text outside the root element";
      }
      if (std::string p = reference_problem(text); !p.empty()) return p + " in text";
      i = j;
      continue;
    }
    if (d.substr(i, 4) == "<!--") {
      const std::size_t j = d.find("-->", i + 4);
      if (j == std::string_view::npos) return "unterminated comment";
      i = j + 3;
      continue;
    }
    if (d.substr(i, 2) == "</") {
      const std::size_t j = d.find('>', i);
      if (j == std::string_view::npos) return "unterminated end tag";
      const std::string name(d.substr(i + 2, j - i - 2));
      if (open.empty() || open.back() != name) return "unexpected </" + name + ">";
      open.pop_back();
      i = j + 1;
      continue;
    }
    std::size_t j = i + 1;
    while (j < d.size() && name_char(d[j])) ++j;
    const std::string name(d.substr(i + 1, j - i - 1));
    if (name.empty()) return "'<' that starts no tag";
    if (open.empty() && root_seen) return "a second root element <" + name + ">";
    root_seen = true;
    std::set<std::string> attributes;
    for (;;) {
      const std::size_t before = j;
      while (j < d.size() && std::isspace(static_cast<unsigned char>(d[j])) != 0) ++j;
      if (j >= d.size()) return "unterminated <" + name + ">";
      if (d.substr(j, 2) == "/>") {
        j += 2;
        break;
      }
      if (d[j] == '>') {
        open.push_back(name);
        ++j;
        break;
      }
      if (j == before) return "attributes of <" + name + "> not separated by space";
      const std::size_t start = j;
      while (j < d.size() && name_char(d[j])) ++j;
      const std::string attr(d.substr(start, j - start));
      if (attr.empty() || j >= d.size() || d[j] != '=') return "bad attribute in <" + name + ">";
      if (!attributes.insert(attr).second) return "attribute " + attr + " twice";
      ++j;
      if (j >= d.size() || (d[j] != '"' && d[j] != '\'')) return "unquoted " + attr;
      const std::size_t end = d.find(d[j], j + 1);
      if (end == std::string_view::npos) return "unterminated " + attr;
      const std::string_view value = d.substr(j + 1, end - j - 1);
      if (value.find('<') != std::string_view::npos) return "'<' in " + attr;
      if (std::string p = reference_problem(value); !p.empty())
        return p.append(" in ").append(attr);
      j = end + 1;
    }
    i = j;
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (!root_seen) return "no root element";
  return {};
}

TEST(XmlCheck, TellsWellFormedFromBroken) {
  EXPECT_EQ(xml_problem(R"(<?xml version="1.0"?><svg a="1"><g><text>x &amp; y</text></g></svg>)"),
            "");
  EXPECT_NE(xml_problem("<svg><g></svg></g>"), "");
  EXPECT_NE(xml_problem("<svg><text>a & b</text></svg>"), "");
  EXPECT_NE(xml_problem(R"(<svg a="x<y"/>)"), "");
  EXPECT_NE(xml_problem(R"(<svg a="1" a="2"/>)"), "");
  EXPECT_NE(xml_problem("<svg/><svg/>"), "");
  EXPECT_NE(xml_problem("<svg>"), "");
}

// ---- the chart writer ----------------------------------------------------------------

TEST(SvgChart, EscapesEveryLabelAndDrawsOneBarPerPositiveValue) {
  cli::bar_chart c;
  c.title = R"(<script>alert("x")</script> & 'more')";
  c.subtitle = "a\x01 control character";
  c.axis_label = "ops/s <log>";
  c.series = {{"1 thread", "#4e79a7"}, {"N \"threads\"", "\"><script>"}};
  c.groups = {{"A&B", "k<1>", {1000, 2'000'000}, {"1,000", "2,000,000"}},
              {"C", "", {0, 5}, {"0", "5"}}};  // no bar for 0
  const std::string svg = cli::render_svg(c);
  EXPECT_EQ(xml_problem(svg), "") << svg;
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find('\x01'), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;more&apos;"),
            std::string::npos);
  EXPECT_NE(svg.find(R"(data-label="A&amp;B k&lt;1&gt;")"), std::string::npos);
  EXPECT_EQ(count(svg, R"(class="group")"), 2U);
  EXPECT_EQ(count(svg, R"(class="bar s0")"), 1U);
  EXPECT_EQ(count(svg, R"(class="bar s1")"), 2U);
  EXPECT_NE(svg.find(">2,000,000</text>"), std::string::npos);
  EXPECT_EQ(cli::xml_escape("a<b>&\"c\"'\x02"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;");
}

// ---- the command -----------------------------------------------------------------------

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The figures of one --json case, checked as they are read.
struct json_case {
  std::string alg;
  std::size_t samples = 0;
};

// check_json checks the --json file and appends its cases to `out`.
void check_json(const std::string& path, std::size_t repetitions, std::vector<json_case>& out) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(path).get(doc), simdjson::SUCCESS) << read_file(path);
  std::string_view text;
  EXPECT_EQ(doc["version"].get(text), simdjson::SUCCESS);
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(doc["date"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text.size(), 20U) << text;  // 2024-03-01T08:30:00Z
  std::int64_t cores = 0;
  std::int64_t threads = 0;
  EXPECT_EQ(doc["machine"]["cores"].get(cores), simdjson::SUCCESS);
  EXPECT_EQ(doc["threads"].get(threads), simdjson::SUCCESS);
  EXPECT_GE(cores, 1);
  EXPECT_GE(threads, 1);
  simdjson::dom::array cases;
  ASSERT_EQ(doc["cases"].get(cases), simdjson::SUCCESS);
  for (simdjson::dom::element c : cases) {
    json_case jc;
    std::string_view alg;
    EXPECT_EQ(c["alg"].get(alg), simdjson::SUCCESS);
    jc.alg = alg;
    for (const char* key : {"sign_1t", "sign_all", "verify_1t", "verify_all", "batch_all"}) {
      SCOPED_TRACE(jc.alg + " " + key);
      simdjson::dom::array samples;
      double median = 0;
      ASSERT_EQ(c[key]["samples"].get(samples), simdjson::SUCCESS);
      ASSERT_EQ(c[key]["median"].get(median), simdjson::SUCCESS);
      std::vector<double> values;
      for (simdjson::dom::element s : samples) {
        double v = 0;
        ASSERT_EQ(s.get(v), simdjson::SUCCESS);
        EXPECT_GT(v, 0);
        values.push_back(v);
      }
      EXPECT_EQ(values.size(), repetitions);
      EXPECT_EQ(median, median_of(values));  // exact: the JSON numbers round-trip
      jc.samples = values.size();
    }
    out.push_back(jc);
  }
}

TEST(CliBench, QuickRunWritesTableJsonAndChart) {
  const std::string json = cli_temp_path("bench.json");
  const std::string svg = cli_temp_path("bench.svg");
  const run_result r = run("bench --quick --time-per-case 0.03 --algs HS256,ES256 --json " + json +
                           " --chart " + svg);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // The table: one row per algorithm, every figure positive.
  std::vector<std::string> rows;
  for (const std::string& line : lines(r.out)) {
    if (line.rfind("HS256 ", 0) != 0 && line.rfind("ES256 ", 0) != 0) continue;
    rows.push_back(line);
    std::istringstream cells(line);
    std::string alg;
    std::string key;
    std::string cell;
    cells >> alg >> key;
    int figures = 0;
    while (cells >> cell) {
      std::erase(cell, ',');
      if (cell.back() == '%') cell.pop_back();
      EXPECT_GT(std::strtod(cell.c_str(), nullptr), 0) << line;
      ++figures;
    }
    EXPECT_EQ(figures, 8) << line;
  }
  ASSERT_EQ(rows.size(), 2U) << r.out;
  EXPECT_EQ(rows[0].substr(0, 6), "HS256 ");
  EXPECT_EQ(rows[1].substr(0, 6), "ES256 ");

  // The JSON: exactly the requested algorithms, medians of their samples.
  std::vector<json_case> cases;
  check_json(json, 3, cases);
  ASSERT_EQ(cases.size(), 2U);
  EXPECT_EQ(cases[0].alg, "HS256");
  EXPECT_EQ(cases[1].alg, "ES256");

  // The chart: well-formed, one group of bars per algorithm.
  const std::string chart = read_file(svg);
  EXPECT_EQ(xml_problem(chart), "") << chart;
  EXPECT_EQ(chart.rfind("<?xml", 0), 0U);
  EXPECT_NE(chart.find(R"(<svg xmlns="http://www.w3.org/2000/svg")"), std::string::npos);
  EXPECT_EQ(count(chart, R"(class="group")"), 2U);
  EXPECT_EQ(count(chart, R"(class="bar s0")"), 2U);  // verify ops/s, 1 thread
  EXPECT_EQ(count(chart, R"(class="bar s1")"), 2U);  // verify ops/s, all threads
  EXPECT_NE(chart.find(R"(data-label="HS256 oct-256")"), std::string::npos);
  EXPECT_NE(chart.find(R"(data-label="ES256 P-256")"), std::string::npos);
  // A real XML parser as well, where there is one (libxml2-utils; not a dependency).
  // NOLINTNEXTLINE(cert-env33-c,concurrency-mt-unsafe): fixed commands, in a test
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
    // NOLINTNEXTLINE(cert-env33-c,concurrency-mt-unsafe)
    EXPECT_EQ(std::system(("xmllint --noout " + svg).c_str()), 0);
  }
  (void)std::remove(json.c_str());
  (void)std::remove(svg.c_str());
}

TEST(CliBench, EvenRepetitionsGiveTheMeanOfTheMiddleTwo) {
  const std::string json = cli_temp_path("bench4.json");
  const run_result r =
      run("bench --algs HS384 --repetitions 4 --threads 1 --time-per-case 0.02 --json " + json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1T = 1 thread"), std::string::npos) << r.out;
  std::vector<json_case> cases;
  check_json(json, 4, cases);
  ASSERT_EQ(cases.size(), 1U);
  EXPECT_EQ(cases[0].alg, "HS384");
  (void)std::remove(json.c_str());
}

TEST(CliBench, UnknownAlgorithmExits2NamingIt) {
  const run_result r = run("bench --quick --algs HS256,XS999");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("XS999"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--algs"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliBench, BadFlagsExit2NamingTheFlag) {
  const struct {
    std::string args, named;
  } cases[] = {
      {"--time-per-case abc", "--time-per-case"},
      {"--time-per-case 0", "--time-per-case"},
      {"--repetitions 0", "--repetitions"},
      {"--threads -1", "--threads"},
      {"--algs none", "none"},
      {"--algs HS256-4096", "HS256-4096"},
      {"--algs RS256-1024", "RS256-1024"},
      {"--algs HS256,HS256", "HS256"},
      {"--json /nonexistent-dir/b.json", "--json"},
      {"--chart /nonexistent-dir/b.svg", "--chart"},
      {"--no-such-flag", "--no-such-flag"},
  };
  for (const auto& c : cases) {
    const run_result r = run("bench --quick --algs HS256 " + c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.named), std::string::npos) << c.args << ": " << r.err;
    EXPECT_EQ(r.out, "") << c.args;
  }
}

}  // namespace
}  // namespace jwtbatch
