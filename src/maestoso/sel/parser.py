"""A recursive-descent parser for SEL's grammar (a small subset of Java)."""

from __future__ import annotations

from maestoso.sel import ast
from maestoso.sel.errors import PARSE, SelError
from maestoso.sel.lexer import Tok, Token, tokenize
from maestoso.sel.literals import long_literal, string_literal

PRIMITIVES = frozenset({"boolean", "int", "long", "float", "double"})
ASSIGN_OPS = frozenset({"=", "*=", "/=", "%=", "+=", "-="})
MAX_NESTING = 100
"""Deepest nesting of expressions and statements; Python's own stack must never overflow."""

# Binary operators by precedence, loosest first.
_BINARY_LEVELS = ("||", "&&", "== !=", "< > <= >=", "+ -", "* / %")
_LEVEL_OF = {op: level for level, ops in enumerate(_BINARY_LEVELS) for op in ops.split()}


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    # token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def at(self, text: str) -> bool:
        tok = self.tokens[self.pos]
        return tok.text == text and tok.kind in (Tok.OP, Tok.KEYWORD)

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise self.error(f'Encountered "{self.tok.text}", was expecting "{text}"')
        return self.advance()

    def ident(self) -> Token:
        if self.tok.kind is not Tok.IDENT:
            raise self.error(f'Encountered "{self.tok.text}", was expecting an identifier')
        return self.advance()

    def error(self, message: str, tok: Token | None = None) -> SelError:
        tok = tok or self.tok
        if tok.kind is Tok.EOF:
            message = message.replace('Encountered ""', "Encountered end of input")
        return SelError(message, kind=PARSE, line=tok.line, column=tok.column)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"Expression is nested deeper than {MAX_NESTING} levels")

    # program and statements

    def program(self) -> ast.Program:
        first = self.tok
        while self.at("import"):
            self.import_declaration()
        body: list[ast.Stmt] = []
        while self.tok.kind is not Tok.EOF:
            body.append(self.block_statement())
        return ast.Program(first.line, first.column, tuple(body))

    def import_declaration(self) -> None:
        self.expect("import")
        if self.at("static"):
            self.advance()
        self.ident()
        while self.at("."):
            self.advance()
            if self.at("*"):
                self.advance()
                break
            self.ident()
        self.expect(";")

    def is_declaration(self) -> bool:
        tok = self.tok
        if not (tok.kind is Tok.IDENT or (tok.kind is Tok.KEYWORD and tok.text in PRIMITIVES)):
            return False
        offset = 1
        if self.peek(1).text == "[" and self.peek(2).text == "]":
            offset = 3
        return self.peek(offset).kind is Tok.IDENT

    def block_statement(self) -> ast.Stmt:
        if self.is_declaration():
            decl = self.declaration()
            self.expect(";")
            return decl
        return self.statement()

    def type_ref(self) -> ast.TypeRef:
        tok = self.advance()
        is_array = False
        if self.at("["):
            self.advance()
            self.expect("]")
            is_array = True
        return ast.TypeRef(tok.line, tok.column, tok.text, is_array)

    def declaration(self) -> ast.Declare:
        start = self.tok
        type_ref = self.type_ref()
        names: list[tuple[str, ast.Expr | None]] = []
        while True:
            name = self.ident().text
            value = None
            if self.at("="):
                self.advance()
                value = self.expression()
            names.append((name, value))
            if not self.at(","):
                return ast.Declare(start.line, start.column, type_ref, tuple(names))
            self.advance()

    def statement(self) -> ast.Stmt:
        self.enter()
        try:
            return self.statement_body()
        finally:
            self.depth -= 1

    def statement_body(self) -> ast.Stmt:
        tok = self.tok
        if tok.kind is Tok.KEYWORD:
            keyword = tok.text
            if keyword in ("break", "continue"):
                self.advance()
                self.expect(";")
                cls = ast.Break if keyword == "break" else ast.Continue
                return cls(tok.line, tok.column)
            if keyword in ("return", "throw"):
                self.advance()
                value = self.expression()
                self.expect(";")
                if keyword == "return":
                    return ast.Return(tok.line, tok.column, value)
                return ast.Throw(tok.line, tok.column, value)
            if keyword == "if":
                return self.if_statement()
            if keyword == "while":
                return self.while_statement()
            if keyword == "for":
                return self.for_statement()
        if self.at("{"):
            return self.block()
        expr = self.expression()
        self.expect(";")
        return ast.ExprStmt(tok.line, tok.column, expr)

    def block(self) -> ast.Block:
        start = self.expect("{")
        body: list[ast.Stmt] = []
        while not self.at("}"):
            if self.tok.kind is Tok.EOF:
                raise self.error('Encountered "", was expecting "}"')
            body.append(self.block_statement())
        self.advance()
        return ast.Block(start.line, start.column, tuple(body))

    def parenthesized(self) -> ast.Expr:
        self.expect("(")
        expr = self.expression()
        self.expect(")")
        return expr

    def if_statement(self) -> ast.If:
        start = self.expect("if")
        condition = self.parenthesized()
        then = self.statement()
        otherwise = None
        if self.at("else"):
            self.advance()
            otherwise = self.statement()
        return ast.If(start.line, start.column, condition, then, otherwise)

    def while_statement(self) -> ast.While:
        start = self.expect("while")
        condition = self.parenthesized()
        return ast.While(start.line, start.column, condition, self.statement())

    def for_statement(self) -> ast.For:
        start = self.expect("for")
        self.expect("(")
        init: ast.Declare | ast.Expr | None = None
        if not self.at(";"):
            init = self.declaration() if self.is_declaration() else self.statement_expression()
        self.expect(";")
        condition = None if self.at(";") else self.expression()
        self.expect(";")
        update = None if self.at(")") else self.statement_expression()
        self.expect(")")
        body = self.statement()
        return ast.For(start.line, start.column, init, condition, update, body)

    def statement_expression(self) -> ast.Expr:
        if self.is_assignment():
            return self.assignment()
        return self.postfix()

    # expressions

    def is_assignment(self) -> bool:
        if self.tok.kind is not Tok.IDENT:
            return False
        i = self.pos + 1
        if self.tokens[i].text == "[" and self.tokens[i].kind is Tok.OP:
            nesting = 0
            while i < len(self.tokens):
                tok = self.tokens[i]
                if tok.kind is Tok.OP and tok.text == "[":
                    nesting += 1
                elif tok.kind is Tok.OP and tok.text == "]":
                    nesting -= 1
                    if nesting == 0:
                        break
                elif tok.kind is Tok.EOF:
                    return False
                i += 1
            i += 1
        tok = self.tokens[min(i, len(self.tokens) - 1)]
        return tok.kind is Tok.OP and tok.text in ASSIGN_OPS

    def expression(self) -> ast.Expr:
        self.enter()
        try:
            if self.is_assignment():
                return self.assignment()
            return self.conditional()
        finally:
            self.depth -= 1

    def assignment(self) -> ast.Assign:
        name = self.ident()
        index = None
        if self.at("["):
            self.advance()
            index = self.expression()
            self.expect("]")
        op = self.advance().text
        value = self.expression()
        return ast.Assign(name.line, name.column, name.text, index, op, value)

    def conditional(self) -> ast.Expr:
        start = self.tok
        condition = self.binary(0)
        if not self.at("?"):
            return condition
        self.advance()
        then = self.expression()
        self.expect(":")
        otherwise = self.expression()
        return ast.Ternary(start.line, start.column, condition, then, otherwise)

    def binary(self, min_level: int) -> ast.Expr:
        # Precedence climbing: one frame per nesting level, a loop along a chain.
        left = self.unary()
        links = 0
        try:
            while True:
                tok = self.tok
                level = _LEVEL_OF.get(tok.text, -1) if tok.kind is Tok.OP else -1
                if level < min_level:
                    return left
                self.advance()
                self.enter()
                links += 1
                right = self.binary(level + 1)
                left = ast.Binary(tok.line, tok.column, tok.text, left, right)
        finally:
            self.depth -= links

    def unary(self) -> ast.Expr:
        tok = self.tok
        if tok.kind is Tok.OP and tok.text in ("-", "+", "!"):
            self.advance()
            self.enter()
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            return ast.Unary(tok.line, tok.column, tok.text, operand)
        return self.postfix()

    def postfix(self) -> ast.Expr:
        expr = self.primary()
        links = 0
        try:
            while self.at("[") or self.at("."):
                self.enter()
                links += 1
                expr = self.suffix(expr)
            return expr
        finally:
            self.depth -= links

    def suffix(self, expr: ast.Expr) -> ast.Expr:
        tok = self.advance()
        if tok.text == "[":
            index = self.expression()
            self.expect("]")
            return ast.Index(tok.line, tok.column, expr, index)
        name = self.ident()
        if self.at("("):
            return ast.Call(name.line, name.column, expr, name.text, self.arguments())
        return ast.Field(name.line, name.column, expr, name.text)

    def arguments(self) -> tuple[ast.Expr, ...]:
        self.expect("(")
        args: list[ast.Expr] = []
        if not self.at(")"):
            args.append(self.expression())
            while self.at(","):
                self.advance()
                args.append(self.expression())
        self.expect(")")
        return tuple(args)

    def primary(self) -> ast.Expr:
        tok = self.tok
        if tok.kind is Tok.IDENT:
            self.advance()
            if self.at("("):
                raise self.error(f'Encountered "(" after "{tok.text}": calls need a receiver')
            return ast.Name(tok.line, tok.column, tok.text)
        if tok.kind in (Tok.INT, Tok.FLOAT, Tok.STRING) or tok.text in ("true", "false", "null"):
            return self.literal()
        if self.at("("):
            return self.parenthesized()
        if self.at("new"):
            return self.allocation()
        raise self.error(f'Encountered "{tok.text}"')

    def literal(self) -> ast.Literal:
        tok = self.advance()
        line, column = tok.line, tok.column
        if tok.kind is Tok.INT:
            return ast.Literal(line, column, "LONG", long_literal(tok.text))
        if tok.kind is Tok.FLOAT:
            return ast.Literal(line, column, "DOUBLE", float(tok.text.rstrip("fFdD")))
        if tok.kind is Tok.STRING:
            return ast.Literal(line, column, "STRING", string_literal(tok.text))
        if tok.text == "null":
            return ast.Literal(line, column, "NULL", None)
        return ast.Literal(line, column, "BOOLEAN", tok.text == "true")

    def allocation(self) -> ast.Expr:
        start = self.expect("new")
        tok = self.tok
        primitive = tok.kind is Tok.KEYWORD and tok.text in PRIMITIVES
        if not primitive:
            self.ident()
        else:
            self.advance()
        element = ast.TypeRef(tok.line, tok.column, tok.text, False)
        if self.at("["):
            self.advance()
            if self.at("]"):
                self.advance()
                return ast.ArrayInit(start.line, start.column, element, self.array_initializer())
            size = self.expression()
            self.expect("]")
            return ast.NewArray(start.line, start.column, element, size)
        if primitive:
            raise self.error(f'Encountered "{self.tok.text}", was expecting "["')
        return ast.New(start.line, start.column, tok.text, self.arguments())

    def array_initializer(self) -> tuple[ast.Expr, ...]:
        self.expect("{")
        elements: list[ast.Expr] = []
        while not self.at("}"):
            elements.append(self.expression())
            if not self.at(","):
                break
            self.advance()
        self.expect("}")
        return tuple(elements)


def parse_program(text: str) -> ast.Program:
    """Parse an expression's text; raises SelError (``ParseException``...) with its position."""
    return Parser(text).program()
