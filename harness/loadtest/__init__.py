"""The load suite's machinery: plans, recording, SLOs and the runner behind ``strongly-harness load``."""
