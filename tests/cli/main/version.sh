# --version names casefile and the libraries it runs with.
casefile --version
