# cmake -DSLUICE=<binary> -DSECTIONS=<docs/sluice.h2m> -DOUT=<file> -P man_sections.cmake
# Writes help2man's include file: a SERVE OPTIONS section holding
# `sluice serve --help` as preformatted text, then the hand-written sections.
execute_process(COMMAND ${SLUICE} serve --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SLUICE} serve --help failed (${rc})")
endif()
string(REPLACE "${SLUICE}" "sluice" help "${help}")  # the path it ran as
# roff: a backslash is written \e; a line may not start with . or '.
string(REPLACE "\\" "\\e" help "${help}")
string(REGEX REPLACE "\n([.'])" "\n\\\\&\\1" help "${help}")
file(READ ${SECTIONS} sections)
file(WRITE ${OUT} "[SERVE OPTIONS]\n.nf\n${help}.fi\n\n${sections}")
