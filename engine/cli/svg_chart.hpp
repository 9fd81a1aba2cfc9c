// svg_chart.hpp: a horizontal grouped bar chart on a log10 axis, written as one
// self-contained SVG document (no script, no external font or stylesheet), for
// `jwtbatch bench --chart`. No plotting dependency: the layout is computed here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace jwtbatch::cli {

// One kind of bar (for example "1 thread"); its bars share a colour and a legend entry.
struct chart_series {
  std::string name;
  std::string color;  // an SVG colour ("#4e79a7"); written escaped
};

// One row of the chart: a label (with an optional smaller grey line under it) and one
// bar per series.
struct chart_group {
  std::string label;
  std::string sublabel;
  std::vector<double> values;             // one per series; a value <= 0 draws no bar
  std::vector<std::string> value_labels;  // printed at each bar's end (caller-formatted)
};

struct bar_chart {
  std::string title;
  std::string subtitle;    // a smaller second line under the title (may be empty)
  std::string axis_label;  // under the value axis
  std::vector<chart_series> series;
  std::vector<chart_group> groups;
};

// render_svg returns the chart as an SVG 1.1 document (UTF-8). Every text and attribute
// value taken from `chart` is XML-escaped, so any label yields well-formed XML. The
// value axis is log10, from the decade at or below the smallest positive value (one
// lower when that value is within half a decade of it, so its bar shows) to the decade
// at or above the largest, with a grid line per decade. Each group is a
// <g class="group" data-label="LABEL SUBLABEL"> holding one <rect class="bar sN"> per series
// with a positive value (N = the series index). Allocates; not for a hot path.
[[nodiscard]] std::string render_svg(const bar_chart& chart);

// xml_escape returns `s` with & < > " ' as character references and the control
// characters XML 1.0 forbids (below U+0020 except tab, newline, return) dropped, so the
// result can be put in text or in a quoted attribute value.
[[nodiscard]] std::string xml_escape(std::string_view s);

}  // namespace jwtbatch::cli
