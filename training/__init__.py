"""Geo-R training: datasets, Chain-of-Region supervision, SFT then GRPO (TRL), evaluation.

Arrives with the training issue; may import torch (the ``train`` extra)."""
