# shellcheck shell=bash
# Sourced by .ci/run before pytest: the services the progress and SSH tests use.
#
# - openssh-server, vim (rvim), adduser and python3-venv, for tests/e2e_ssh:
#   the README's class recipe as root (its own sshd on 127.0.0.1 with a
#   throwaway host key, never the system's; throwaway accounts, removed after).
# - PostgreSQL (Debian's `postgresql`) on 127.0.0.1 with a test role and
#   database; its URL is exported as CE_TUTOR_TEST_PG for tests/progress.
#
# Failures are reported, not fatal: the tests then skip with the reason.

_ce_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

_ce_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi
}

_ce_services() {
  local missing=()
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 \
    || missing+=(postgresql)
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
  command -v rvim >/dev/null 2>&1 || missing+=(vim)          # the class's restricted editor
  command -v adduser >/dev/null 2>&1 || missing+=(adduser)    # the README's class accounts
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null \
    || missing+=(python3-venv)                                 # the README's install
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "services: installing ${missing[*]}"
    (_ce_as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      _ce_as_root apt-get install -y -qq "${missing[@]}") >/dev/null 2>&1 \
      || echo "services: could not install ${missing[*]}; the tests that need them will skip"
  fi

  command -v pg_ctlcluster >/dev/null 2>&1 || return 0
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    _ce_as_root pg_createcluster "$version" main >/dev/null 2>&1 || true
  fi
  # Debian's cluster listens on localhost; start it unless it already runs.
  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q online; then
    _ce_as_root pg_ctlcluster "$version" main start \
      || { echo "services: PostgreSQL $version did not start"; return 0; }
  fi
  local port
  port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')

  # A role and a database for the tests only (idempotent).
  _ce_as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 <<'SQL' >/dev/null \
    || { echo "services: could not create the test role/database"; return 0; }
SELECT 'CREATE ROLE ce_tutor LOGIN PASSWORD ''ce_tutor'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ce_tutor') \gexec
SELECT 'CREATE DATABASE ce_tutor_test OWNER ce_tutor'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'ce_tutor_test') \gexec
SQL
  export CE_TUTOR_TEST_PG="postgresql://ce_tutor:ce_tutor@127.0.0.1:${port}/ce_tutor_test"
  echo "services: PostgreSQL $version on 127.0.0.1:$port (CE_TUTOR_TEST_PG)"
}

_ce_services
