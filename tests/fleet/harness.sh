# SPDX-License-Identifier: Apache-2.0
#
# Test harness for fleet collection with the real engines: sourced by the
# CLI tests of tests/cli/fleet, it starts real OpenSSH servers (Debian's
# openssh-server) on loopback, one per "host", each on its own free port,
# as the current user, with a host key, an authorized_keys and an ssh client
# configuration all made for the test in the current (scratch) folder, and
# stops them by pid when the test exits. Nothing is written outside that
# folder but sshd's privilege-separation folder (/run/sshd), which sshd
# requires and which the harness creates when running as root.
#
# Each host is a folder fleet/hosts/NAME holding:
#   root/     the host's tree: its collections run with `--root` there;
#   bin/      first on the PATH of its ssh sessions (sshd's SetEnv), holding
#             the `casefile` installed on that host (a link to the binary
#             under test, $CASEFILE_BIN, unless the test puts something else);
#   sshd_config, host_ed25519(.pub), sshd.pid, sshd.log.
# The client side is fleet/ssh_config (one `Host NAME` entry per host, with
# the test's key, a private known_hosts and no host key prompts) and
# fleet/id_ed25519, so that `ssh -F fleet/ssh_config NAME` reaches a host.
#
#   fleet_start NAME...        start one sshd per NAME (sets FLEET_PORT_NAME)
#   fleet_unreachable NAME     a Host entry whose port has no server
#   fleet_stop                 stop every server started (also on EXIT)
#   fleet_inventory FILE NAME...   an Ansible inventory of those hosts
#
# Skips the test (exit 0 with a note on stderr) when sshd, ssh or (for
# fleet_need ansible) ansible-playbook are not installed, unless
# CASEFILE_FLEET_REQUIRED=1 (set by .ci/run), which makes that a failure.

FLEET=$PWD/fleet
FLEET_USER=$(id -un)
FLEET_PIDS=()
mkdir -p "$FLEET/hosts"

# fleet_need PROGRAM...: skip (or fail in CI) when a program is missing.
fleet_need() {
  local p
  for p in "$@"; do
    command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] && continue
    [ "${CASEFILE_FLEET_REQUIRED:-0}" = 1 ] && die "$p is not installed (debian-packages.txt [test])"
    echo "SKIP: $p is not installed" >&2
    exit 0
  done
}
fleet_need sshd ssh ssh-keygen

FLEET_SSHD=$(command -v sshd || echo /usr/sbin/sshd)

if [ ! -d /run/sshd ]; then
  [ "$(id -u)" = 0 ] && mkdir -p -m 0755 /run/sshd
fi

ssh-keygen -q -t ed25519 -N '' -C fleet-test -f "$FLEET/id_ed25519" || die "ssh-keygen"
cp "$FLEET/id_ed25519.pub" "$FLEET/authorized_keys"
: > "$FLEET/known_hosts"
cat > "$FLEET/ssh_config.common" <<CFG
Host *
  User $FLEET_USER
  IdentityFile $FLEET/id_ed25519
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile $FLEET/known_hosts
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR
CFG

