# An unknown global option is a usage error naming it.
casefile --frobnicate key
