"""Safe YAML loading that remembers where every value came from.

Errors must name the file, the line and the field, so each document is parsed once into a node tree
(which keeps line marks) and constructed from that same tree: no second parse on the happy path, and
the node tree answers "which line holds ``deployment.targets[1].kind``?" when validation fails.
Only ``SafeLoader`` constructors are used: YAML tags cannot create Python objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import AdvisorError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[assignment]

Loc = Sequence[str | int]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document: the plain data plus the node tree used to find line numbers."""

    path: str
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Loc, *, key: bool = False) -> int | None:
        """1-based line of the value at ``loc`` (or of its key when ``key``); nearest parent if absent."""
        node = self.root
        line = _line(node)
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
                if match is None:
                    return line
                key_node, node = match
                line = _line(key_node) if key else _line(node)
                if key and part == loc[-1]:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = _line(node)
            else:
                return line
        return line


def _line(node: yaml.Node | None) -> int | None:
    return None if node is None else node.start_mark.line + 1


def parse_yaml(text: str, path: str, error: type[AdvisorError]) -> YamlDocument:
    """Parse one YAML document from ``text``; syntax errors and duplicate keys become ``error``."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _reject_duplicate_keys(root, path, error)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(f"invalid YAML: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", path=path) from None
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, root=root)


def read_yaml(path: Path | str, error: type[AdvisorError]) -> YamlDocument:
    """Read and parse a YAML file; a missing, unreadable or non-UTF-8 file becomes ``error``."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("file not found", path=shown, hint="check the path") from None
    except IsADirectoryError:
        raise error("is a directory, expected a YAML file", path=shown) from None
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start})", path=shown) from None
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror}", path=shown) from None
    return parse_yaml(text, shown, error)


def _reject_duplicate_keys(node: yaml.Node, path: str, error: type[AdvisorError]) -> None:
    """YAML silently keeps the last of two equal keys; a spec author almost never means that."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    first = seen.setdefault(key_node.value, key_node.start_mark.line + 1)
                    if first != key_node.start_mark.line + 1:
                        raise error(
                            f"duplicate key (first defined on line {first})",
                            path=path,
                            line=key_node.start_mark.line + 1,
                            field=key_node.value,
                        )
                stack.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
