# doc_citations.cmake: cmake -DSOURCE_DIR=<repository root> -P doc_citations.cmake
#                      cmake -DSELFTEST_DIR=<empty scratch directory> -P doc_citations.cmake
#
# Fails when a citation of the project's docs does not resolve inside a clone
# (docs/STYLE.md#comments):
#  - every mention of SECURITY, DESIGN, STYLE, PERFORMANCE, CHECKS or ARCHITECTURE
#    followed by ".md", in code, CMake files, scripts, .clang-tidy, the READMEs and the
#    docs themselves, must name a file that exists in docs/ and be written with its
#    docs/ path (inside docs/, relative to it). A path through "../shared" is refused:
#    a clone does not have it.
#  - what follows the name must be defined in that file: "#anchor" (an <a id> or a
#    heading's GitHub slug), "§N" or "§N.M" (a heading that starts with it), or rule
#    ids such as "S4", "J1-J4", "H1/H2" (an <a id> of the lower-case id).
# In docs/*.md it also fails on a link to an in-page "#anchor" that is not defined, a
# relative link to a file that does not exist, a backquoted repository path
# (engine/..., tests/..., ...) that does not exist, and a backquoted test name
# `Suite.Name` that no TEST, TEST_F or TEST_P in tests/ declares.
#
# -DPENDING_DOCS=<NAME;...> (e.g. ARCHITECTURE) names docs announced but not written
# yet: while docs/<NAME>.md is missing, citations of it are counted and reported, not
# failed; once it exists they are checked like any other.
#
# With SELFTEST_DIR it builds a small tree with known good and bad citations there,
# checks it, and fails unless it finds exactly the expected problems: the checker's own
# test.
cmake_minimum_required(VERSION 3.20)

set(doc_names "SECURITY|DESIGN|STYLE|PERFORMANCE|CHECKS|ARCHITECTURE")
# One reference after a doc name: a section number or a rule id; several may follow,
# joined by ", ", "-" (a range) or "/". (CMake's regex engine allows few groups.)
set(ref_re "(§[0-9]+(\\.[0-9]+)*|[SKPJHCR][0-9]+)")
set(refs_re " ${ref_re}([-/, ]+${ref_re})*")
set(cite_re "[A-Za-z0-9_./-]*(${doc_names})\\.md(#[A-Za-z0-9_-]+|${refs_re})?")

# next_match(<text var> <regex> <offset var> <match var> <line var> <cursor var>): the
# first match of <regex> in the text at or after <offset>, and the line it starts on.
# <offset> and <cursor> (the line at <offset>; start a text with 0 and 1) move past the
# match, for the next call. The text is never turned into a CMake list: source code is
# full of ';' and '['.
function(next_match text_var regex offset_var match_var line_var cursor_var)
  string(SUBSTRING "${${text_var}}" ${${offset_var}} -1 rest)
  string(REGEX MATCH "${regex}" m "${rest}")
  if(m STREQUAL "")
    set(${match_var} "" PARENT_SCOPE)
    return()
  endif()
  string(FIND "${rest}" "${m}" pos)
  string(SUBSTRING "${rest}" 0 ${pos} before)
  string(REGEX REPLACE "[^\n]" "" newlines "${before}")
  string(LENGTH "${newlines}" n_before)
  string(REGEX REPLACE "[^\n]" "" newlines "${m}")
  string(LENGTH "${newlines}" n_inside)
  math(EXPR line "${${cursor_var}} + ${n_before}")
  math(EXPR cursor "${line} + ${n_inside}")
  string(LENGTH "${m}" len)
  math(EXPR next "${${offset_var}} + ${pos} + ${len}")
  set(${match_var} "${m}" PARENT_SCOPE)
  set(${line_var} ${line} PARENT_SCOPE)
  set(${cursor_var} ${cursor} PARENT_SCOPE)
  set(${offset_var} ${next} PARENT_SCOPE)
endfunction()

# github_slug(<heading text> <out>): the anchor GitHub gives a heading.
function(github_slug text out)
  string(TOLOWER "${text}" s)
  string(REGEX REPLACE "[^a-z0-9 _-]" "" s "${s}")
  string(REPLACE " " "-" s "${s}")
  set(${out} "${s}" PARENT_SCOPE)
endfunction()

