# The C ABI (engine/include/jwtbatch/jwtbatch.h) as the shared library libjwtbatch.so.0,
# with its install rules, the CMake package (find_package(jwtbatch) ->
# jwtbatch::jwtbatch) and the pkg-config file jwtbatch.pc. Included from the top-level
# CMakeLists.txt once engine/ defined jwtbatch_engine.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The ABI version is the header's, and the SONAME's number: one source of truth.
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/include/jwtbatch/jwtbatch.h" jwtbatch_abi_line
     REGEX "^#define JWTBATCH_ABI_VERSION [0-9]+$")
string(REGEX REPLACE "^#define JWTBATCH_ABI_VERSION " "" JWTBATCH_ABI_VERSION "${jwtbatch_abi_line}")

# libjwtbatch.so: the static engine and BoringSSL plus the C ABI, linked with
#  - hidden visibility, --exclude-libs,ALL and a version script: only jwtbatch_* is
#    exported (the test c_api_exports fails on anything else), so nothing of the
#    engine, BoringSSL, simdjson or libstdc++ inside can clash with a host's copies
#    (a host's OpenSSL 3 included: tests/coexist);
#  - -z now: every symbol is bound at load time, and no lazy PLT slot can rebind later;
#  - -z nodelete: dlclose() never unmaps it while TBB workers and per-thread scratch
#    that point into it are alive.
# Its output name (libjwtbatch.so) differs from the static engine's (libjwtbatch.a),
# which stays for the CLI, tests and benchmarks.
add_library(jwtbatch_c SHARED
  ${CMAKE_CURRENT_LIST_DIR}/src/abi/c_api.cpp
)
add_library(jwtbatch::jwtbatch ALIAS jwtbatch_c)
set_target_properties(jwtbatch_c PROPERTIES
  OUTPUT_NAME jwtbatch
  EXPORT_NAME jwtbatch
  VERSION ${PROJECT_VERSION}
  SOVERSION ${JWTBATCH_ABI_VERSION}
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON
  LINK_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/src/abi/jwtbatch.map
  # The build tree gets the installed RUNPATH as it is (empty unless a dependency lies
  # outside the loader's default path, as build/tsan's oneTBB does): without it, CMake
  # pads the build RUNPATH with an empty entry, which the loader reads as the current
  # directory.
  BUILD_WITH_INSTALL_RPATH ON)
target_compile_definitions(jwtbatch_c PRIVATE
  JWTBATCH_BUILDING_C_API JWTBATCH_VERSION="${PROJECT_VERSION}")
target_include_directories(jwtbatch_c
  PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_LIST_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/src)
target_link_libraries(jwtbatch_c PRIVATE
  $<BUILD_INTERFACE:jwtbatch_engine> $<BUILD_INTERFACE:jwtbatch_warnings> ${CMAKE_DL_LIBS})
# A fuzz tree instruments the engine for libFuzzer, whose runtime only fuzz
# executables link: the shared library is not built there unless asked for.
if(JWTBATCH_BUILD_FUZZ)
  set_target_properties(jwtbatch_c PROPERTIES EXCLUDE_FROM_ALL ON)
endif()
target_link_options(jwtbatch_c PRIVATE
  "LINKER:--version-script=${CMAKE_CURRENT_LIST_DIR}/src/abi/jwtbatch.map" "LINKER:--exclude-libs,ALL"
  "LINKER:-z,now" "LINKER:-z,relro" "LINKER:-z,nodelete" "LINKER:--no-undefined")

# Installed: the library, the C header (the C++ headers describe the static engine,
# which is not installed), the CMake package and the pkg-config file.
set(jwtbatch_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/jwtbatch")
install(TARGETS jwtbatch_c EXPORT jwtbatch_targets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(FILES "${CMAKE_CURRENT_LIST_DIR}/include/jwtbatch/jwtbatch.h"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/jwtbatch")
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
