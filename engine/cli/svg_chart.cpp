#include "svg_chart.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <system_error>

namespace jwtbatch::cli {
namespace {

// Layout, in SVG user units (pixels at 100%).
constexpr double k_width = 960;
constexpr double k_bar_height = 14;
constexpr double k_bar_gap = 3;     // between the bars of one group
constexpr double k_group_pad = 14;  // between groups
constexpr double k_plot_top = 96;
constexpr double k_right_margin = 104;  // room for the value printed after the longest bar
constexpr double k_char_width = 0.62;   // average sans-serif advance, in font sizes

constexpr std::string_view k_ink = "#1f2328";    // text
constexpr std::string_view k_muted = "#57606a";  // secondary text, axes
constexpr std::string_view k_font =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Helvetica, Arial, sans-serif";

// A number for an attribute: at most two decimals, no trailing zeros, never "-0".
std::string num(double v) {
  if (std::abs(v) < 0.005) v = 0;
  std::array<char, 64> buf{};
  const auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, 2);
  std::string s(buf.data(), ec == std::errc() ? end : buf.data());
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s.empty() ? "0" : s;
}

// One attribute, ` name="value"`, the value escaped.
std::string attr(std::string_view name, std::string_view value) {
  std::string out = " ";
  out += name;
  out += R"(=")";
  out += xml_escape(value);
  out += '"';
  return out;
}
std::string attr(std::string_view name, double value) {
  return attr(name, num(value));
}

// Font attributes of a text: size, fill, and optionally weight and anchor.
std::string font(double size, std::string_view fill, std::string_view anchor = {},
                 bool bold = false) {
  std::string out = attr("font-size", size) + attr("fill", fill);
  if (bold) out += attr("font-weight", "600");
  if (!anchor.empty()) out += attr("text-anchor", anchor);
  return out;
}

// Tick label of 10^e: 1, 10, 100, 1k ... 100k, 1M ... 100G, then 1e12 ...
std::string decade_label(int e) {
  static constexpr std::array<std::string_view, 4> k_suffix = {"", "k", "M", "G"};
  if (e < 0 || e >= 12) return "1e" + std::to_string(e);
  std::string s = "1";
  s.append(static_cast<std::size_t>(e % 3), '0');
  s += k_suffix[static_cast<std::size_t>(e / 3)];
  return s;
}

double text_width(std::string_view s, double font_size) {
  std::size_t chars = 0;
  for (const char c : s) chars += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
  return static_cast<double>(chars) * font_size * k_char_width;
}

// Elements are written whole: `attrs` is a run of attr() results.
class svg_writer {
 public:
  // raw appends its parts as they are (text already escaped, attr() results).
  template <class... Parts>
  void raw(const Parts&... parts) {
    ((out_ += parts), ...);
  }
  void text(double x, double y, std::string_view attrs, std::string_view body) {
    raw("<text", attr("x", x), attr("y", y), attrs, ">", xml_escape(body), "</text>\n");
  }
  void line(double x1, double y1, double x2, double y2, std::string_view stroke,
            std::string_view extra = {}) {
    raw("<line", attr("x1", x1), attr("y1", y1), attr("x2", x2), attr("y2", y2),
        attr("stroke", stroke), attr("stroke-width", 1), extra, "/>\n");
  }
  // rect writes a <rect>, closed at once, or holding a tooltip <title> when given one.
  void rect(double x, double y, double w, double h, std::string_view attrs,
            std::string_view tooltip = {}) {
    raw("<rect", attr("x", x), attr("y", y), attr("width", w), attr("height", h), attrs);
    if (tooltip.empty()) {
      raw("/>\n");
    } else {
      raw("><title>", xml_escape(tooltip), "</title></rect>\n");
    }
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 §2.2: no C0 control characters other than tab, newline and return.
        if (static_cast<unsigned char>(c) >= 0x20U || c == '\t' || c == '\n' || c == '\r') {
          out += c;
        }
    }
  }
  return out;
}

