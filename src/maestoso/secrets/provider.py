"""Where secret values come from: environment variables with a prefix, files in a directory,
or any other ``SecretProvider``.

Values are read at each lookup, never cached, so a rotated file is used by the next step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from maestoso.config import Settings
from maestoso.errors import UserError

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
"""A secret's name: no slash, no leading dot (a file name in the directory, never a path)."""

PRIVATE_PREFIX = "MAESTOSO_"
"""Steps never inherit the server's variables of this prefix (see runtimes.environment)."""


class MissingSecretError(UserError):
    """A step names a secret that no provider has."""


class SecretProvider(Protocol):
    def get(self, name: str) -> str | None:
        """The value of the secret ``name``, or None when this provider has none."""
        ...


class EnvironmentSecrets:
    """``NAME`` is the variable ``<prefix>NAME``, or ``<prefix>NAME`` upper-cased with ``.``
    and ``-`` as ``_`` (``db-password`` → ``MAESTOSO_SECRET_DB_PASSWORD``)."""

    def __init__(self, prefix: str, environ: Mapping[str, str] | None = None) -> None:
        if not prefix.startswith(PRIVATE_PREFIX):
            raise ValueError(
                f"the secrets' variable prefix [{prefix}] must start with {PRIVATE_PREFIX}, "
                "so that no step inherits them"
            )
        self.prefix = prefix
        self._environ = os.environ if environ is None else environ

    def get(self, name: str) -> str | None:
        exact = self._environ.get(self.prefix + name)
        if exact is not None:
            return exact
        return self._environ.get(self.prefix + re.sub(r"[.-]", "_", name).upper())


class DirectorySecrets:
    """``NAME`` is the file ``<directory>/NAME`` (one trailing newline dropped), as Docker
    and Kubernetes mount secrets."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, name: str) -> str | None:
        if not NAME.fullmatch(name):
            return None
        try:
            text = (self.directory / name).read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        return text[:-1] if text.endswith("\n") else text


class ChainedSecrets:
    """The first provider that has the secret wins."""

    def __init__(self, providers: Sequence[SecretProvider]) -> None:
        self.providers = tuple(providers)

    def get(self, name: str) -> str | None:
        if not NAME.fullmatch(name):
            return None
        for provider in self.providers:
            value = provider.get(name)
            if value is not None:
                return value
        return None

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise MissingSecretError(
                f"the secret [{name}] is not defined on this server",
                [f"secret [{name}]: no {_where(self)} holds it"],
            )
        return value


def _where(chain: ChainedSecrets) -> str:
    kinds = []
    for provider in chain.providers:
        if isinstance(provider, EnvironmentSecrets):
            kinds.append(f"variable {provider.prefix}*")
        elif isinstance(provider, DirectorySecrets):
            kinds.append("file of the secrets directory")
        else:
            kinds.append(type(provider).__name__)
    return " nor ".join(kinds) or "provider"


def provider_from(settings: Settings) -> ChainedSecrets:
    """The providers the settings configure: the environment first, then the directory."""
    providers: list[SecretProvider] = [EnvironmentSecrets(settings.secrets_env_prefix)]
    if settings.secrets_dir is not None:
        providers.append(DirectorySecrets(settings.secrets_dir))
    return ChainedSecrets(providers)
