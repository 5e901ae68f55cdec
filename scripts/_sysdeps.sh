# Sourced by demo.sh and test.sh: install the Debian packages zhengwu needs, when missing.
# Usage: sysdeps [browser]   — PDFs need pango and CJK fonts; the browser tests also need chromium
# (Debian's own package; never a downloaded browser), poppler's pdftoppm, and LibreOffice's headless
# writer (soffice) to render the .docx annual report in the document tests.
sysdeps() {
  local need=()
  [ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
  ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
  if [ "${1:-}" = "browser" ]; then
    [ -x /usr/bin/chromium ] || need+=(chromium)
    command -v pdftoppm >/dev/null || need+=(poppler-utils)
    command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
    # the sealed-bid test runs static/trading/seal.js under node against sealing.py
    command -v node >/dev/null || need+=(nodejs)
  fi
  # zhengwu backup/restore on PostgreSQL use pg_dump and pg_restore
  case "${DATABASE_URL:-}" in postgres*) command -v pg_dump >/dev/null || need+=(postgresql-client) ;; esac
  if [ ${#need[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
      echo "缺少系统软件包：${need[*]}（请用系统的包管理器安装）" >&2
      return 1
    fi
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "安装系统软件包：${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}
