#!/usr/bin/env bash
# Makes sure the system programs the stack and the tests use are installed (Debian/Ubuntu packages):
# redis-server, ffmpeg, tesseract, chromium, Prometheus with Alertmanager, and the GStreamer RTSP server
# used by the test camera.
# Idempotent: with everything present it only checks. Installs what is missing when it runs as root or
# with passwordless sudo; otherwise names the packages and the command, and exits non-zero.
set -euo pipefail

missing=()
need() { # need <package> <check command...>: queue the package unless the check succeeds
  local package=$1
  shift
  "$@" >/dev/null 2>&1 || missing+=("$package")
}
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
gst_rtsp_importable() {
  # Debian's own python3: gi comes from the python3-gi package, not from a virtualenv or pyenv.
  /usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0")'
}

check() {
  missing=()
  need redis-server command -v redis-server
  need ffmpeg command -v ffmpeg
  need tesseract-ocr command -v tesseract
  need chromium command -v chromium
  need prometheus command -v prometheus
  need prometheus-alertmanager command -v prometheus-alertmanager
  need python3-gi gst_rtsp_importable
  need gir1.2-gst-rtsp-server-1.0 gst_rtsp_importable
  need gstreamer1.0-plugins-base installed gstreamer1.0-plugins-base
  need gstreamer1.0-plugins-good installed gstreamer1.0-plugins-good
  need gstreamer1.0-plugins-ugly installed gstreamer1.0-plugins-ugly
}

check
if [ ${#missing[@]} -eq 0 ]; then
  echo "System dependencies present."
  exit 0
fi

# Both RTSP packages are queued when the import fails; keep each package once.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
# Prometheus and Alertmanager without their recommended node exporter, which would start as a system
# service on a desktop; everything else with its recommends (fonts for Chromium, say).
bare=()
full=()
for package in "${missing[@]}"; do
  case $package in
    prometheus | prometheus-alertmanager) bare+=("$package") ;;
    *) full+=("$package") ;;
  esac
done
install_command="apt-get update"
[ ${#full[@]} -eq 0 ] || install_command+=" && apt-get install -y ${full[*]}"
[ ${#bare[@]} -eq 0 ] || install_command+=" && apt-get install -y --no-install-recommends ${bare[*]}"

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them as root:  sudo sh -c '$install_command'" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${missing[*]}, and no apt-get here: install their equivalents by hand." >&2
  exit 1
fi

echo "Installing missing system packages: ${missing[*]}"
# The lock keeps parallel installs (other scripts, other checkouts) from fighting over dpkg.
${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive flock /tmp/facegate-apt.lock \
  sh -c "$install_command"

check
if [ ${#missing[@]} -ne 0 ]; then
  echo "Still missing after apt-get install: ${missing[*]}" >&2
  exit 1
fi
echo "System dependencies installed."