fleet_stop() {
  local pid s
  # Ansible's persistent connections first, so that their sessions end.
  for s in "$FLEET"/ansible/cp/*; do
    [ -S "$s" ] && ssh -S "$s" -O exit fleet-host >/dev/null 2>&1 || true
  done
  for pid in "${FLEET_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  FLEET_PIDS=()
}
trap fleet_stop EXIT

# fleet_port_free PORT: nothing listens on 127.0.0.1:PORT.
fleet_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# fleet_pick_port: a port nobody listens on (the server's bind is the real
# test: fleet_start retries with another port when it fails).
fleet_pick_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    fleet_port_free "$p" && { echo "$p"; return; }
  done
}

# fleet_host_entry NAME PORT: the client's Host entry for NAME.
fleet_host_entry() {
  mkdir -p "$FLEET/ssh_hosts"
  printf 'Host %s\n  HostName 127.0.0.1\n  Port %s\n' "$1" "$2" > "$FLEET/ssh_hosts/$1"
  # Host entries before "Host *" (ssh takes each option's first value).
  { cat "$FLEET"/ssh_hosts/*; cat "$FLEET/ssh_config.common"; } > "$FLEET/ssh_config"
  printf -v "FLEET_PORT_${1//-/_}" '%s' "$2"
}

fleet_start() {
  local name d port tries pid
  for name in "$@"; do
    d=$FLEET/hosts/$name
    mkdir -p "$d/root" "$d/bin"
    [ -e "$d/bin/casefile" ] || [ -L "$d/bin/casefile" ] || ln -s "$CASEFILE_BIN" "$d/bin/casefile"
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$d/host_ed25519" || die "ssh-keygen for $name"
    for tries in 1 2 3 4 5 6 7 8; do
      port=$(fleet_pick_port)
      cat > "$d/sshd_config" <<CFG
ListenAddress 127.0.0.1:$port
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $FLEET/authorized_keys
AllowUsers $FLEET_USER
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
UseDNS no
PrintMotd no
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
SetEnv PATH=$d/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
LogLevel ERROR
CFG
      "$FLEET_SSHD" -f "$d/sshd_config" -D -e 2>>"$d/sshd.log" &
      pid=$!
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        fleet_port_free "$port" || break
        sleep 0.05
      done
      if kill -0 "$pid" 2>/dev/null && ! fleet_port_free "$port"; then
        FLEET_PIDS+=("$pid")
        echo "$pid" > "$d/pid"
        fleet_host_entry "$name" "$port"
        continue 2
      fi
      kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    done
    cat "$d/sshd.log" >&2
    die "cannot start sshd for $name"
  done
}

# fleet_unreachable NAME: a host whose port has nothing listening.
fleet_unreachable() {
  mkdir -p "$FLEET/hosts/$1/root"
  fleet_host_entry "$1" "$(fleet_pick_port)"
}

# fleet_ssh / fleet_scp: the clients with the test's configuration.
FLEET_SSH="ssh -F $FLEET/ssh_config"
FLEET_SCP="scp -q -F $FLEET/ssh_config"

# fleet_inventory FILE NAME...: an Ansible inventory (INI) of the hosts, in
# group "fleet", each with its port, user, key, collection root and the
# casefile installed there. No become: the servers run as the user the
# test connects as (and CI has no sudo).
fleet_inventory() {
  local f=$1 name var; shift
  {
    echo "[fleet]"
    for name in "$@"; do
      var=FLEET_PORT_${name//-/_}
      printf '%s ansible_host=127.0.0.1 ansible_port=%s collect_root=%s casefile=%s\n' \
        "$name" "${!var}" "$FLEET/hosts/$name/root" "$FLEET/hosts/$name/bin/casefile"
    done
    echo "[fleet:vars]"
    echo "ansible_user=$FLEET_USER"
    echo "ansible_ssh_private_key_file=$FLEET/id_ed25519"
    echo "ansible_ssh_common_args='-o UserKnownHostsFile=$FLEET/known_hosts -o StrictHostKeyChecking=no -o IdentitiesOnly=yes'"
    echo "ansible_python_interpreter=/usr/bin/python3"
    echo "ansible_become=false"
  } > "$f"
}

# fleet_tree NAME: the host's evidence: its hostname and an auth log with
# one login found on that host only (user NAME-admin).
fleet_tree() {
  local r=$FLEET/hosts/$1/root
  mkdir -p "$r/etc" "$r/var/log"
  echo "$1" > "$r/etc/hostname"
  printf 'Mar  1 10:00:00 %s sshd[4242]: Accepted publickey for %s-admin from 198.51.100.7 port 50022 ssh2\n' \
    "$1" "$1" > "$r/var/log/auth.log"
}

# fleet_forged NAME: the host's casefile signs with a key of its own instead
# of the one-use key handed over (a compromised host).
fleet_forged() {
  local d=$FLEET/hosts/$1
  "$CASEFILE_BIN" key generate --quiet "$d/other" >/dev/null || die "key for $1"
  rm -f "$d/bin/casefile"
  cat > "$d/bin/casefile" <<SH
#!/usr/bin/env bash
a=()
while [ \$# -gt 0 ]; do
  if [ "\$1" = --key ]; then a+=(--key "$d/other.key"); shift 2; else a+=("\$1"); shift; fi
done
exec "$CASEFILE_BIN" "\${a[@]}"
SH
  chmod +x "$d/bin/casefile"
}

# fleet_flip FILE: invert one byte in the middle of FILE.
fleet_flip() {
  local size off b
  size=$(stat -c %s "$1"); off=$((size / 2))
  b=$(od -An -tu1 -j "$off" -N1 "$1" | tr -d ' ')
  printf "\\$(printf %03o $((b ^ 255)))" | dd of="$1" bs=1 seek="$off" conv=notrunc status=none
}

# $FLEET/mitm-scp: scp, then one byte of a fetched archive flipped (a copy
# altered in transit). Only copies to a local *.tar.zst* file are touched.
cat > "$FLEET/mitm-scp" <<SH
#!/usr/bin/env bash
$(declare -f fleet_flip)
scp "\$@" || exit
last=\${!#}
case \$last in *:*) ;; *.tar.zst*) fleet_flip "\$last" ;; esac
SH
chmod +x "$FLEET/mitm-scp"

# fleet_ansible_env: Ansible's temporary files and control sockets in the
# scratch folder, no host key prompts, no colours.
fleet_ansible_env() {
  fleet_need ansible-playbook
  mkdir -p "$FLEET/ansible"
  export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False
  export ANSIBLE_PIPELINING=True
  export ANSIBLE_LOCAL_TEMP=$FLEET/ansible/local ANSIBLE_REMOTE_TEMP=$FLEET/ansible/remote
  export ANSIBLE_SSH_CONTROL_PATH_DIR=$FLEET/ansible/cp ANSIBLE_HOME=$FLEET/ansible/home
}
