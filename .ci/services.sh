# shellcheck shell=bash
# Sourced by .ci/run before pytest: the services the progress and SSH tests use.
#
# - openssh-server, vim (rvim), adduser, python3-venv and bubblewrap, for tests/e2e_ssh:
#   the README's class recipe as root (its own sshd on 127.0.0.1 with a
#   throwaway host key, never the system's; throwaway accounts, removed after).
# - PostgreSQL (Debian's `postgresql`) on 127.0.0.1 with a test role and
#   database; its URL is exported as CE_TUTOR_TEST_PG for tests/progress.
# - The same cluster over TLS, as the README's "Several servers, one
#   gradebook" sets it up: a throwaway CA and a server certificate for
#   127.0.0.1/localhost, `ssl = on`, and two class-server roles that may log
#   in only with `hostssl` from 127.0.0.1; their URLs (sslmode=verify-full)
#   are exported as CE_TUTOR_TEST_PG_TLS and CE_TUTOR_TEST_PG_TLS2 for
#   tests/classroom/test_two_servers.py.
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
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)   # the unit's hardening, without systemd
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
  _ce_pg_tls "$port"
}

# TLS for the test cluster: a CA of its own (never the system's), a server
# certificate for 127.0.0.1 and localhost, the README's roles and pg_hba lines.
_ce_pg_tls() {
  local port=$1 dir=/var/lib/postgresql/ce-tutor-tls conf hba
  command -v openssl >/dev/null 2>&1 || { echo "services: no openssl, so no PostgreSQL over TLS"; return 0; }
  # made again when absent or expiring within a day; the key is postgres's alone
  _ce_as_postgres bash -c '
    set -e; dir=$1; mkdir -p "$dir"; chmod 755 "$dir"; cd "$dir"
    if [ -s ca.crt ] && [ -s server.key ] && openssl x509 -checkend 86400 -noout -in server.crt; then exit 0; fi
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
      -subj "/CN=ce-tutor test CA" -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign,cRLSign -keyout ca.key -out ca.crt
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
    printf "%s\n" "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
      -extfile server.ext -out server.crt
    chmod 644 ca.crt server.crt; chmod 600 server.key ca.key
  ' _ "$dir" >/dev/null 2>&1 || { echo "services: could not make the test CA and certificate"; return 0; }

  conf=$(_ce_as_postgres psql -Atq -p "$port" -c 'SHOW config_file') && hba=$(_ce_as_postgres psql -Atq -p "$port" -c 'SHOW hba_file') \
    || { echo "services: could not find the cluster's configuration"; return 0; }
  printf "%s\n" "# .ci/services.sh: TLS for the ce-tutor tests" "ssl = on" \
    "ssl_cert_file = '$dir/server.crt'" "ssl_key_file = '$dir/server.key'" \
    | _ce_as_root tee "$(dirname "$conf")/conf.d/ce-tutor-tls.conf" >/dev/null \
    || { echo "services: could not turn on ssl"; return 0; }
  # one role per class server, members of the class's role, which owns the tables
  _ce_as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 <<'SQL' >/dev/null \
    || { echo "services: could not create the class-server roles"; return 0; }
SET client_min_messages = warning;
SELECT 'CREATE ROLE ce_tutor_class NOLOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ce_tutor_class') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD ''ce_tutor'' IN ROLE ce_tutor_class', r)
FROM unnest(ARRAY['ce_tutor_server1', 'ce_tutor_server2']) AS r
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
ALTER ROLE ce_tutor_server1 SET role = 'ce_tutor_class';
ALTER ROLE ce_tutor_server2 SET role = 'ce_tutor_class';
GRANT ce_tutor_class TO ce_tutor;
GRANT CONNECT, CREATE ON DATABASE ce_tutor_test TO ce_tutor_class;
SQL
  # first match wins: these go above the cluster's own lines
  if ! _ce_as_root grep -q '^# ce-tutor tests: class servers' "$hba"; then
    _ce_as_root sed -i '0,/^[[:space:]]*\(local\|host\)/s//# ce-tutor tests: class servers over TLS only (.ci\/services.sh)\
hostssl ce_tutor_test ce_tutor_server1,ce_tutor_server2 127.0.0.1\/32 scram-sha-256\
host    all           ce_tutor_server1,ce_tutor_server2 all          reject\
&/' "$hba" || { echo "services: could not edit $hba"; return 0; }
  fi
  _ce_as_postgres psql -Atq -p "$port" -c 'SELECT pg_reload_conf()' >/dev/null 2>&1 || true

  # these roles may log in over TLS only, so an answer here is a verified TLS connection
  local query="sslmode=verify-full&sslrootcert=$dir/ca.crt" tried=0
  until psql "postgresql://ce_tutor_server1:ce_tutor@127.0.0.1:$port/ce_tutor_test?$query" \
      -Atqc 'SELECT 1' >/dev/null 2>&1; do
    tried=$((tried + 1))
    [ "$tried" -lt 10 ] || { echo "services: PostgreSQL does not answer over TLS (verify-full); see its log"; return 0; }
    sleep 0.5
  done
  export CE_TUTOR_TEST_PG_TLS="postgresql://ce_tutor_server1:ce_tutor@127.0.0.1:${port}/ce_tutor_test?$query"
  export CE_TUTOR_TEST_PG_TLS2="postgresql://ce_tutor_server2:ce_tutor@127.0.0.1:${port}/ce_tutor_test?$query"
  echo "services: PostgreSQL over TLS, verify-full with $dir/ca.crt (CE_TUTOR_TEST_PG_TLS, CE_TUTOR_TEST_PG_TLS2)"
}

_ce_services
