"""Version of the conformance suite (the harness and the cases together).

It appears in every report. Bump the minor number when cases are added or
changed, the major number when the case format or the results schema changes
incompatibly.
"""

__version__ = "0.4.0"
# The adapter protocol it speaks: version 1.1 (spec/adapter-protocol.md), which
# keeps "HELLO 1" on the wire; the 1.1 additions are capabilities.
PROTOCOL = "1.1"
SUITE_NAME = "hs-conformance"
# Schema identifier written into results.json (see harness/README.md).
RESULTS_SCHEMA = "hs-conformance-results/1"
