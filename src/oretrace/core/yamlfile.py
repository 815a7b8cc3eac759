"""YAML files that people write (a standard, an audit programme): read safely, and find the
line of any field so that an error can say where it is. Pure: no Django, nothing else of ours.

``load`` decodes the text, refuses what would make a small file a lot of work (aliases, the
YAML billion laughs, and deep nesting: both seen from the tokens, before anything is built),
and returns the node tree (for lines) with the data. Its ``YamlFileError`` carries the problem
and the line; each format turns it into its own error, which names the file or the field.
"""

from __future__ import annotations

from typing import Any

import yaml

# libyaml's safe loader when PyYAML was built with it (~8x faster), else the pure-Python one.
LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
)
_OPENS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)

Path = tuple[str | int, ...]


class YamlFileError(ValueError):
    """Why a text is not a YAML file we read; ``line`` counts from 1 (None: not known)."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        self.problem, self.line = problem, line
        super().__init__(problem)


def load(text: str | bytes, *, max_depth: int) -> tuple[yaml.Node | None, Any]:
    """The node tree and the data of a YAML text; ``YamlFileError`` if it is not UTF-8, not
    YAML, or holds aliases or more than ``max_depth`` levels of nesting."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlFileError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        _refuse_aliases_and_depth(text, max_depth)
        root = yaml.compose(text, Loader=LOADER)
        data = yaml.load(text, Loader=LOADER)  # noqa: S506  (a safe loader, see LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlFileError(f"not valid YAML: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise YamlFileError(f"not valid YAML: {exc}") from None
    return root, data


def _refuse_aliases_and_depth(text: str, max_depth: int) -> None:
    depth = 0
    for token in yaml.scan(text, Loader=LOADER):
        line = token.start_mark.line + 1
        if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
            raise YamlFileError("YAML anchors and aliases (&name, *name) are not allowed", line)
        if isinstance(token, _OPENS):
            depth += 1
            if depth > max_depth:
                raise YamlFileError(f"the file nests deeper than {max_depth} levels", line)
        elif isinstance(token, _CLOSES):
            depth -= 1


def dotted(path: Path) -> str:
    """``("grades", 3, "band", "min")`` → ``grades[3].band.min``."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def line_of(root: yaml.Node | None, path: Path) -> int | None:
    """The line of the deepest node the path reaches (its parent's for a missing field)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child, line = value, key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
