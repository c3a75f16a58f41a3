"""The full YAML reader, for front-matter the fast path declines (imported only then).

PyYAML's C loader, with YAML 1.2-like scalars and no anchors, aliases, tags or duplicate
keys. Importing PyYAML and building its resolvers is a noticeable part of a short run, so
`mdpm.load` imports this module only when a file needs it.
"""

from __future__ import annotations

import re

import yaml

YAMLError = yaml.YAMLError

# YAML 1.2-like scalars: only true/false are booleans, no timestamps, decimal numbers
# only, so `no`, `on`, `012`, `10:00` and dates stay the strings the author typed.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DROPPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp",
            "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class RefusedYamlError(yaml.MarkedYAMLError):
    """YAML that is valid but not accepted in front-matter: an anchor, an alias or a tag."""


_REFUSED_TOKENS = {
    yaml.AnchorToken: "an anchor `&{:.40}`",
    yaml.AliasToken: "an alias `*{:.40}`",
}
# Where an anchor, alias or tag can begin: at the start of a line or after a space or a
# flow indicator. `R&D` cannot hold one, so most text skips the token scan.
_MAYBE_REFERENCE = re.compile(r"(?:^|[\s\[\]{},:])[&*!]", re.MULTILINE)


def refuse_references(yaml_text: str) -> None:
    """Raise RefusedYamlError at the first anchor, alias or tag of a YAML text.

    An alias lets a few hundred bytes stand for billions of values, or for a value that
    contains itself; a tag names a type to build. Front-matter needs neither, so both are
    refused on the token stream, before anything is built.
    """
    if not _MAYBE_REFERENCE.search(yaml_text):
        return
    scanner = _Base(yaml_text)
    try:
        while (token := scanner.get_token()) is not None:
            if isinstance(token, yaml.TagToken):
                tag = "".join(part or "" for part in token.value)
                raise RefusedYamlError(None, None, f"a tag `{tag:.40}`: tags are not allowed "
                                       "in front-matter; quote the value instead",
                                       token.start_mark)
            refused = _REFUSED_TOKENS.get(type(token))
            if refused is not None:
                raise RefusedYamlError(None, None, f"{refused.format(token.value)}: "
                                       "anchors and aliases are not allowed in front-matter; "
                                       "write the value out in full", token.start_mark)
    except RefusedYamlError:
        raise
    except yaml.YAMLError:
        return  # a syntax error: the parser reports it, before reaching any later alias
    finally:
        scanner.dispose()


class TaskLoader(_Base):
    """A safe YAML loader without YAML 1.1 surprises, rejecting duplicate keys.

    It refuses anchors, aliases and tags (RefusedYamlError) as soon as it is made.
    """

    def __init__(self, stream):
        if hasattr(stream, "read"):
            stream = stream.read()
        if isinstance(stream, bytes):
            stream = stream.decode("utf-8-sig")
        refuse_references(stream)
        super().__init__(stream)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"found duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


TaskLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
TaskLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
TaskLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
TaskLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"), list("-+0123456789."))


def parse(yaml_text: str) -> tuple[object, dict]:
    """Return (value, {top-level key: 0-based line}) for any YAML document."""
    loader = TaskLoader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        value = loader.construct_document(node)
    finally:
        loader.dispose()
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line
    return value, key_lines
