"""A run's configuration, read once and handed to every process of the run (see config.py)."""

from harness.run.config import ContractConfig, Limits, LoadConfig, LoadData, LoadStep, Profile, RunConfig, Target

__all__ = ["ContractConfig", "Limits", "LoadConfig", "LoadData", "LoadStep", "Profile", "RunConfig", "Target"]
