# Shared by the install scripts: apt-get install that runs `apt-get update`
# once, only when something is actually missing. Source it; set
# INSTALL_TAG to prefix log lines.

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        echo "${INSTALL_TAG:-install}: apt-get update" >&2
        $SUDO apt-get update -qq >/dev/null
        apt_updated=1
    fi
    echo "${INSTALL_TAG:-install}: apt-get install $*" >&2
    $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
