"""A reference model of the Strongly API, built from the two documents and DECISIONS.md alone.

``state`` holds what the accepted operations produced and predicts every read, as a set of
acceptable answers where the documents leave room; ``views`` compares answers with those
predictions; ``strategies`` generates the data; ``machine`` drives a target through random
sequences, and its ``oracle`` reads every view back after each step; ``context`` is what the
phase's examples share. Nothing here knows a planted fault or imports
the reference server (tests/test_traceability.py enforces it).
"""
