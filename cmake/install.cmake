# The shared library libjwtbatch.so.0 and the installed product. Included from the
# top-level CMakeLists.txt once engine/ defined jwtbatch_engine and the jwtbatch program.
# `cmake --install <build> --prefix P` gives:
#   P/bin/jwtbatch                                the program
#   P/include/jwtbatch/                           jwtbatch.h (C ABI) and the C++ headers
#   P/lib/libjwtbatch.so.0 (+ libjwtbatch.so)     the C ABI and the C++ API, nothing else
#   P/lib/cmake/jwtbatch/                         find_package(jwtbatch): jwtbatch::jwtbatch
#   P/lib/pkgconfig/jwtbatch.pc
#   P/share/man/man1/jwtbatch.1                   from the program's own help
#   P/share/bash-completion/completions/jwtbatch  from the program's own help
# (lib is CMAKE_INSTALL_LIBDIR.) The test c_api_consumer installs to a temporary prefix
# and uses all of it (tests/consumer/run.cmake).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(jwtbatch_abi_dir "${PROJECT_SOURCE_DIR}/engine/src/abi")
set(jwtbatch_map "${jwtbatch_abi_dir}/jwtbatch.map")

# The ABI version is the header's, and the SONAME's number: one source of truth.
file(STRINGS "${PROJECT_SOURCE_DIR}/engine/include/jwtbatch/jwtbatch.h" jwtbatch_abi_line
     REGEX "^#define JWTBATCH_ABI_VERSION [0-9]+$")
string(REGEX REPLACE "^#define JWTBATCH_ABI_VERSION " "" JWTBATCH_ABI_VERSION "${jwtbatch_abi_line}")

# libjwtbatch.so: the C ABI, and the whole static engine (every object, so every function
# of the C++ API is in it, used by the C ABI or not) with BoringSSL inside, linked with
#  - a version script (engine/src/abi/jwtbatch.map): only jwtbatch_* and the C++ API of
#    namespace jwtbatch (not jwtbatch::detail) are exported, so nothing of the engine's
#    internals, BoringSSL, simdjson, oneTBB or libstdc++ inside can clash with a host's
#    copies (a host's OpenSSL 3 included: tests/coexist); the test c_api_exports fails
#    on anything else;
#  - --exclude-libs for BoringSSL's archive: its symbols stay local even if a pattern of
#    the script could ever match one (they are compiled hidden as well);
#  - -Bsymbolic: the library's own calls and data bind to its own definitions at link
#    time, so a program that also links the static engine (the c_api_* tests do) or
#    defines the same C++ names never takes them over;
#  - -z now: every symbol is bound at load time, and no lazy PLT slot can rebind later;
#  - -z nodelete: dlclose() never unmaps it while TBB workers and per-thread scratch
#    that point into it are alive.
# Its output name (libjwtbatch.so) differs from the static engine's (libjwtbatch.a),
# which stays for the CLI, tests and benchmarks.
add_library(jwtbatch_c SHARED ${jwtbatch_abi_dir}/c_api.cpp)
add_library(jwtbatch::jwtbatch ALIAS jwtbatch_c)
set_target_properties(jwtbatch_c PROPERTIES
  OUTPUT_NAME jwtbatch
  EXPORT_NAME jwtbatch
  VERSION ${PROJECT_VERSION}
  SOVERSION ${JWTBATCH_ABI_VERSION}
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON
  LINK_DEPENDS ${jwtbatch_map}
  # The build tree gets the installed RUNPATH as it is (empty unless a dependency lies
  # outside the loader's default path, as build/tsan's oneTBB does): without it, CMake
  # pads the build RUNPATH with an empty entry, which the loader reads as the current
  # directory.
  BUILD_WITH_INSTALL_RPATH ON)
target_compile_definitions(jwtbatch_c PRIVATE
  JWTBATCH_BUILDING_C_API JWTBATCH_VERSION="${PROJECT_VERSION}")
target_include_directories(jwtbatch_c
  PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/engine/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  PRIVATE
    ${PROJECT_SOURCE_DIR}/engine/src)
# The C++ headers are C++20 (std::span among others): a C++ consumer of
# jwtbatch::jwtbatch compiles as C++20 at least; C consumers are unaffected.
target_compile_features(jwtbatch_c INTERFACE cxx_std_20)
target_link_libraries(jwtbatch_c PRIVATE
  $<BUILD_INTERFACE:$<LINK_LIBRARY:WHOLE_ARCHIVE,jwtbatch_engine>>
  $<BUILD_INTERFACE:jwtbatch_warnings> ${CMAKE_DL_LIBS})
