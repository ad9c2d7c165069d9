"""Reading template YAML while keeping the line and column of every key and value.

Templates are written by hand, so every complaint must point at the line to fix. PyYAML's SafeLoader is
subclassed to build `MarkedDict`/`MarkedList` objects that remember where each key and value came from, and
to report duplicate keys (which plain PyYAML silently overwrites). `FieldReader` reads typed fields from one
mapping and records *every* problem it finds instead of stopping at the first.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a source file."""

    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template file, in plain English, with where to find it (1-based)."""

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class TemplateError(Exception):
    """Raised when a template file has problems; `problems` lists every one found, in file order."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0, p.message))
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} found"
        super().__init__(summary + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class MarkedDict(dict):
    """A dict that remembers where it, each key and each value started in the source."""

    mark: Mark
    key_marks: dict[Any, Mark]
    value_marks: dict[Any, Mark]

    def key_mark(self, key: Any) -> Mark:
        return self.key_marks.get(key, self.mark)

    def value_mark(self, key: Any) -> Mark:
        return self.value_marks.get(key, self.key_mark(key))


class MarkedList(list):
    """A list that remembers where it and each item started in the source."""

    mark: Mark
    item_marks: list[Mark]

    def item_mark(self, index: int) -> Mark:
        return self.item_marks[index] if index < len(self.item_marks) else self.mark


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class MarkingLoader(yaml.SafeLoader):
    """SafeLoader that builds MarkedDict/MarkedList and records duplicate keys instead of overwriting."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[Mark, str]] = []

    def construct_marked_mapping(self, node: MappingNode) -> Any:
        data = MarkedDict()
        data.mark, data.key_marks, data.value_marks = _mark(node), {}, {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                self.duplicates.append((_mark(key_node), "A mapping key must be a plain value, not a list"))
                continue
            if key in data.key_marks:
                first = data.key_marks[key]
                self.duplicates.append(
                    (_mark(key_node), f"Key '{key}' appears twice in the same mapping (first on line {first.line})")
                )
                continue
            data.key_marks[key] = _mark(key_node)
            data.value_marks[key] = _mark(value_node)
            data[key] = self.construct_object(value_node, deep=True)

    def construct_marked_sequence(self, node: SequenceNode) -> Any:
        data = MarkedList()
        data.mark = _mark(node)
        data.item_marks = [_mark(child) for child in node.value]
        yield data
        data.extend(self.construct_object(child, deep=True) for child in node.value)


MarkingLoader.add_constructor("tag:yaml.org,2002:map", MarkingLoader.construct_marked_mapping)
MarkingLoader.add_constructor("tag:yaml.org,2002:seq", MarkingLoader.construct_marked_sequence)


class Reporter:
    """Collects problems for one file."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, where: Mark | None, message: str) -> None:
        self.problems.append(
            Problem(self.filename, where.line if where else None, where.column if where else None, message)
        )

    def raise_if_any(self) -> None:
        if self.problems:
            raise TemplateError(self.problems)


def parse_yaml(text: str, reporter: Reporter) -> MarkedDict | None:
    """Parse YAML text into a MarkedDict; on failure record the problem (with the parser's line) and return None."""
    try:
        loader = MarkingLoader(text)  # the reader refuses control characters here, before parsing
    except yaml.reader.ReaderError as error:
        before = text[:error.position]
        where = Mark(before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
        reporter.add(where, f"The file is not valid YAML: it contains a character that is not allowed "
                            f"(#x{error.character:04X})")
        return None
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else None
        detail = " ".join(part for part in (error.context, error.problem) if part)
        reporter.add(where, f"The file is not valid YAML: {detail}")
        return None
    except yaml.YAMLError as error:  # pragma: no cover - non-marked errors are rare
        reporter.add(None, f"The file is not valid YAML: {error}")
        return None
    except ValueError:  # a value PyYAML cannot build: a date that does not exist, a number of 4,300+ digits
        reporter.add(None, "The file is not valid YAML: a value in it cannot be read (a date that does not exist, "
                           "or a number that is too long)")
        return None
    except RecursionError:
        reporter.add(None, "The file is not valid YAML: it is nested too deeply")
        return None
    finally:
        loader.dispose()
    for where, message in loader.duplicates:
        reporter.add(where, message)
    if data is None:
        reporter.add(Mark(1, 1), "The file is empty")
        return None
    if not isinstance(data, MarkedDict):
        reporter.add(Mark(1, 1), "The file must be a mapping of keys to values at the top level")
        return None
    return data


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(key): _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return data


def content_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON form of parsed YAML: comments, layout and key order do not count."""
    canonical = json.dumps(_plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def describe(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, MarkedDict | dict):
        return "a mapping"
    if isinstance(value, MarkedList | list):
        return "a list"
    if value is None:
        return "no value"
    return str(value).lower() if isinstance(value, bool) else str(value)


def is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class FieldReader:
    """Typed access to one YAML mapping; every problem goes to the reporter, and bad fields read as None.

    `label` names the mapping in messages, e.g. "Stage 2 ('Year 2'): requirement 'cpd'".
    """

    def __init__(
        self,
        reporter: Reporter,
        data: Any,
        label: str,
        *,
        allowed: Collection[str],
        required: Collection[str] = (),
        where: Mark | None = None,
    ):
        self.reporter = reporter
        self.label = label
        if not isinstance(data, MarkedDict):
            reporter.add(where or getattr(data, "mark", None), f"{label} must be a mapping of keys to values")
            data = MarkedDict()
            data.mark, data.key_marks, data.value_marks = where or Mark(1, 1), {}, {}
        self.data: MarkedDict = data
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), list(allowed), n=1)
                advice = (
                    f"did you mean '{hint[0]}'?"
                    if hint
                    else "allowed keys are " + ", ".join(f"'{k}'" for k in sorted(allowed))
                )
                reporter.add(data.key_mark(key), f"{label} has an unknown key '{key}'; {advice}")
        for key in required:
            if key not in data:
                reporter.add(data.mark, f"{label} is missing '{key}'")

    def problem(self, key: str | None, message: str) -> None:
        self.reporter.add(self.data.value_mark(key) if key else self.data.mark, f"{self.label} {message}")

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def text(self, key: str, *, default: str | None = None) -> str | None:
        """A non-empty string (numbers are accepted and turned into text, e.g. a version 2018)."""
        if key not in self.data:
            return default
        value = self.data[key]
        if is_whole_number(value):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"has {key} {describe(value)}; it must be some text")
            return None
        return value.strip()

    def code(self, key: str = "code") -> str | None:
        value = self.text(key)
        if value is not None and not CODE_PATTERN.match(value):
            self.problem(
                key, f"has {key} '{value}'; a code may use only letters, digits, '.', '_' and '-', with no spaces"
            )
            return None
        return value

    def count(self, key: str, *, default: int | None = None, minimum: int = 1) -> int | None:
        """A whole number >= minimum; bad values are reported and read as None."""
        if key not in self.data:
            return default
        value = self.data[key]
        if not is_whole_number(value) or value < minimum:
            self.problem(key, f"has {key} {describe(value)}; it must be a whole number of {minimum} or more")
            return None
        return value

    def boolean(self, key: str, *, default: bool = False) -> bool:
        if key not in self.data:
            return default
        value = self.data[key]
        if not isinstance(value, bool):
            self.problem(key, f"has {key} {describe(value)}; it must be true or false")
            return default
        return value

    def choice(self, key: str, choices: Collection[str], *, default: str | None = None) -> str | None:
        value = self.text(key, default=None) if key in self.data else default
        if key in self.data and value is not None and value not in choices:
            self.problem(key, f"has {key} '{value}', which is not one of: " + ", ".join(sorted(choices)))
            return None
        return value

    def text_list(
        self, key: str, *, choices: Collection[str] | None = None, allow_single: bool = False
    ) -> tuple[str, ...]:
        """A list of distinct non-empty strings (or one string when allow_single); bad items are reported."""
        if key not in self.data:
            return ()
        value = self.data[key]
        if allow_single and isinstance(value, str):
            value, marks = [value], [self.data.value_mark(key)]
        elif isinstance(value, MarkedList):
            marks = [value.item_mark(i) for i in range(len(value))]
        else:
            self.problem(key, f"has {key} {describe(value)}; it must be a list")
            return ()
        items: list[str] = []
        for item, where in zip(value, marks, strict=True):
            if not isinstance(item, str) or not item.strip():
                self.reporter.add(where, f"{self.label} has {describe(item)} in {key}; each item must be some text")
            elif choices is not None and item not in choices:
                self.reporter.add(
                    where,
                    f"{self.label} has '{item}' in {key}, which is not one of: " + ", ".join(sorted(choices)),
                )
            elif item in items:
                self.reporter.add(where, f"{self.label} lists '{item}' twice in {key}")
            else:
                items.append(item.strip())
        return tuple(items)

    def item_marks(self, key: str) -> list[Mark]:
        value = self.data.get(key)
        if isinstance(value, MarkedList):
            return [value.item_mark(i) for i in range(len(value))]
        return []

    def mapping_list(self, key: str) -> list[tuple[Any, Mark]]:
        """The items of a list (of mappings, checked by the caller) with their marks."""
        if key not in self.data:
            return []
        value = self.data[key]
        if not isinstance(value, MarkedList):
            self.problem(key, f"has {key} {describe(value)}; it must be a list")
            return []
        return [(item, value.item_mark(i)) for i, item in enumerate(value)]
