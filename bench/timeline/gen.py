#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Deterministic benchmark input for `casefile timeline build`.

Writes N events (default 10 million) split over the log kinds a healthcare
AI host produces: FHIR AuditEvent NDJSON (40%), web access log (25%),
syslog/auth (20%) and model decision logs (15%), as files under OUT/root
with the same layout as an evidence folder. With KIND "fhir" or "sshd",
all N events are of that one kind (bench/timeline/kinds.sh). Fixed seed:
same bytes every run. usage: gen.py OUT [N [KIND]]
"""
import os
import random
import sys
import time

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
kind = sys.argv[3] if len(sys.argv) > 3 else "mix"
rnd = random.Random(20260301)
root = os.path.join(out, "root")
for d in ("var/log/ehr", "var/log/nginx", "var/lib/inference"):
    os.makedirs(os.path.join(root, d), exist_ok=True)

T0 = 1772323200  # 2026-03-01T00:00:00Z
SPAN = 30 * 86400
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TYPES = ["Patient", "Observation", "MedicationRequest", "Condition", "Encounter"]


def iso(t, us):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%06dZ" % us


def spread(k, rel):
    """Opens OUT/root/REL for writing and yields (file, i, t) for k events
    evenly spaced over SPAN seconds from T0."""
    step = SPAN / k
    with open(os.path.join(root, rel), "w") as f:
        for i in range(k):
            yield f, i, T0 + int(i * step)


def counts():
    a = n * 40 // 100
    b = n * 25 // 100
    c = n * 20 // 100
    return a, b, c, n - a - b - c


def fhir(k):
    for f, i, t in spread(k, "var/log/ehr/audit.ndjson"):
        p = rnd.randrange(200000)
        typ = TYPES[i % 5]
        ok = "0" if rnd.random() > 0.02 else "8"
        ref = "Patient/p%d" % p if typ == "Patient" else "Patient/p%d/%s" % (p, typ)
        f.write('{"resourceType":"AuditEvent","recorded":"%s","type":{"code":"rest"},'
                '"subtype":[{"code":"read"}],"action":"R","outcome":"%s","agent":[{"requestor":true,'
                '"who":{"identifier":{"value":"pract-%04d"}},"network":{"address":"10.%d.%d.%d"}}],'
                '"entity":[{"what":{"reference":"%s"}}]}\n'
                % (iso(t, i % 1000000), ok, rnd.randrange(3000), i % 256, (i >> 8) % 256,
                   rnd.randrange(256), ref))


def access(k):
    for f, i, t in spread(k, "var/log/nginx/access.log"):
        g = time.gmtime(t)
        st = 200 if rnd.random() > 0.05 else 403
        f.write('10.1.%d.%d - pract-%04d [%02d/%s/%04d:%02d:%02d:%02d +0000] "GET /fhir/Patient/p%d HTTP/1.1" %d %d "-" "ehr-ui/3.2"\n'
                % (i % 256, rnd.randrange(256), rnd.randrange(3000), g.tm_mday, MON[g.tm_mon - 1],
                   g.tm_year, g.tm_hour, g.tm_min, g.tm_sec, rnd.randrange(200000), st,
                   rnd.randrange(100, 90000)))


def auth(k):
    for f, i, t in spread(k, "var/log/auth.log"):
        g = time.gmtime(t)
        if rnd.random() > 0.3:
            msg = "Accepted publickey for pract-%04d from 10.2.%d.%d port %d ssh2" % (
                rnd.randrange(3000), i % 256, rnd.randrange(256), rnd.randrange(1024, 65535))
        else:
            msg = "Failed password for invalid user u%d from 198.51.100.%d port %d ssh2" % (
                rnd.randrange(10000), rnd.randrange(256), rnd.randrange(1024, 65535))
        f.write("%s %2d %02d:%02d:%02d ehr01 sshd[%d]: %s\n" % (
            MON[g.tm_mon - 1], g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec, 1000 + i % 30000, msg))


def decisions(k):
    for f, i, t in spread(k, "var/lib/inference/decisions.jsonl"):
        s = rnd.random()
        f.write('{"time":"%s","model":"sepsis-risk","model_version":"%d","patient":"p%d",'
                '"input_ref":"s3://features/%d","output":"%s","score":%.4f,"threshold":0.8,'
                '"user":"pract-%04d","override":null,"request_id":"r%d"}\n'
                % (iso(t, i % 1000000), 6 + (i * 2 > k), rnd.randrange(200000), i,
                   "high" if s > 0.8 else "low", s, rnd.randrange(3000), i))


if kind == "fhir":
    fhir(n)
elif kind == "sshd":
    auth(n)
else:
    a, b, c, d = counts()
    fhir(a)
    access(b)
    auth(c)
    decisions(d)
