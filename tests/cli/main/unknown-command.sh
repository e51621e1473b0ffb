# An unknown command is a usage error naming it.
casefile frobnicate --json