# A fuzz tree instruments the engine for libFuzzer, whose runtime only fuzz
# executables link: the shared library is not built there unless asked for.
if(JWTBATCH_BUILD_FUZZ)
  set_target_properties(jwtbatch_c PROPERTIES EXCLUDE_FROM_ALL ON)
endif()
target_link_options(jwtbatch_c PRIVATE
  "LINKER:--version-script=${jwtbatch_map}"
  "LINKER:--exclude-libs,$<TARGET_FILE_NAME:BoringSSL::crypto>"
  "LINKER:-Bsymbolic" "LINKER:-z,now" "LINKER:-z,relro" "LINKER:-z,nodelete"
  "LINKER:--no-undefined")

# The man page and the bash completion, written from the program's own help each time
# the program is linked (cmake/cli_docs.cmake), so they cannot fall behind its flags.
set(jwtbatch_man_page "${PROJECT_BINARY_DIR}/share/man/man1/jwtbatch.1")
set(jwtbatch_completion "${PROJECT_BINARY_DIR}/share/bash-completion/completions/jwtbatch")
add_custom_command(
  OUTPUT "${jwtbatch_man_page}" "${jwtbatch_completion}"
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${PROJECT_BINARY_DIR}/share/man/man1"
          "${PROJECT_BINARY_DIR}/share/bash-completion/completions"
  COMMAND "${CMAKE_COMMAND}" "-DPROGRAM=$<TARGET_FILE:jwtbatch>" "-DVERSION=${PROJECT_VERSION}"
          "-DTEMPLATE=${PROJECT_SOURCE_DIR}/cmake/jwtbatch-completion.bash.in"
          "-DMAN_OUT=${jwtbatch_man_page}" "-DCOMPLETION_OUT=${jwtbatch_completion}"
          -P "${PROJECT_SOURCE_DIR}/cmake/cli_docs.cmake"
  DEPENDS jwtbatch "${PROJECT_SOURCE_DIR}/cmake/cli_docs.cmake"
          "${PROJECT_SOURCE_DIR}/cmake/jwtbatch-completion.bash.in"
  COMMENT "Man page and bash completion from jwtbatch --help"
  VERBATIM)
add_custom_target(jwtbatch_cli_docs ALL DEPENDS "${jwtbatch_man_page}" "${jwtbatch_completion}")
if(JWTBATCH_BUILD_FUZZ)
  set_target_properties(jwtbatch_cli_docs PROPERTIES EXCLUDE_FROM_ALL ON)
endif()

# Installed: the program, the library, every public header, the CMake package, the
# pkg-config file, the man page and the completion. The program links the engine
# statically; its RUNPATH (CMAKE_INSTALL_RPATH_USE_LINK_PATH) names only what lies
# outside the loader's default path, as the library's does.
set(jwtbatch_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/jwtbatch")
install(TARGETS jwtbatch RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(TARGETS jwtbatch_c EXPORT jwtbatch_targets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/engine/include/jwtbatch"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(EXPORT jwtbatch_targets
  NAMESPACE jwtbatch::
  FILE jwtbatchTargets.cmake
  DESTINATION "${jwtbatch_cmake_dir}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/jwtbatchConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/jwtbatchConfig.cmake"
  INSTALL_DESTINATION "${jwtbatch_cmake_dir}")
# 0.x releases may change the API from one minor version to the next.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/jwtbatchConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/jwtbatchConfig.cmake"
              "${PROJECT_BINARY_DIR}/jwtbatchConfigVersion.cmake"
  DESTINATION "${jwtbatch_cmake_dir}")
# jwtbatch.pc finds the prefix from its own place (${pcfiledir}), so an installed tree
# can be moved, and `cmake --install --prefix` anywhere gives a working file.
file(RELATIVE_PATH jwtbatch_pc_to_prefix
  "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" jwtbatch_pc_to_prefix "${jwtbatch_pc_to_prefix}")
configure_file("${PROJECT_SOURCE_DIR}/cmake/jwtbatch.pc.in"
  "${PROJECT_BINARY_DIR}/jwtbatch.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/jwtbatch.pc"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
install(FILES "${jwtbatch_man_page}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
install(FILES "${jwtbatch_completion}"
  DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions")
