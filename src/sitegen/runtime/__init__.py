"""How work runs: the one process-pool module, and the garbage collector's handling."""
