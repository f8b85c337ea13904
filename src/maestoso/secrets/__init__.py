"""Secrets: values a step uses that Maestoso never stores, returns or prints.

A param names a secret as ``${secret:NAME}`` anywhere in a string (a Shell ``command``, an
``env`` value, a Kubernetes ``env``, an Http header...). The reference is what is evaluated,
stored and shown; the value is looked up only when the step's runtime runs (``reveal``), from
a ``SecretProvider``, and every value a step used is masked (``Masker``) in what comes back:
its timeline, artifacts and output params, and its logs when they are read.
"""

from __future__ import annotations

from maestoso.secrets.masking import MASK, Masker, mask_window
from maestoso.secrets.provider import (
    ChainedSecrets,
    DirectorySecrets,
    EnvironmentSecrets,
    MissingSecretError,
    SecretProvider,
    provider_from,
)
from maestoso.secrets.references import referenced_secrets, reveal

__all__ = [
    "MASK",
    "ChainedSecrets",
    "DirectorySecrets",
    "EnvironmentSecrets",
    "Masker",
    "MissingSecretError",
    "SecretProvider",
    "mask_window",
    "provider_from",
    "referenced_secrets",
    "reveal",
]
