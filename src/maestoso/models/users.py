"""Users and tags: each accepts a bare string or an object with extra keys."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field

from maestoso.models.base import CaseInsensitiveEnum, OpenMaestroModel
from maestoso.models.naming import check_name


class User(OpenMaestroModel):
    """A user; extra keys (e.g. ``AUTH_BLOB``) are kept."""

    name: str = Field(min_length=1)


def _bare_name(user: User | str) -> User | str:
    # Maestro writes a user without extra information as its bare name.
    return user.name if isinstance(user, User) and not user.extras else user


UserRef = Annotated[User | str, AfterValidator(_bare_name)]
"""A user as Maestro writes it: a bare name, or an object with extra information."""


def user_name(user: UserRef | None) -> str | None:
    if user is None or isinstance(user, str):
        return user
    return user.name


class TagNamespace(CaseInsensitiveEnum):
    SYSTEM = "SYSTEM"
    RUNTIME = "RUNTIME"
    JOB_TEMPLATE = "JOB_TEMPLATE"
    NOTEBOOK_TEMPLATE = "NOTEBOOK_TEMPLATE"
    USER_DEFINED = "USER_DEFINED"
    PLATFORM = "PLATFORM"


class Tag(OpenMaestroModel):
    """A tag; extra keys are its attributes."""

    name: Annotated[str, AfterValidator(check_name)]
    namespace: TagNamespace | None = None
    permit: int | None = Field(default=None, ge=0)


def _unique_tags(tags: list[Tag | str]) -> list[Tag | str]:
    seen: set[str] = set()
    for tag in tags:
        name = tag if isinstance(tag, str) else tag.name
        if name in seen:
            raise ValueError(f"duplicate tag name [{name}]")
        seen.add(name)
    return tags


TagList = Annotated[
    list[Annotated[str, AfterValidator(check_name)] | Tag], AfterValidator(_unique_tags)
]


def tag_name(tag: Tag | str) -> str:
    return tag if isinstance(tag, str) else tag.name


def tag_to_json(tag: Tag | str) -> Any:
    return tag if isinstance(tag, str) else tag.to_json()
