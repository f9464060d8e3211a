# Shared by the install scripts: apt-get install that runs `apt-get update`
# once, only when something is actually missing, and the project's Python
# venv. Source it; set INSTALL_TAG to prefix log lines.

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

# ensure_venv DIR: a Python venv at DIR (python3 -m venv needs ensurepip,
# Debian's python3-venv, which a fresh machine may lack).
ensure_venv() {
    local venv=$1 pyver
    [ -x "$venv/bin/python" ] && return 0
    if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
        pyver="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        apt_install "python${pyver}-venv" || apt_install python3-venv
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
}
