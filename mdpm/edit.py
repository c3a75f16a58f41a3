"""Byte-preserving front-matter edits and atomic writes: only the changed value changes."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ContentError, Problem, UsageError
from .load import TaskLoader, parse_yaml, read_document

BOM = "\ufeff"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+")
_FENCE_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_ENDING = re.compile(r"(\r\n|\n|\r)$")


@dataclass
class _Parsed:
    """A file split into lines, with the front-matter's extent and its YAML nodes."""

    bom: str
    lines: list[str]
    """Lines with their own line endings, the BOM removed."""
    close: int
    """Index of the closing fence line."""
    newline: str
    meta: dict
    nodes: dict[str, tuple[yaml.Node, yaml.Node]]
    """Top-level key -> (key node, value node); lines are relative to the YAML text."""


def set_key(text: str, key: str, value) -> str:
    """Return `text` with front-matter `key` set to `value` (None removes the key).

    Everything else (comments, key order, quoting, blank lines, line endings, BOM and the
    body) stays as it was; a new key goes at the end of the front-matter.
    """
    parsed = _parse(text)
    if key in parsed.meta and value is not None and _same(parsed.meta[key], value):
        return text
    lines = list(parsed.lines)
    if key in parsed.nodes:
        key_node, value_node = parsed.nodes[key]
        first, last = key_node.start_mark.line + 1, _last_line(value_node) + 1
        if value is None:
            replacement = []
        else:
            replacement = _replace_lines(lines[first:last + 1], key_node, value_node, value,
                                         parsed.newline)
        lines[first:last + 1] = replacement
    elif value is not None:
        lines.insert(parsed.close, f"{_yaml_key(key)}: {render_value(value)}{parsed.newline}")
    else:
        return text
    result = parsed.bom + "".join(lines)
    _verify(parsed.meta, result, key, value)
    return result


def set_keys(text: str, values: dict) -> str:
    """Return `text` with each key of `values` set in turn."""
    for key, value in values.items():
        text = set_key(text, key, value)
    return text


def set_body(text: str, body: str) -> str:
    """Return `text` with the body after the front-matter replaced; the front-matter stays.

    The new body gets the file's own line endings and ends with one line ending.
    """
    parsed = _parse(text)
    head = parsed.bom + "".join(parsed.lines[:parsed.close + 1])
    if not head.endswith(("\n", "\r")):
        head += parsed.newline
    lines = body.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")
    return head + ("".join(line + parsed.newline for line in lines) if body.strip() else "")


def front_matter_of(text: str) -> dict:
    """Return the front-matter of a file's text as mdpm reads it (ContentError if unreadable)."""
    return _parse(text).meta


def _parse(text: str) -> _Parsed:
    bom = BOM if text.startswith(BOM) else ""
    lines = _LINE.findall(text[len(bom):])
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        raise ContentError("no front-matter (the file must start with a line `---`); not touched")
    close = next((i for i in range(1, len(lines))
                  if _FENCE_CLOSE.match(lines[i].rstrip("\r\n"))), None)
    if close is None:
        raise ContentError("the front-matter is not closed by a `---` line; not touched")
    newline = _ENDING.search(lines[0])
    newline = newline.group(1) if newline else "\n"
    yaml_text = "".join(line.rstrip("\r\n") + "\n" for line in lines[1:close])
    try:
        meta, _ = parse_yaml(yaml_text)
        nodes = _top_nodes(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise ContentError(f"the front-matter is not valid YAML{where}; not touched") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError("the front-matter is not a set of `key: value` lines; not touched")
    return _Parsed(bom, lines, close, newline, meta, nodes)


def _top_nodes(yaml_text: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    loader = TaskLoader(yaml_text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): (k, v) for k, v in node.value}


def _last_line(node: yaml.Node) -> int:
    """Return the last YAML line (0-based) that holds part of `node`."""
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style \
            and node.value:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(last, tuple) else last)
    end = node.end_mark
    line = end.line if end.column > 0 else end.line - 1
    return max(line, node.start_mark.line)


def _replace_lines(old: list[str], key_node, value_node, value, newline: str) -> list[str]:
    """Return the lines that replace a key's old lines, keeping its own style."""
    key_line = old[0]
    ending = _ENDING.search(old[-1])
    ending = ending.group(1) if ending else ""
    one_line = len(old) == 1
    start, end = value_node.start_mark, value_node.end_mark
    if one_line and start.line == end.line and start.line == key_node.start_mark.line:
        body = key_line.rstrip("\r\n")
        new = render_value(value, style=_style_of(value_node))
        head = body[:start.column]
        if start.column == end.column and not head.endswith((" ", "\t")):
            new = " " + new  # `key:` with no value yet
        return [head + new + body[end.column:] + ending]
    head = key_line[:key_node.end_mark.column]
    comment = _trailing_comment(key_line, key_node)
    block = _block_lines(old, value_node, value, newline)
    if block is not None:
        last = block[-1][:-len(newline)] + (ending or newline)
        return [f"{head}:{comment}{newline}", *block[:-1], last]
    return [f"{head}: {render_value(value)}{comment}{ending or newline}"]


def _trailing_comment(key_line: str, key_node) -> str:
    rest = key_line.rstrip("\r\n")[key_node.end_mark.column:]
    found = re.search(r"\s+#.*$", rest)
    return found.group(0) if found else ""