# check_tree(<root> <problems var>): every problem as "path:line: message".
function(check_tree root out pending_out)
  set(problems "")
  set(pending 0)

  # What each doc defines: anchors (<a id>, heading slugs) and section numbers.
  file(GLOB doc_files RELATIVE "${root}/docs" "${root}/docs/*.md")
  foreach(doc IN LISTS doc_files)
    file(READ "${root}/docs/${doc}" text)
    set(text "\n${text}")
    set(anchors "")
    set(sections "")
    set(offset 0)
    set(cursor 1)
    while(TRUE)
      next_match(text "<a id=\"[^\"]+\"" offset m line cursor)
      if(m STREQUAL "")
        break()
      endif()
      string(REGEX REPLACE "<a id=\"([^\"]+)\"" "\\1" id "${m}")
      list(APPEND anchors "${id}")
    endwhile()
    set(offset 0)
    set(cursor 1)
    while(TRUE)
      next_match(text "\n#+ [^\n]*" offset m line cursor)
      if(m STREQUAL "")
        break()
      endif()
      string(REGEX REPLACE "^\n#+ " "" heading "${m}")
      github_slug("${heading}" slug)
      list(APPEND anchors "${slug}")
      if(heading MATCHES "^(§[0-9]+(\\.[0-9]+)*) ")
        list(APPEND sections "${CMAKE_MATCH_1}")
      endif()
    endwhile()
    string(REGEX REPLACE "\\.md$" "" key "${doc}")
    set(anchors_${key} "${anchors}")
    set(sections_${key} "${sections}")
  endforeach()

  # Test names declared in tests/.
  set(tests "")
  file(GLOB_RECURSE test_sources "${root}/tests/*.cpp" "${root}/tests/*.hpp")
  foreach(f IN LISTS test_sources)
    file(READ "${f}" text)
    string(REGEX MATCHALL "TEST(_F|_P)?\\([ \n]*[A-Za-z0-9_]+,[ \n]*[A-Za-z0-9_]+" decls "${text}")
    foreach(d IN LISTS decls)
      string(REGEX REPLACE "TEST(_F|_P)?\\([ \n]*([A-Za-z0-9_]+),[ \n]*([A-Za-z0-9_]+)" "\\2.\\3" t
             "${d}")
      list(APPEND tests "${t}")
    endforeach()
  endforeach()

  # The files that may cite: the project's own sources, scripts, CMake and docs.
  set(files "")
  foreach(dir engine tests bench fuzz scripts cmake docs .ci)
    if(IS_DIRECTORY "${root}/${dir}")
      file(GLOB_RECURSE found RELATIVE "${root}" "${root}/${dir}/*")
      list(APPEND files ${found})
    endif()
  endforeach()
  foreach(top CMakeLists.txt README.md .clang-tidy)
    if(EXISTS "${root}/${top}")
      list(APPEND files "${top}")
    endif()
  endforeach()
  list(FILTER files EXCLUDE REGEX "^fuzz/corpus/|(^|/)build/|(^|/)node_modules/|\\.(json|dict|svg|png|gz|zst)$")

  foreach(rel IN LISTS files)
    file(READ "${root}/${rel}" text)
    get_filename_component(dir "${rel}" DIRECTORY)
    set(in_docs FALSE)
    if(dir STREQUAL "docs")
      set(in_docs TRUE)
    endif()

    set(offset 0)
    set(cursor 1)
    while(TRUE)
      next_match(text "${cite_re}" offset m line cursor)
      if(m STREQUAL "")
        break()
      endif()
      string(REGEX MATCH "^([A-Za-z0-9_./-]*)(${doc_names})\\.md" head "${m}")
      set(prefix "${CMAKE_MATCH_1}")
      set(name "${CMAKE_MATCH_2}")
      string(LENGTH "${head}" head_len)
      string(SUBSTRING "${m}" ${head_len} -1 tail)
      set(where "${rel}:${line}")
      # A layout listing (a line "docs/   <NAME>.md, ...") names files of docs/.
      string(LENGTH "${m}" m_len)
      math(EXPR m_start "${offset} - ${m_len}")
      string(SUBSTRING "${text}" 0 ${m_start} before)
      string(FIND "${before}" "\n" nl REVERSE)
      math(EXPR nl "${nl} + 1")
      string(SUBSTRING "${before}" ${nl} -1 line_head)
      set(listing FALSE)
      if(line_head MATCHES "^[ \t]*docs/[ \t]")
        set(listing TRUE)
      endif()
      if(prefix MATCHES "shared")
        list(APPEND problems "${where}: ${m}: points outside the repository (cite docs/${name}.md)")
        continue()
      endif()
      if(in_docs)
        if(NOT prefix STREQUAL "" AND NOT prefix STREQUAL "docs/" AND NOT prefix MATCHES "^\\.\\./docs/$")
          list(APPEND problems "${where}: ${m}: write ${name}.md (relative to docs/)")
          continue()
        endif()
      elseif(NOT prefix MATCHES "(^|/)docs/$" AND NOT listing)
        list(APPEND problems "${where}: ${m}: write docs/${name}.md so a clone finds it")
        continue()
      endif()
      if(NOT EXISTS "${root}/docs/${name}.md")
        if(name IN_LIST PENDING_DOCS)
          math(EXPR pending "${pending} + 1")
        else()
          list(APPEND problems "${where}: ${m}: docs/${name}.md does not exist")
        endif()
        continue()
      endif()
      if(tail MATCHES "^#(.+)$")
        set(anchor "${CMAKE_MATCH_1}")
        if(NOT anchor IN_LIST anchors_${name})
          list(APPEND problems "${where}: ${m}: docs/${name}.md defines no anchor '${anchor}'")
        endif()
      elseif(NOT tail STREQUAL "")
        string(REGEX MATCHALL "${ref_re}" refs "${tail}")
        foreach(ref IN LISTS refs)
          if(ref MATCHES "^§")
            if(NOT ref IN_LIST sections_${name})
              list(APPEND problems "${where}: ${m}: docs/${name}.md has no section ${ref}")
            endif()
          else()
            string(TOLOWER "${ref}" id)
            if(NOT id IN_LIST anchors_${name})
              list(APPEND problems "${where}: ${m}: docs/${name}.md defines no rule ${ref}")
            endif()
          endif()
        endforeach()
      endif()
    endwhile()

    if(NOT in_docs OR NOT rel MATCHES "\\.md$")
      continue()
    endif()
    string(REGEX REPLACE "\\.md$" "" self "${rel}")
    string(REGEX REPLACE "^docs/" "" self "${self}")

    # Links: in-page anchors and relative files.
    set(offset 0)
    set(cursor 1)
    while(TRUE)
      next_match(text "\\]\\([^)]+\\)" offset m line cursor)
      if(m STREQUAL "")
        break()
      endif()
      string(REGEX REPLACE "^\\]\\(([^)]+)\\)$" "\\1" target "${m}")
      if(target MATCHES "^[a-z]+:")
        continue()
      endif()
      if(target MATCHES "^#(.+)$")
        if(NOT CMAKE_MATCH_1 IN_LIST anchors_${self})
          list(APPEND problems "${rel}:${line}: link ${target}: no such anchor in this file")
        endif()
        continue()
      endif()
      string(REGEX REPLACE "#.*$" "" path "${target}")
      string(REGEX REPLACE "\\.md$" "" path_name "${path}")
      if(NOT EXISTS "${root}/docs/${path}" AND NOT path_name IN_LIST PENDING_DOCS)
        list(APPEND problems "${rel}:${line}: link ${target}: no such file")
      endif()
    endwhile()

    # Backquoted repository paths and test names.
    set(offset 0)
    set(cursor 1)
    while(TRUE)
      next_match(text "`[^`\n]+`" offset m line cursor)
      if(m STREQUAL "")
        break()
      endif()
      string(REGEX REPLACE "^`(.*)`$" "\\1" q "${m}")
      if(q MATCHES "^(engine|tests|bench|fuzz|scripts|cmake|docs)/[A-Za-z0-9_./-]*$")
        string(REGEX REPLACE "/$" "" path "${q}")
        if(NOT EXISTS "${root}/${path}")
          list(APPEND problems "${rel}:${line}: `${q}` does not exist")
        endif()
      elseif(q MATCHES "^[A-Z][A-Za-z0-9_]*\\.[A-Z][A-Za-z0-9_]*$")
        if(NOT q IN_LIST tests)
          list(APPEND problems "${rel}:${line}: `${q}`: no such test in tests/")
        endif()
      endif()
    endwhile()
  endforeach()
  set(${out} "${problems}" PARENT_SCOPE)
  set(${pending_out} ${pending} PARENT_SCOPE)
