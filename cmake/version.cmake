# SLUICE_VERSION_LINE: what `sluice --version` prints, fixed at configure time:
# "sluice <project version> (git <short sha>[-dirty], built <UTC date>)".
# Without git (a source tarball) the sha reads "unknown". The date honours
# SOURCE_DATE_EPOCH, so a reproducible build prints the same line.
find_package(Git QUIET)
set(SLUICE_GIT_SHA "unknown")
if(GIT_FOUND AND EXISTS ${PROJECT_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=7 --match=NeVeRmAtCh
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE sha OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND sha)
    set(SLUICE_GIT_SHA ${sha})
  endif()
endif()
string(TIMESTAMP SLUICE_BUILD_DATE "%Y-%m-%d" UTC)
set(SLUICE_VERSION_LINE
    "sluice ${PROJECT_VERSION} (git ${SLUICE_GIT_SHA}, built ${SLUICE_BUILD_DATE})")
configure_file(${CMAKE_CURRENT_LIST_DIR}/version.h.in
               ${PROJECT_BINARY_DIR}/generated/cli/version_line.h @ONLY)
