"""A fast reader for the simple YAML most front-matter is written in.

Most front-matter is `key: value` lines, flow lists of words and one level of block list or
mapping; reading those by hand is several times faster than building PyYAML's nodes.
Anything else (escapes, anchors, tags, nesting, odd characters, duplicate keys, ...) gives
None, and the caller uses the full YAML loader, so both paths give the same values (the
tests compare them on random input). The values follow mdpm's YAML 1.2-like rules: only
true/false are booleans, decimal numbers only, no timestamps.
"""

from __future__ import annotations

import functools
import re

_NOT_SIMPLE_CHARS = ("[^\x0A\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD"
                     "\U00010000-\U0010FFFF]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_CHILD_KEY = re.compile(r"( +)([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
_ITEM = re.compile(r"( *)- +(.+)")
_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/()+-]*")
_PLAIN = re.compile(r"(?![-?:](?:\s|$))[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#]*?|[-?:][^\s#][^#]*?")
_FLOW_ITEM = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:,\[\]{}#]*|-[^\s:,\[\]{}#][^:,\[\]{}#]*")
_SPECIAL = {"null": None, "Null": None, "NULL": None, "~": None, "true": True, "True": True,
            "TRUE": True, "false": False, "False": False, "FALSE": False}
_USUAL_KEYS = frozenset(("title", "owner", "collaborators", "stage", "depends-on", "due",
                         "priority", "estimate", "blocked", "expedite", "tags", "created"))
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


class _NotSimple(Exception):
    """The text needs the full YAML parser."""


def fast_parse(yaml_text: str) -> tuple[object, dict] | None:
    """Return parse_yaml's result for simple front-matter, or None to use TaskLoader."""
    printable_ascii = yaml_text.isascii() and yaml_text.replace("\n", " ").isprintable()
    if not printable_ascii and re.search(_NOT_SIMPLE_CHARS, yaml_text):  # compiled on first use
        return None
    try:
        return _fast_mapping(yaml_text.split("\n"))
    except _NotSimple:
        return None


_CHILD = object()
_OPEN = object()


def _fast_mapping(lines: list[str]) -> tuple[dict | None, dict]:
    meta: dict = {}
    key_lines: dict = {}
    open_key = None  # a key without a value yet: block children may follow
    children: list[str] = []
    for number, line in enumerate(lines):
        parsed = _top_line(line)
        if parsed is None:
            continue
        key, value = parsed
        if key is _CHILD:
            if open_key is None:
                raise _NotSimple
            children.append(value)
            continue
        if open_key is not None:
            meta[open_key] = _thawed(_fast_block(tuple(children)))
            open_key = None
        if key in meta:
            raise _NotSimple
        key_lines[key] = number
        if value is _OPEN:
            meta[key], open_key, children = None, key, []
        else:
            meta[key] = _thawed(value)
    if open_key is not None:
        meta[open_key] = _thawed(_fast_block(tuple(children)))
    if not key_lines:
        return None, {}
    return meta, key_lines


# Front-matter lines repeat from file to file (`stage: done`, `  editor: ana`), so each
# distinct line or block is read once. Cached values are frozen (tuples) and thawed into
# fresh lists and dicts for each file, so no two tasks share a mutable value.

@functools.lru_cache(maxsize=16384)
def _top_line(line: str):
    """(key, value) of a top-level line, (_CHILD, line) for a block line, None for a blank."""
    line = _strip_comment(line) if "#" in line else line.rstrip()
    if not line:
        return None
    if line[0] == " " or line[0] == "-":
        return _CHILD, line
    key, colon, value = line.partition(":")
    if not colon or (key not in _USUAL_KEYS and (key in _SPECIAL or not _KEY.fullmatch(key))):
        raise _NotSimple
    text = value.strip()
    if not text:
        return key, _OPEN
    if value[0] != " ":
        raise _NotSimple
    if text[0].isalpha() and text not in _SPECIAL and _WORDS.fullmatch(text):
        return key, text  # the common case, inlined: words and handles
    return key, _frozen(_fast_value(text, nested=False))


class _FrozenMap(tuple):
    """A mapping's (key, value) pairs, in a cache."""


def _frozen(value):
    if type(value) is list:
        return tuple(value)
    if type(value) is dict:
        return _FrozenMap(value.items())
    return value


def _thawed(value):
    if type(value) is tuple:
        return list(value)
    if type(value) is _FrozenMap:
        return dict(value)
    return value


def _strip_comment(line: str) -> str:
    if line.lstrip().startswith("#"):
        return ""
    if "'" in line or '"' in line:
        raise _NotSimple
    cut = line.find(" #")
    if cut < 0:
        raise _NotSimple
    return line[:cut].rstrip()


@functools.lru_cache(maxsize=4096)
def _fast_block(children: tuple[str, ...]):
    """Return the (frozen) value of a block list or of a one-level mapping."""
    if not children:
        return None
    items = [_ITEM.fullmatch(c) for c in children]
    if all(items):
        if len({m.group(1) for m in items}) != 1:
            raise _NotSimple
        return tuple(_fast_value(m.group(2), nested=True) for m in items)
    pairs = [_CHILD_KEY.fullmatch(c) for c in children]
    if not all(pairs) or len({m.group(1) for m in pairs}) != 1:
        raise _NotSimple
    mapping = {}
    for m in pairs:
        key, value = m.group(2), m.group(3)
        if key in mapping or key in _SPECIAL:
            raise _NotSimple
        mapping[key] = _fast_value(value, nested=True) if value and value.strip() else None
    return _FrozenMap(mapping.items())


def _fast_value(text: str, nested: bool):
    """Return the value of one scalar (or, at the top level, a flow list of scalars)."""
    first = text[0]
    if _WORDS.fullmatch(text):  # the common case: words, handles, dates
        if first.isdigit():
            return _fast_scalar(text)
        return _SPECIAL[text] if text in _SPECIAL else text
    if first == "[" and not nested:
        if text[-1] != "]":
            raise _NotSimple
        inner = text[1:-1].strip()
        if not inner:
            return []
        items = [item.strip() for item in inner.split(",")]
        if not all(_FLOW_ITEM.fullmatch(item) for item in items):
            raise _NotSimple
        return [_fast_scalar(item) for item in items]
    if first == '"':
        if len(text) < 2 or text[-1] != '"' or "\\" in text or '"' in text[1:-1]:
            raise _NotSimple
        return text[1:-1]
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _NotSimple
        return inner.replace("''", "'")
    if not _PLAIN.fullmatch(text) or ": " in text or text[-1] == ":":
        raise _NotSimple
    return _fast_scalar(text)


def _fast_scalar(text: str):
    if text in _SPECIAL:
        return _SPECIAL[text]
    if text[0] in "-+.0123456789":
        if _INT.fullmatch(text):
            return int(text)
        if _FLOAT.fullmatch(text):
            return float(text)
    if text == "<<" or text == "=":
        raise _NotSimple
    return text
