# What `cmake --install` (and `make install PREFIX=...`) puts under the
# prefix besides the client library (src/client): the server binary, its man
# page and shell completions made from the built binary, the systemd unit and
# the example configuration. The Debian package (`make deb`) holds the same
# files under /usr, plus /etc/sluice/sluice.toml.
install(TARGETS sluice RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(generated ${PROJECT_BINARY_DIR}/share)
add_custom_command(
  OUTPUT ${generated}/sluice.bash ${generated}/_sluice
  COMMAND ${CMAKE_COMMAND} -E make_directory ${generated}
  COMMAND sh -c "$<TARGET_FILE:sluice> completion bash > ${generated}/sluice.bash"
  COMMAND sh -c "$<TARGET_FILE:sluice> completion zsh > ${generated}/_sluice"
  DEPENDS sluice
  COMMENT "Generating the bash and zsh completion of sluice"
  VERBATIM)
add_custom_target(sluice_completion ALL DEPENDS ${generated}/sluice.bash ${generated}/_sluice)
install(FILES ${generated}/sluice.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME sluice)
install(FILES ${generated}/_sluice DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)

# The man page: help2man over `sluice --help` and `--version`, with the serve
# flags (`sluice serve --help`) and docs/sluice.h2m's sections added.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  add_custom_command(
    OUTPUT ${generated}/sluice.1
    COMMAND ${CMAKE_COMMAND} -DSLUICE=$<TARGET_FILE:sluice> -DSECTIONS=${PROJECT_SOURCE_DIR}/docs/sluice.h2m
            -DOUT=${generated}/sluice.h2m -P ${PROJECT_SOURCE_DIR}/cmake/man_sections.cmake
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=1
            "--name=a server that speaks the Amazon Kinesis Data Streams API"
            --include=${generated}/sluice.h2m --output=${generated}/sluice.1 $<TARGET_FILE:sluice>
    DEPENDS sluice ${PROJECT_SOURCE_DIR}/docs/sluice.h2m ${PROJECT_SOURCE_DIR}/cmake/man_sections.cmake
    COMMENT "Generating the man page sluice.1"
    VERBATIM)
  add_custom_target(sluice_man ALL DEPENDS ${generated}/sluice.1)
  install(FILES ${generated}/sluice.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page (apt-get install help2man)")
endif()

# The unit runs the installed binary: ExecStart is rewritten for the prefix
# at install time (CPack installs with its own prefix, /usr).
configure_file(cmake/install_service.cmake.in ${PROJECT_BINARY_DIR}/install_service.cmake @ONLY)
install(SCRIPT ${PROJECT_BINARY_DIR}/install_service.cmake)
install(FILES contrib/sluice.toml DESTINATION ${CMAKE_INSTALL_DOCDIR})
# /etc is outside any prefix: only the package installs there.
install(FILES contrib/sluice.toml DESTINATION /etc/sluice COMPONENT etc EXCLUDE_FROM_ALL)