std::string render_svg(const bar_chart& chart) {
  const std::size_t n_series = std::max<std::size_t>(chart.series.size(), 1);

  // Value range, widened to whole decades.
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (const chart_group& g : chart.groups) {
    for (const double v : g.values) {
      if (v > 0 && std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  if (hi <= 0) lo = hi = 1;  // no data: an empty axis from 1 to 10
  // The shortest bar gets at least half a decade, so it stays visible.
  int e_lo = static_cast<int>(std::floor(std::log10(lo)));
  if (std::log10(lo) - e_lo < 0.5) --e_lo;
  int e_hi = static_cast<int>(std::ceil(std::log10(hi)));
  if (e_hi <= e_lo) e_hi = e_lo + 1;

  // Horizontal layout: group labels on the left, values printed after the bars.
  double label_width = 0;
  for (const chart_group& g : chart.groups) {
    label_width = std::max({label_width, text_width(g.label, 13), text_width(g.sublabel, 11)});
  }
  const double left = std::max(90.0, label_width + 24);
  const double plot_width = k_width - left - k_right_margin;
  const auto x_of = [&](double v) {
    return left + (std::log10(v) - e_lo) / (e_hi - e_lo) * plot_width;
  };

  // Vertical layout.
  const double group_height = static_cast<double>(n_series) * k_bar_height +
                              static_cast<double>(n_series - 1) * k_bar_gap + k_group_pad;
  const double plot_bottom = k_plot_top + static_cast<double>(chart.groups.size()) * group_height;
  const double height = plot_bottom + 62;

  svg_writer w;
  w.raw(R"(<?xml version="1.0" encoding="UTF-8"?>)"
        "\n");
  w.raw(R"(<svg xmlns="http://www.w3.org/2000/svg" version="1.1")", attr("width", k_width),
        attr("height", height), attr("viewBox", "0 0 " + num(k_width) + " " + num(height)),
        attr("role", "img"), attr("aria-labelledby", "chart-title"), attr("font-family", k_font),
        ">\n");
  w.raw(R"(<title id="chart-title">)", xml_escape(chart.title), "</title>\n");
  w.rect(0, 0, k_width, height, attr("fill", "#ffffff"));

  // Title, subtitle, legend.
  w.text(left, 30, font(19, k_ink, {}, true), chart.title);
  if (!chart.subtitle.empty()) w.text(left, 52, font(12.5, k_muted), chart.subtitle);
  double legend_x = left;
  for (const chart_series& s : chart.series) {
    w.rect(legend_x, 66, 13, 13, attr("rx", 2) + attr("fill", s.color) + attr("class", "legend"));
    w.text(legend_x + 19, 77, font(12.5, k_ink), s.name);
    legend_x += 19 + text_width(s.name, 12.5) + 26;
  }

  // Zebra stripes behind every other group, then the grid over them.
  for (std::size_t g = 0; g < chart.groups.size(); g += 2) {
    w.rect(0, k_plot_top + static_cast<double>(g) * group_height, k_width, group_height,
           attr("fill", "#f6f8fa"));
  }
  for (int e = e_lo; e <= e_hi; ++e) {
    const double x = x_of(std::pow(10.0, e));
    w.line(x, k_plot_top, x, plot_bottom, "#c9d1d9");
    w.text(x, plot_bottom + 17, font(12, k_muted, "middle"), decade_label(e));
    if (e == e_hi) break;
    for (const double m : {2.0, 5.0}) {  // minor lines at 2x and 5x of the decade
      const double xm = x_of(m * std::pow(10.0, e));
      w.line(xm, k_plot_top, xm, plot_bottom, "#e1e4e8", attr("stroke-dasharray", "3 3"));
    }
  }
  w.line(left, k_plot_top, left, plot_bottom, k_muted);
  w.line(left, plot_bottom, left + plot_width, plot_bottom, k_muted);
  w.text(left + plot_width / 2, plot_bottom + 40, font(13, k_ink, "middle"), chart.axis_label);

  // The bars.
  for (std::size_t g = 0; g < chart.groups.size(); ++g) {
    const chart_group& grp = chart.groups[g];
    const double top = k_plot_top + static_cast<double>(g) * group_height + k_group_pad / 2;
    const std::string name = grp.sublabel.empty() ? grp.label : grp.label + " " + grp.sublabel;
    w.raw("<g", attr("class", "group"), attr("data-label", name), ">\n");
    const double middle = top + (group_height - k_group_pad) / 2;
    if (grp.sublabel.empty()) {
      w.text(left - 10, middle + 4.5, font(13, k_ink, "end"), grp.label);
    } else {
      w.text(left - 10, middle - 1.5, font(13, k_ink, "end", true), grp.label);
      w.text(left - 10, middle + 12, font(11, k_muted, "end"), grp.sublabel);
    }
    for (std::size_t s = 0; s < grp.values.size() && s < chart.series.size(); ++s) {
      const double v = grp.values[s];
      if (!(v > 0) || !std::isfinite(v)) continue;
      const double y = top + static_cast<double>(s) * (k_bar_height + k_bar_gap);
      const double x_end = std::max(x_of(v), left + 1);
      const std::string value = s < grp.value_labels.size() ? grp.value_labels[s] : num(v);
      std::string tooltip = name;
      tooltip += ", " + chart.series[s].name + ": " + value;
      w.rect(left, y, x_end - left, k_bar_height,
             attr("class", "bar s" + std::to_string(s)) + attr("rx", 2) +
                 attr("fill", chart.series[s].color),
             tooltip);
      w.text(x_end + 5, y + k_bar_height - 3, font(11.5, k_ink), value);
    }
    w.raw("</g>\n");
  }
  w.raw("</svg>\n");
  return w.take();
}

}  // namespace jwtbatch::cli
