"""Developer tools, never imported by the server: the benchmarks (`ballot bench`, in Python
and in headless Chromium), the test-vector writer (`ballot vectors`), the seeded random
source they use, and the simulated meeting (`ballot demo --simulate`, `ballot serve --demo`).
Only the command line and the tests import this package (an import contract keeps it so)."""
