# shellcheck shell=bash
# Sourced by scripts/install-tools.sh, scripts/install-tools-windows.sh and .ci/run:
#   apt_install [--with-recommends] PACKAGE...
# installs Debian packages (as root, or through sudo), waiting up to 15 min for apt's lock
# (unattended upgrades, a parallel job). `apt-get update` runs only when this helper has not
# run it in the last hour, so one .ci/run on a new machine updates the lists once, not once
# per install step.
apt_install() {
  local recommends=--no-install-recommends
  if [ "${1:-}" = --with-recommends ]; then
    recommends=""
    shift
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # apt rewrites no list that did not change, so the lists' own times say nothing: a stamp of
  # ours marks the last update, and counts only while there are lists.
  local stamp="${TMPDIR:-/tmp}/atlas-user-hash-apt-updated"
  if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ] || [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ]; then
    echo "apt: apt-get update"
    $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq
    touch "$stamp"
  fi
  # shellcheck disable=SC2086 # $recommends is one option or none
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq $recommends "$@" >/dev/null
}
