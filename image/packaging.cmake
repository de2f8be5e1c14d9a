# Install rules and the Debian package (CPack): `cpack -G DEB` in the build directory makes
# lontar_VERSION_amd64.deb with lontar, lontar-kiosk, the translations (where the kiosk looks for
# them: /usr/share/lontar/assets), the systemd units and their helpers, docs and man pages.
# Its Depends come from dpkg-shlibdeps plus the programs the units run. Included from the
# top-level CMakeLists.txt; the appliance image (image/build) installs this package.
if(LONTAR_SANITIZE)
  # Packages are made from release builds only.
  return()
endif()
include(GNUInstallDirs)

install(TARGETS lontar RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET lontar-kiosk)
  install(TARGETS lontar-kiosk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/i18n DESTINATION ${CMAKE_INSTALL_DATADIR}/lontar/assets)

set(LONTAR_IMAGE_DIR ${PROJECT_SOURCE_DIR}/image)
install(FILES ${LONTAR_IMAGE_DIR}/units/lontar-kiosk.service ${LONTAR_IMAGE_DIR}/units/lontar-sync.service
  ${LONTAR_IMAGE_DIR}/units/lontar-vault-key.service ${LONTAR_IMAGE_DIR}/units/lontar-usb.path
  ${LONTAR_IMAGE_DIR}/units/lontar-usb.service ${LONTAR_IMAGE_DIR}/units/lontar-sync-settings.path
  ${LONTAR_IMAGE_DIR}/units/lontar-sync-settings.service ${LONTAR_IMAGE_DIR}/units/lontar-clock.path
  ${LONTAR_IMAGE_DIR}/units/lontar-clock.service DESTINATION lib/systemd/system)
install(FILES ${LONTAR_IMAGE_DIR}/scripts/lontar.sysusers DESTINATION lib/sysusers.d RENAME lontar.conf)
install(FILES ${LONTAR_IMAGE_DIR}/scripts/lontar.tmpfiles DESTINATION lib/tmpfiles.d RENAME lontar.conf)
install(PROGRAMS ${LONTAR_IMAGE_DIR}/scripts/make-vault-key ${LONTAR_IMAGE_DIR}/scripts/kiosk-session
  ${LONTAR_IMAGE_DIR}/scripts/kiosk-x11
  ${LONTAR_IMAGE_DIR}/scripts/usb-gate ${LONTAR_IMAGE_DIR}/scripts/sync-settings
  ${LONTAR_IMAGE_DIR}/scripts/clock-set DESTINATION lib/lontar)
install(PROGRAMS ${LONTAR_IMAGE_DIR}/scripts/lontar-admin DESTINATION ${CMAKE_INSTALL_SBINDIR})
# The kiosk unit's netlink filter (image/kiosk-seccomp/kiosk_seccomp.cpp), run in front of
# kiosk-session.
add_executable(kiosk-seccomp ${LONTAR_IMAGE_DIR}/kiosk-seccomp/kiosk_seccomp.cpp)
install(TARGETS kiosk-seccomp RUNTIME DESTINATION lib/lontar)

file(GLOB LONTAR_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${LONTAR_DOCS} ${LONTAR_IMAGE_DIR}/copyright
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Man pages from the programs' --help (help2man), gzipped as Debian wants them.
find_program(HELP2MAN help2man REQUIRED)
set(LONTAR_MAN_PAGES)
foreach(prog lontar lontar-kiosk)
  if(NOT TARGET ${prog})
    continue()
  endif()
  if(prog STREQUAL "lontar")
    set(what "the Lontar exam terminal's command line")
  else()
    set(what "the Lontar exam terminal's full-screen kiosk")
  endif()
  set(page ${CMAKE_BINARY_DIR}/man/${prog}.1)
  add_custom_command(OUTPUT ${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
      --name=${what} --output=${page} $<TARGET_FILE:${prog}>
    COMMAND gzip -9nf ${page}
    DEPENDS ${prog} VERBATIM)
  list(APPEND LONTAR_MAN_PAGES ${page}.gz)
endforeach()
add_custom_target(lontar_man_pages ALL DEPENDS ${LONTAR_MAN_PAGES})
install(FILES ${LONTAR_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lontar)
set(CPACK_PACKAGE_VENDOR "Lontar")
set(CPACK_PACKAGE_CONTACT "Lontar maintainers <lontar@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "offline-first exam terminal: kiosk, command line and appliance units")
set(CPACK_PACKAGE_DESCRIPTION "Lontar runs computer-based competency tests on dedicated terminals:\n signed and encrypted item packs, a durable journal, sealed result bundles, and a\n locked full-screen kiosk (lontar-kiosk) run by systemd in the cage compositor.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/package)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What the units and helpers run, which dpkg-shlibdeps cannot see.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd (>= 252), libpam-systemd, fonts-noto-core")
if(TARGET lontar-kiosk)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", cage")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${LONTAR_IMAGE_DIR}/scripts/postinst)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

if(LONTAR_TESTS)
  add_subdirectory(tests/image)
endif()
