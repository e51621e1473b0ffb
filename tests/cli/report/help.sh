# `report --help` prints the synopsis of both subcommands on stdout.
casefile report --help