def _block_lines(old: list[str], value_node, value, newline: str) -> list[str] | None:
    """Render a list or mapping as a block, indented like the old block; None if not one."""
    if getattr(value_node, "flow_style", True) or not value:
        return None
    indent = " " * value_node.start_mark.column
    if isinstance(value_node, yaml.SequenceNode) and isinstance(value, (list, tuple)):
        return [f"{indent}- {render_value(v)}{newline}" for v in value]
    if isinstance(value_node, yaml.MappingNode) and isinstance(value, dict):
        return [f"{indent}{_yaml_key(k)}: {render_value(v)}{newline}" for k, v in value.items()]
    return None


def _style_of(node) -> str | None:
    return node.style if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"') else None


def render_value(value, style: str | None = None) -> str:
    """Return `value` as a one-line YAML value that mdpm reads back unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow_item(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow_item(k)}: {_flow_item(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    return _string(str(value), style)


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _string(text: str, style: str | None) -> str:
    if style == "'" and "\n" not in text and _loads(_single(text)) == text:
        return _single(text)
    if style is None and _plain_ok(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _plain_ok(text: str, flow: bool = False) -> bool:
    if not text or text != text.strip() or "\n" in text or "\r" in text or "\t" in text:
        return False
    if text[0] in "!&*|>%@`\"'{[#?:-,]}" and not (text[0] == "-" and text[1:2].isalnum()):
        return False
    if flow and any(c in text for c in ",[]{}"):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    return _loads(text) == text


def _flow_item(value) -> str:
    if isinstance(value, str):
        return value if _plain_ok(value, flow=True) else json.dumps(value, ensure_ascii=False)
    return render_value(value)


def _loads(fragment: str):
    try:
        meta, _ = parse_yaml(f"k: {fragment}\n")
    except yaml.YAMLError:
        return None
    return meta.get("k") if isinstance(meta, dict) else None


def _yaml_key(key) -> str:
    """A mapping key written so that it reads back as itself (`"true"` stays a string)."""
    if not isinstance(key, str):
        return render_value(key)
    plain = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", key) and _loads(key) == key
    return key if plain else json.dumps(key)


def _verify(old_meta: dict, new_text: str, key: str, value) -> None:
    """Refuse an edit whose result does not read back as exactly the intended change."""
    expected = dict(old_meta)
    if value is None:
        expected.pop(key, None)
    else:
        expected[key] = _normal(value)
    try:
        got = _parse(new_text).meta
    except ContentError:
        got = None
    if got != expected:
        raise ContentError(f"cannot set `{key}` here without changing other values; "
                           "edit the file by hand")


def _same(old, new) -> bool:
    """True when `new` is the value already there (1 is not true, "1" is not 1, nor are
    mapping keys: `true:` is not `"true":`)."""
    return _typed(old) == _typed(_normal(new))


def _typed(value):
    """The value with the type of every part spelt out, to compare exactly."""
    if isinstance(value, dict):
        return "map", tuple((_typed(k), _typed(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "list", tuple(_typed(v) for v in value)
    return type(value).__name__, value


def _normal(value):
    if isinstance(value, tuple):
        return [_normal(v) for v in value]
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def new_document(meta: dict, body: str = "", newline: str = "\n") -> str:
    """Return the text of a new Markdown file with `meta` as front-matter, keys in order."""
    lines = ["---"]
    for key, value in meta.items():
        if value is None or value == [] or value == {}:
            continue
        lines.append(f"{_yaml_key(key)}: {render_value(value)}")
    lines.append("---")
    text = newline.join(lines) + newline
    if body:
        text += body if body.endswith("\n") else body + "\n"
    return text


def write_atomic(path: Path, data: bytes | str, root: Path) -> Path:
    """Write `data` to `path` inside `root` atomically; refuse to leave the repository.

    A symlink is written through only when its target stays inside `root`.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    root = Path(root).resolve()
    target = _inside(Path(path), root)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return target


def _inside(path: Path, root: Path) -> Path:
    """Return the real file to write for `path`, or raise if it lies outside `root`."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    real = absolute.resolve()
    if not real.is_relative_to(root):
        shown = path.as_posix()
        raise UsageError(f"{shown}: refusing to write outside the repository ({root})")
    if real.exists() and not real.is_file():
        raise UsageError(f"{path.as_posix()}: not a regular file")
    return real


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_text(path: Path, root: Path | None = None) -> str:
    """Read a file for editing: UTF-8, keeping the BOM and line endings as they are.

    A file mdpm cannot read raises ContentError with `mdpm check`'s problems
    (`path:line: error[code]: message`, the path relative to `root`).
    """
    problems = unreadable_problems(path, root or path.parent)
    if problems:
        raise ContentError("\n".join(p.format() for p in problems) + "\n(not touched)")
    return path.read_bytes().decode("utf-8")


def unreadable_problems(path: Path, root: Path) -> list[Problem]:
    """Return why mdpm cannot read the front-matter of the file at `path` (empty if it can)."""
    doc, problems = read_document(Path(root), Path(path), Path(path).parent.name, "task")
    return [] if doc.meta is not None else problems


def update_file(path: Path, values: dict, root: Path) -> bool:
    """Set front-matter keys of the file at `path`; return False when nothing changed."""
    text = read_text(path, root)
    try:
        new = set_keys(text, values)
    except ContentError as exc:
        raise ContentError(exc.message, path=_shown(path, root)) from None
    if new == text:
        return False
    write_atomic(path, new.encode("utf-8"), root)
    return True


def _shown(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)
