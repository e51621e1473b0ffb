# --help prints the documented synopsis on stdout and exits 0.
casefile collect --help
