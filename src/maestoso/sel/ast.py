"""The SEL syntax tree: immutable nodes that remember where they start."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class TypeRef(Node):
    """A type in a declaration or ``new``: ``int``, ``String``, ``long[]``..."""

    name: str
    is_array: bool


# Expressions


@dataclass(frozen=True, slots=True)
class Literal(Node):
    type_name: str  # LONG, DOUBLE, STRING, BOOLEAN or NULL
    value: int | float | str | bool | None


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Ternary(Node):
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True)
class Assign(Node):
    """``name op= value`` or ``name[index] op= value``."""

    name: str
    index: Expr | None
    op: str
    value: Expr


@dataclass(frozen=True, slots=True)
class Field(Node):
    target: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Call(Node):
    target: Expr
    method: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Index(Node):
    target: Expr
    index: Expr


@dataclass(frozen=True, slots=True)
class New(Node):
    """``new T(args)``."""

    type_name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class NewArray(Node):
    """``new T[size]``."""

    element: TypeRef
    size: Expr


@dataclass(frozen=True, slots=True)
class ArrayInit(Node):
    """``new T[]{e1, e2...}``."""

    element: TypeRef
    elements: tuple[Expr, ...]


Expr = (
    Literal | Name | Binary | Unary | Ternary | Assign | Field | Call | Index | New | NewArray
) | ArrayInit


# Statements


@dataclass(frozen=True, slots=True)
class ExprStmt(Node):
    expr: Expr


@dataclass(frozen=True, slots=True)
class Declare(Node):
    type: TypeRef
    names: tuple[tuple[str, Expr | None], ...]


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: Expr
    then: Stmt
    otherwise: Stmt | None


@dataclass(frozen=True, slots=True)
class While(Node):
    condition: Expr
    body: Stmt


@dataclass(frozen=True, slots=True)
class For(Node):
    init: Declare | Expr | None
    condition: Expr | None
    update: Expr | None
    body: Stmt


@dataclass(frozen=True, slots=True)
class Block(Node):
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Break(Node):
    pass


@dataclass(frozen=True, slots=True)
class Continue(Node):
    pass


@dataclass(frozen=True, slots=True)
class Return(Node):
    value: Expr


@dataclass(frozen=True, slots=True)
class Throw(Node):
    value: Expr


Stmt = ExprStmt | Declare | If | While | For | Block | Break | Continue | Return | Throw


@dataclass(frozen=True, slots=True)
class Program(Node):
    body: tuple[Stmt, ...]
