# Shared by scripts/run and scripts/test: a virtual environment with fupin installed, from nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
EXTRAS="${1:-}"
stamp="$VENV/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)$EXTRAS"
if [ ! -x "$VENV/bin/python" ]; then
  echo "→ creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$stamp" ]; then
  echo "→ installing fupin${EXTRAS:+[$EXTRAS]} and its pinned dependencies"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".${EXTRAS:+[$EXTRAS]}"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"

# Debian packages: CJK fonts for PDFs and screenshots, chromium for browser tests, gettext for translations.
need_debs() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "✗ missing Debian packages: ${missing[*]} (install them: apt-get install ${missing[*]})" >&2; exit 1
  fi
  echo "→ installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

# the pages' JavaScript libraries (package.json) from the npm registry, into the static files (scripts/vendor_js)
command -v npm >/dev/null || need_debs npm
"$ROOT/scripts/vendor_js"
