#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Generates the collect benchmark's host tree, deterministically: the same
# bytes on every machine and every run (awk's seeded generator for text,
# AES-CTR of zeros with a fixed key for the incompressible model files).
# About 2,000 files and 1 GB (scale with SCALE=0.1 for a quick try):
#   var/log/inference/*.jsonl   JSON-lines decision logs     ~420 MB
#   var/log/syslog.*, auth.*    syslog-format logs            ~200 MB
#   etc/**                      small configuration files     ~1 MB
#   srv/mlflow/artifacts/**     incompressible model weights  ~500 MB
# Usage: gen.sh DIR
set -eu
dir=${1:?usage: gen.sh DIR}
scale=${SCALE:-1}
mkdir -p "$dir"
cd "$dir"
mkdir -p var/log/inference var/log/ehr etc/app srv/mlflow/artifacts

n_jsonl=$(awk -v s="$scale" 'BEGIN{print int(700*s+0.5)}')
n_sys=$(awk -v s="$scale" 'BEGIN{print int(500*s+0.5)}')
n_conf=$(awk -v s="$scale" 'BEGIN{print int(780*s+0.5)}')
n_model=$(awk -v s="$scale" 'BEGIN{n=int(20*s+0.5); print n<1?1:n}')

# JSON-lines decision logs: ~600 KB each
awk -v n="$n_jsonl" 'BEGIN {
  srand(42);
  for (f = 1; f <= n; f++) {
    file = sprintf("var/log/inference/decisions-%04d.jsonl", f);
    for (i = 0; i < 2400; i++) {
      t = 1772373600 + f * 3600 + i;
      printf("{\"ts\":\"2026-03-%02dT%02d:%02d:%02d.%06dZ\",\"request_id\":\"%08x-%04x\",\"model\":\"sepsis-risk\",\"version\":%d,\"patient\":\"P%07d\",\"score\":%.4f,\"decision\":\"%s\",\"latency_ms\":%d}\n",
        1 + int(t / 86400) % 28, int(t / 3600) % 24, int(t / 60) % 60, t % 60, int(rand() * 1000000),
        int(rand() * 4294967295), int(rand() * 65535), 1 + int(rand() * 3), int(rand() * 9999999),
        rand(), rand() < 0.2 ? "flag" : "pass", int(rand() * 300)) > file;
    }
    close(file);
  }
}'

# syslog and auth logs: ~400 KB each
awk -v n="$n_sys" 'BEGIN {
  srand(7);
  split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ");
  split("sshd CRON systemd nginx kernel sudo ehr-web inference", prog, " ");
  for (f = 1; f <= n; f++) {
    file = sprintf("var/log/%s.%d", f % 2 ? "syslog" : "auth.log", f);
    for (i = 0; i < 5000; i++) {
      p = prog[1 + int(rand() * 8)];
      printf("%s %2d %02d:%02d:%02d ehr-web-01 %s[%d]: %s user=u%04d from 10.%d.%d.%d port %d\n",
        mon[1 + f % 12], 1 + i % 28, int(rand() * 24), int(rand() * 60), int(rand() * 60), p,
        int(rand() * 32768), rand() < 0.1 ? "Failed password for" : "Accepted publickey for",
        int(rand() * 5000), int(rand() * 255), int(rand() * 255), int(rand() * 255),
        1024 + int(rand() * 60000)) > file;
    }
    close(file);
  }
}'

# small configuration files: ~1.5 KB each
awk -v n="$n_conf" 'BEGIN {
  srand(3);
  for (f = 1; f <= n; f++) {
    file = sprintf("etc/app/service-%04d.conf", f);
    for (i = 0; i < 60; i++)
      printf("option_%d = %d\n", i, int(rand() * 100000)) > file;
    close(file);
  }
}'

# incompressible model weights: 25 MB each
for i in $(seq 1 "$n_model"); do
  d=srv/mlflow/artifacts/1/run$i/artifacts/model
  mkdir -p "$d"
  openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
    -iv "$(printf '%032x' "$i")" -in /dev/zero 2>/dev/null | head -c 25000000 > "$d/model.safetensors" || true
  printf 'artifact_path: model\nflavors:\n  python_function: {}\n' > "$d/MLmodel"
done
