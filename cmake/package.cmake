# `make deb` (cpack -G DEB): one Debian package of everything `cmake --install`
# installs, under /usr, plus /etc/sluice/sluice.toml as a conffile. Its
# dependencies are found by dpkg-shlibdeps (package dpkg-dev) from the binary.
set(CPACK_PACKAGE_NAME sluice)
set(CPACK_PACKAGE_VENDOR "The Sluice authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "server that speaks the Amazon Kinesis Data Streams API")
set(CPACK_PACKAGE_DESCRIPTION "Sluice stores streams durably on local disk and answers the \
Kinesis Data Streams API over HTTP/1.1 and HTTP/2, so AWS SDKs, the AWS CLI and the KCL work \
against it unchanged.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # the package without debug information
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified etc)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "The Sluice authors <sluice@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/contrib/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