endfunction()

if(DEFINED SELFTEST_DIR)
  # A tree with one doc, one test and one source file citing it, good and bad. The doc
  # names are assembled so that this file's own text holds no citation.
  set(md ".md")
  set(S "SECURITY${md}")
  file(REMOVE_RECURSE "${SELFTEST_DIR}")
  file(MAKE_DIRECTORY "${SELFTEST_DIR}/docs" "${SELFTEST_DIR}/engine" "${SELFTEST_DIR}/tests")
  file(WRITE "${SELFTEST_DIR}/docs/${S}"
       "# Rules\n\n<a id=\"order\"></a>\n## §0 Order\n\n<a id=\"s1\"></a>\n**S1.** See [S1](#s1),"
       " [gone](#gone), [checks](CHECKS${md}#x), `tests/a_test.cpp`, `engine/nowhere.cpp`,\n"
       "`Suite.Present`, `Suite.Absent`.\n")
  file(WRITE "${SELFTEST_DIR}/tests/a_test.cpp" "TEST(Suite, Present) {}\n")
  file(WRITE "${SELFTEST_DIR}/engine/a.cpp"
       "// docs/${S} S1 and docs/${S} §0; docs/${S}#order; docs/${S}#rules\n"
       "// docs/${S} S2, docs/${S} §3, docs/${S}#nope\n"
       "// ${S} S1; ../shared/${S}; docs/STYLE${md}\n"
       "// docs/ARCHITECTURE${md}#layers, announced and not written\n"
       "docs/      ${S} (a layout listing)\n")
  set(PENDING_DOCS ARCHITECTURE)
  check_tree("${SELFTEST_DIR}" got pending)
  set(expected
      "engine/a.cpp:2: docs/${S} S2: docs/${S} defines no rule S2"
      "engine/a.cpp:2: docs/${S} §3: docs/${S} has no section §3"
      "engine/a.cpp:2: docs/${S}#nope: docs/${S} defines no anchor 'nope'"
      "engine/a.cpp:3: ${S} S1: write docs/${S} so a clone finds it"
      "engine/a.cpp:3: ../shared/${S}: points outside the repository (cite docs/${S})"
      "engine/a.cpp:3: docs/STYLE${md}: docs/STYLE${md} does not exist"
      "docs/${S}:7: CHECKS${md}#x: docs/CHECKS${md} does not exist"
      "docs/${S}:7: link #gone: no such anchor in this file"
      "docs/${S}:7: link CHECKS${md}#x: no such file"
      "docs/${S}:7: `engine/nowhere.cpp` does not exist"
      "docs/${S}:8: `Suite.Absent`: no such test in tests/")
  list(SORT got)
  list(SORT expected)
  if(NOT got STREQUAL expected OR NOT pending EQUAL 1)
    string(REPLACE ";" "\n  " got_text "${got}")
    string(REPLACE ";" "\n  " expected_text "${expected}")
    message(FATAL_ERROR "doc_citations self-test: expected 1 pending citation and\n"
                        "  ${expected_text}\ngot ${pending} pending and\n  ${got_text}")
  endif()
  message(STATUS "doc_citations self-test: the 11 expected problems and 1 pending citation")
  return()
endif()

if(NOT DEFINED SOURCE_DIR OR NOT IS_DIRECTORY "${SOURCE_DIR}/docs")
  message(FATAL_ERROR "doc_citations: -DSOURCE_DIR=<repository root with docs/> missing")
endif()
check_tree("${SOURCE_DIR}" problems pending)
list(LENGTH problems count)
if(count GREATER 0)
  string(REPLACE ";" "\n  " text "${problems}")
  message(FATAL_ERROR "doc_citations: ${count} citation(s) do not resolve inside the repository:\n  ${text}")
endif()
if(pending GREATER 0)
  message(STATUS "doc_citations: ${pending} citation(s) of docs not written yet (${PENDING_DOCS})")
endif()
message(STATUS "doc_citations: every other citation of docs/ resolves")
