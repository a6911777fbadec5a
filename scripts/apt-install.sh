# shellcheck shell=bash
# Sourced by scripts/install-tools.sh, scripts/install-tools-windows.sh and .ci/run:
#   apt_install [--with-recommends] PACKAGE...
# installs Debian packages (as root, or through sudo), waiting up to 15 min for apt's lock
# (unattended upgrades, a parallel job). `apt-get update` runs only when the package lists are
# more than an hour old, so one .ci/run on a new machine updates them once, not once per
# install step.
apt_install() {
  local recommends=--no-install-recommends
  if [ "${1:-}" = --with-recommends ]; then
    recommends=""
    shift
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 -print -quit 2>/dev/null)" ]; then
    $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq
  fi
  # shellcheck disable=SC2086 # $recommends is one option or none
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq $recommends "$@" >/dev/null
}
