"""Users and tags: bare strings or objects with extra keys, and duplicate tag names."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from maestoso.models import Tag, TagList, User, UserRef, tag_name, user_name
from maestoso.models.users import TagNamespace, tag_to_json

USER = TypeAdapter(UserRef)
TAGS = TypeAdapter(TagList)


class _Holder(BaseModel):
    user: UserRef | None = None
    tags: TagList | None = None


def test_user_as_a_bare_string() -> None:
    assert USER.validate_python("tester") == "tester"
    assert USER.dump_python("tester", mode="json") == "tester"


def test_user_object_without_extras_is_written_as_its_bare_name() -> None:
    user = USER.validate_python({"name": "demo"})
    assert user == "demo"
    assert _Holder(user={"name": "demo"}).model_dump(mode="json")["user"] == "demo"  # type: ignore[arg-type]


def test_user_object_keeps_its_extra_keys() -> None:
    blob = {"user": '{"username": "demo@netflix.com"}'}
    user = USER.validate_python({"name": "demo", "AUTH_BLOB": blob})
    assert isinstance(user, User)
    assert user.name == "demo"
    assert user.extras == {"AUTH_BLOB": blob}
    assert user.to_json() == {"name": "demo", "AUTH_BLOB": blob}


@pytest.mark.parametrize("data", [{"name": ""}, {"AUTH_BLOB": {}}, 42, None])
def test_user_rejects(data: Any) -> None:
    with pytest.raises(ValidationError):
        USER.validate_python(data)


def test_user_name() -> None:
    assert user_name(None) is None
    assert user_name("tester") == "tester"
    assert user_name(User(name="demo", AUTH_BLOB={})) == "demo"  # type: ignore[call-arg]


def test_tags_as_strings_and_objects_with_attributes() -> None:
    tags = TAGS.validate_python(
        ["plain", {"name": "owned", "namespace": "user_defined", "creator": "tester", "n": 1}]
    )
    assert tags[0] == "plain"
    tag = tags[1]
    assert isinstance(tag, Tag)
    assert tag.namespace is TagNamespace.USER_DEFINED
    assert tag.extras == {"creator": "tester", "n": 1}
    assert [tag_name(t) for t in tags] == ["plain", "owned"]
    assert [tag_to_json(t) for t in tags] == [
        "plain",
        {"name": "owned", "namespace": "USER_DEFINED", "creator": "tester", "n": 1},
    ]


def test_tag_object_serialises_with_its_fields_first_and_nulls_omitted() -> None:
    tag = Tag.model_validate({"zeta": True, "permit": 3, "name": "t"})
    assert list(tag.to_json()) == ["name", "permit", "zeta"]


@pytest.mark.parametrize(
    "tags",
    [
        ["a", "a"],
        ["a", {"name": "a"}],
        [{"name": "a", "namespace": "SYSTEM"}, {"name": "a", "namespace": "RUNTIME"}],
    ],
)
def test_duplicate_tag_names_are_rejected(tags: list[Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        TAGS.validate_python(tags)
    assert "duplicate tag name [a]" in str(caught.value)


def test_tag_names_are_case_sensitive() -> None:
    assert TAGS.validate_python(["a", "A"]) == ["a", "A"]


@pytest.mark.parametrize(
    "tag",
    [
        "",
        "x" * 257,
        {"name": ""},
        {"name": "x" * 257},
        {"name": "t", "permit": -1},
        {"name": "t", "namespace": "nowhere"},
        {"namespace": "SYSTEM"},
        7,
    ],
)
def test_invalid_tags_are_rejected(tag: Any) -> None:
    with pytest.raises(ValidationError):
        TAGS.validate_python([tag])


def test_tag_name_of_the_maximum_length_is_accepted() -> None:
    assert TAGS.validate_python(["x" * 256]) == ["x" * 256]


def test_namespaces_are_case_insensitive() -> None:
    for namespace in TagNamespace:
        tag = Tag.model_validate({"name": "t", "namespace": namespace.value.lower()})
        assert tag.namespace is namespace
