# `casefile demo --help` prints the documented synopsis on stdout.
casefile demo --help
