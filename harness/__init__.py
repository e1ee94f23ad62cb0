"""strongly-harness: contract and load tests for the Strongly Projects / Workspaces / Volumes API."""

__version__ = "0.1.0"
