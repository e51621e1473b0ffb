# --help prints the documented synopsis on stdout and succeeds.
casefile verify --help
