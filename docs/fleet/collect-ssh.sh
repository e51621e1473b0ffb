#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Collect evidence from many hosts over plain SSH and gather the archives
# into one case. For each host: a one-use signing key is made here and
# copied to the host (0600) for this collection only; the host runs
# `casefile collect` on itself; the archive is copied back; the host's key is
# shredded there; the archive is verified here against that host's public
# key and added to the case with `casefile add`. The responder's own key
# never leaves this machine and a host key signs exactly one archive.
#
#   docs/fleet/collect-ssh.sh CASE_DIR HOSTS_FILE [PROFILE]
#
# HOSTS_FILE: one ssh destination per line (user@host, or a Host of your
# ssh_config), optionally followed by a folder on that host to collect
# under instead of / (`casefile collect --root`, e.g. a mounted disk image);
# '#' starts a comment. Each host needs casefile installed (on the PATH of
# its ssh sessions). Set SSH/SCP to use other
# programs (e.g. with options for a jump host) and REMOTE_TMP for another
# scratch folder on the hosts (default /var/tmp).
set -euo pipefail
usage="usage: collect-ssh.sh CASE_DIR HOSTS_FILE [PROFILE]"
case_dir=${1:?$usage}
hosts=${2:?$usage}
profile=${3:-linux-ehr-ai-host}
SSH=${SSH:-ssh -o BatchMode=yes}
SCP=${SCP:-scp -q -o BatchMode=yes}
keys="$case_dir/host-keys"
mkdir -p "$keys"
failed=0

# The hosts file is read on fd 3: ssh and scp must not eat it from stdin.
while IFS= read -r line <&3 || [ -n "$line" ]; do
  line=${line%%#*}
  read -r dest root _ <<<"$line" || true
  [ -n "$dest" ] || continue
  name=${dest#*@}
  # Nanoseconds: two collections of one host never share a name.
  stamp=$(date -u +%Y%m%dT%H%M%S.%NZ)
  key="$keys/$name-$stamp"
  archive="$case_dir/incoming/$name-$stamp.tar.zst"
  remote="${REMOTE_TMP:-/var/tmp}/casefile-$stamp"
  mkdir -p "$case_dir/incoming"
  echo "== $name" >&2
  if casefile key generate --quiet "$key" >/dev/null &&
     $SSH "$dest" "umask 077 && mkdir -p '$remote'" &&
     $SCP "$key.key" "$dest:$remote/host.key" &&
     $SSH "$dest" "casefile collect --quiet -o '$remote/evidence.tar.zst' --key '$remote/host.key' --profile '$profile' --examiner '${USER:-responder}'${root:+ --root '$root'}; rc=\$?; shred -u '$remote/host.key' 2>/dev/null || rm -f '$remote/host.key'; exit \$rc" &&
     $SCP "$dest:$remote/evidence.tar.zst" "$archive.partial" &&
     mv "$archive.partial" "$archive" &&
     casefile verify --quiet --trust "$key.pub" "$archive" &&
     casefile add -C "$case_dir" --trust "$key.pub" "$archive"; then
    $SSH "$dest" "rm -rf '$remote'" || true
    echo "$name: added $archive" >&2
  else
    echo "$name: FAILED (nothing added)" >&2
    failed=$((failed + 1))
  fi
  # The private half has done its one job.
  rm -f "$key.key"
done 3< "$hosts" </dev/null

[ "$failed" -eq 0 ] || { echo "$failed host(s) failed" >&2; exit 1; }
