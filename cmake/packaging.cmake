# Install layout beyond the binaries (man pages, bash completion, CI templates) and the Debian
# package: `cmake --install build --prefix /usr/local`, or `cpack --config build/CPackConfig.cmake`.
#
# Man pages and the completion script are generated at build time by the freshly built `vigil`
# from its own CLI11 command table (hidden `help-man` / `help-completion` commands), so they list
# exactly what the parser accepts.

set(VIGIL_GENERATED_DIR "${CMAKE_BINARY_DIR}/generated")
add_custom_command(
  OUTPUT "${VIGIL_GENERATED_DIR}/man/vigil.1" "${VIGIL_GENERATED_DIR}/completions/vigil"
  COMMAND ${CMAKE_COMMAND} -E rm -rf "${VIGIL_GENERATED_DIR}/man"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${VIGIL_GENERATED_DIR}/man" "${VIGIL_GENERATED_DIR}/completions"
  COMMAND $<TARGET_FILE:vigil> help-man "${VIGIL_GENERATED_DIR}/man"
  COMMAND $<TARGET_FILE:vigil> help-completion -o "${VIGIL_GENERATED_DIR}/completions/vigil"
  DEPENDS vigil
  COMMENT "Generating man pages and bash completion from vigil's command table"
  VERBATIM)
add_custom_target(vigil_docs ALL DEPENDS "${VIGIL_GENERATED_DIR}/man/vigil.1" "${VIGIL_GENERATED_DIR}/completions/vigil")

install(DIRECTORY "${VIGIL_GENERATED_DIR}/man/" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1"
        FILES_MATCHING PATTERN "*.1")
install(FILES "${VIGIL_GENERATED_DIR}/completions/vigil"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/.pre-commit-hooks.yaml"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# --- Debian package -------------------------------------------------------------------------
# The runtime dependencies are the Debian 12 packages of the libraries the binaries link
# (checked against `readelf -d` NEEDED entries by tests/e2e/package_test.cc), plus the tools the
# hooks call: git, ssh-keygen (SSH signatures) and gpg (OpenPGP signatures).
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "vigil")
set(CPACK_PACKAGE_VENDOR "vigil")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "vigil maintainers <vigil@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "native Git hooks that block secrets, unsigned commits and forbidden changes")
set(CPACK_PACKAGE_DESCRIPTION
    "vigil runs as pre-commit, commit-msg and pre-push hooks on laptops and as pre-receive and update
hooks on Git servers (plain git, GitLab, Gitea/Forgejo), and as `vigil scan` in CI. One detection
core (Hyperscan + PCRE2) judges secrets, signatures, file and message policy from .vigil.toml.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)  # debug info would make the package ~10x larger
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "vcs")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libgit2-1.5, libhyperscan5 | libvectorscan5, \
libpcre2-8-0 (>= 10.42), libgpgme11, libssl3, libutf8proc2, libarchive13, zlib1g, libsqlite3-0, libpq5, \
git, openssh-client, gnupg")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gpgsm, bash-completion")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "pre-commit")
# gzip: a few times faster to build than xz for a ~10 MB payload, which keeps the package test quick.
set(CPACK_DEBIAN_COMPRESSION_TYPE "gzip")
include(CPack)
