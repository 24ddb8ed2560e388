"""Typed access to composed YAML nodes that reports errors with the file, line and field path."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from yaml.constructor import SafeConstructor

from bot.errors import BadInput

_TAG = "tag:yaml.org,2002:"
_CONSTRUCTOR = SafeConstructor()
ID_PATTERN = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


class PlanError(BadInput):
    """A problem in a plan file; the message reads `file:line: field.path: what is wrong`."""

    def __init__(self, file: str, line: int | None, path: str | None, message: str) -> None:
        self.file, self.line, self.path, self.message = file, line, path, message
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {path}: {message}" if path else f"{where}: {message}")


@dataclass(frozen=True)
class Field:
    """A YAML node together with its file and its field path from the document root."""

    file: str
    node: yaml.Node
    path: str

    @property
    def line(self) -> int:
        """The 1-based line where the node starts."""
        return self.node.start_mark.line + 1

    def error(self, message: str) -> PlanError:
        """A PlanError pointing at this node."""
        return PlanError(self.file, self.line, self.path or "(root)", message)

    def missing(self, key: str) -> PlanError:
        """A PlanError for a required key missing from this mapping."""
        return self._child(self.node, key).error("missing required key")

    def _child(self, node: yaml.Node, suffix: str) -> Field:
        """The field for a child node; suffix is `name` or `[i]`."""
        sep = "" if not self.path or suffix.startswith("[") else "."
        return Field(self.file, node, f"{self.path}{sep}{suffix}")

    def _kind(self) -> str:
        """A human name for the node's type."""
        if isinstance(self.node, yaml.MappingNode):
            return "a mapping"
        if isinstance(self.node, yaml.SequenceNode):
            return "a list"
        return f"{self.node.tag.removeprefix(_TAG)} {self.node.value!r}"

    def _scalar(self, tags: Iterable[str], expected: str) -> object:
        """The constructed value of a scalar node with one of the given tags."""
        if not isinstance(self.node, yaml.ScalarNode) or self.node.tag.removeprefix(_TAG) not in tags:
            raise self.error(f"expected {expected}, found {self._kind()}")
        return _CONSTRUCTOR.construct_object(self.node)

    def mapping(self, required: Iterable[str], optional: Iterable[str] = ()) -> dict[str, Field]:
        """The mapping's values by key; unknown, duplicate and missing keys are errors."""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"expected a mapping, found {self._kind()}")
        required, allowed = list(required), {*required, *optional}
        out: dict[str, Field] = {}
        for key_node, value_node in self.node.value:
            key = Field(self.file, key_node, self.path).text()
            if key not in allowed:
                raise self._child(key_node, key).error(
                    f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
            if key in out:
                raise self._child(key_node, key).error(f"duplicate key {key!r}")
            out[key] = self._child(value_node, key)
        for key in required:
            if key not in out:
                raise self.missing(key)
        return out

    def items(self) -> list[Field]:
        """The elements of a list node."""
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error(f"expected a list, found {self._kind()}")
        return [self._child(n, f"[{i}]") for i, n in enumerate(self.node.value)]

    def pairs(self) -> list[tuple[Field, Field]]:
        """The (key, value) fields of a mapping with free keys; duplicate keys are errors."""
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"expected a mapping, found {self._kind()}")
        seen: set[str] = set()
        out = []
        for key_node, value_node in self.node.value:
            key = Field(self.file, key_node, self.path)
            name = key.text()
            if name in seen:
                raise self._child(key_node, name).error(f"duplicate key {name!r}")
            seen.add(name)
            out.append((self._child(key_node, name), self._child(value_node, name)))
        return out

    def text(self, allow_empty: bool = False) -> str:
        """A string value (non-empty unless allowed)."""
        value = str(self._scalar(("str",), "a string"))
        if not allow_empty and not value.strip():
            raise self.error("must not be empty")
        return value

    def ident(self) -> str:
        """An ASCII identifier: lower-case letters and digits joined by '-' or '_'."""
        value = self.text()
        if not ID_PATTERN.fullmatch(value):
            raise self.error(f"invalid id {value!r}: use lower-case ASCII letters, digits, '-' and '_'")
        return value

    def integer(self, minimum: int | None = None) -> int:
        """An integer value, optionally at least `minimum`."""
        value = self._scalar(("int",), "an integer")
        assert isinstance(value, int)
        if minimum is not None and value < minimum:
            raise self.error(f"must be at least {minimum}, found {value}")
        return value

    def number(self, positive: bool = True) -> float:
        """A number (int or float), positive unless told otherwise."""
        value = self._scalar(("int", "float"), "a number")
        assert isinstance(value, int | float)
        if positive and not value > 0:
            raise self.error(f"must be greater than 0, found {value}")
        return float(value)

    def flag(self) -> bool:
        """A boolean value."""
        return bool(self._scalar(("bool",), "true or false"))

    def texts(self, unique: bool = True) -> list[tuple[Field, str]]:
        """A list of strings with their fields; repeats are errors unless allowed."""
        out: list[tuple[Field, str]] = []
        for item in self.items():
            value = item.text()
            if unique and value in {v for _, v in out}:
                raise item.error(f"{value!r} is listed twice")
            out.append((item, value))
        return out

    def choice(self, allowed: Iterable[str], what: str) -> str:
        """A string that must be one of `allowed`."""
        options = list(allowed)
        value = self.text()
        if value not in options:
            raise self.error(f"unknown {what} {value!r} (known: {', '.join(options)})")
        return value
