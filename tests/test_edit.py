"""Byte-preserving edits: only the changed value changes, on awkward files and generated ones."""

from __future__ import annotations

import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdpm.edit import front_matter_of, set_body, set_key, update_file, write_atomic
from mdpm.errors import ContentError, UsageError

# name -> file text; each is awkward in its own way.
CORPUS = {
    "crlf": "---\r\ntitle: Draft\r\nowner: bob\r\nstage: doing\r\n---\r\nBody\r\n- [ ] x\r\n",
    "bom": "\ufeff---\ntitle: Draft\nstage: doing\n---\nBody\n",
    "bom-crlf": "\ufeff---\r\ntitle: Draft\r\nstage: doing\r\n---\r\n",
    "comments": ("---\n# leading comment\ntitle: Draft   # the title\n\nstage: doing  # moved "
                 "Monday\n# between\ntags: [a, b] # flow\n---\n# Heading\n"),
    "block-list": ("---\ntitle: Draft\ntags:\n  - one   # first\n  - two\n# after the list\n"
                   "stage: doing\ndepends-on:\n- a\n- b\n---\n"),
    "flow-list": "---\ndepends-on: [a, b]\nstage: 'doing'\ntags: [\"x y\", z]\n---\n",
    "quoted": "---\ntitle: \"Draft: the \\\"story\\\"\"\nowner: 'bob'\nstage: \"doing\"\n---\n",
    "no-newline": "---\ntitle: Draft\nstage: doing\n---\nlast line without newline",
    "no-body": "---\ntitle: Draft\nstage: doing\n---",
    "unicode": "---\ntitle: Étude — café 北京 🚀\nstage: doing\n---\nCorps du texte é\n",
    "mapping": ("---\ntitle: x\ncollaborators:\n    writer: bob   # writes\n    editor: carol\n"
                "stage: doing\n---\n"),
    "empty-value": "---\ntitle: x\ndue:\nstage:   # not yet\n---\n",
    "block-scalar": "---\ntitle: x\nnotes: |\n  line one\n  line two\nstage: doing\n---\n",
    "trailing-spaces": "---   \ntitle: x  \nstage: doing\t\n---  \nbody\n",
    "dots-close": "---\ntitle: x\nstage: doing\n...\nbody\n",
    "empty-fm": "---\n---\nbody\n",
    "tabs-in-body": "---\ntitle: x\n---\n\tcode\r\n",
}


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """Return (lines only in before, lines only in after), comparing line by line."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return a[start:len(a) - end], b[start:len(b) - end]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_setting_the_same_value_back_is_byte_identical(name):
    text = CORPUS[name]
    meta = front_matter_of(text)
    for key, value in meta.items():
        if value is not None:  # None means "remove the key"
            assert set_key(text, key, value) == text, key


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_changing_stage_changes_only_that_line(name):
    text = CORPUS[name]
    after = set_key(text, "stage", "review")
    meta = front_matter_of(after)
    assert meta["stage"] == "review"
    before_meta = front_matter_of(text)
    assert {k: v for k, v in meta.items() if k != "stage"} == \
        {k: v for k, v in before_meta.items() if k != "stage"}
    removed, added = _changed_lines(text, after)
    assert len(added) == 1 and "review" in added[0]
    assert len(removed) <= 1
    if removed:
        # the old line's comment, quoting and line ending survive
        old, new = removed[0], added[0]
        assert new.endswith(("\r\n" if old.endswith("\r\n") else "\n"))
        if "#" in old:
            assert old[old.index("#"):] == new[new.index("#"):]
        for quote in ("'", '"'):
            if f"stage: {quote}" in old:
                assert f"stage: {quote}review{quote}" in new
    assert after.startswith("\ufeff") == text.startswith("\ufeff")
    assert after.split("\n---")[-1] == text.split("\n---")[-1] or text.endswith("\n...\nbody\n")


def test_the_changed_line_keeps_its_comment_and_crlf():
    text = CORPUS["comments"].replace("\n", "\r\n")
    after = set_key(text, "stage", "review")
    assert after == text.replace("stage: doing  # moved Monday", "stage: review  # moved Monday")


def test_a_new_key_goes_at_the_end_of_the_front_matter():
    text = CORPUS["crlf"]
    after = set_key(text, "due", "2026-12-01")
    assert after == text.replace("stage: doing\r\n", "stage: doing\r\ndue: 2026-12-01\r\n")


def test_a_block_list_stays_a_block_list_with_its_indentation():
    after = set_key(CORPUS["block-list"], "depends-on", ["a", "c", "d"])
    assert "depends-on:\n- a\n- c\n- d\n---\n" in after
    after = set_key(CORPUS["block-list"], "tags", ["three"])
    assert after == CORPUS["block-list"].replace("  - one   # first\n  - two\n", "  - three\n")


def test_a_flow_list_stays_flow_and_quotes_what_needs_it():
    after = set_key(CORPUS["flow-list"], "depends-on", ["a", "b, c", "x: y"])
    assert after.startswith('---\ndepends-on: [a, "b, c", "x: y"]\n')
    assert front_matter_of(after)["depends-on"] == ["a", "b, c", "x: y"]


def test_values_that_yaml_would_misread_are_quoted():
    for value in ("no", "true", "12", "#x", "a: b", "- x", " padded", "@me", "1.5", ""):
        after = set_key(CORPUS["crlf"], "title", value)
        assert front_matter_of(after)["title"] == value, value


def test_a_mapping_is_rewritten_with_its_indentation():
    after = set_key(CORPUS["mapping"], "collaborators", {"writer": "ana", "editor": "carol"})
    assert after == CORPUS["mapping"].replace("writer: bob   # writes", "writer: ana")


def test_an_empty_value_is_filled_in_place_keeping_the_comment():
    after = set_key(CORPUS["empty-value"], "stage", "doing")
    assert after == "---\ntitle: x\ndue:\nstage: doing   # not yet\n---\n"
    after = set_key(CORPUS["empty-value"], "due", "2026-01-02")
    assert after == "---\ntitle: x\ndue: 2026-01-02\nstage:   # not yet\n---\n"


def test_none_removes_a_key_and_nothing_else():
    after = set_key(CORPUS["block-list"], "tags", None)
    assert after == CORPUS["block-list"].replace("tags:\n  - one   # first\n  - two\n", "")


@pytest.mark.parametrize("text", [
    "no front-matter\n",
    "---\ntitle: x\n",
    "---\ntitle: [unclosed\n---\n",
    "---\ntitle: a\ntitle: b\n---\n",
    "---\n- a list\n---\n",
])
def test_a_file_that_cannot_be_parsed_is_refused(text):
    with pytest.raises(ContentError, match="not touched"):
        set_key(text, "stage", "doing")


def test_update_file_leaves_an_unparsable_file_untouched(tmp_path):
    path = tmp_path / "t.md"
    path.write_bytes(b"---\ntitle: [oops\n---\n")
    with pytest.raises(ContentError):
        update_file(path, {"stage": "doing"}, tmp_path)
    assert path.read_bytes() == b"---\ntitle: [oops\n---\n"


def test_update_file_reports_an_unreadable_file_like_check(tmp_path):
    folder = tmp_path / "content/projects/p"
    folder.mkdir(parents=True)
    path = folder / "t.md"
    path.write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    with pytest.raises(ContentError) as caught:
        update_file(path, {"stage": "doing"}, tmp_path)
    message = str(caught.value)
    assert message.startswith("content/projects/p/t.md:2: error[encoding]: not UTF-8: byte 0xe9")
    assert "offset" not in message and str(tmp_path) not in message
    assert path.read_bytes() == b"---\ntitle: Caf\xe9\n---\n"


@pytest.mark.parametrize("text, body, expected", [
    ("---\r\ntitle: x  # c\r\n---\r\nold\r\n", "new, \"quoted\"\n- [ ] a\n- [x] b",
     "---\r\ntitle: x  # c\r\n---\r\nnew, \"quoted\"\r\n- [ ] a\r\n- [x] b\r\n"),
    ("\ufeff---\ntitle: x\n...\nold", "one\r\n\r\ntwo\n", "\ufeff---\ntitle: x\n...\none\n\ntwo\n"),
    ("---\ntitle: x\n---", "body", "---\ntitle: x\n---\nbody\n"),
    ("---\ntitle: x\n---\nold\n", "", "---\ntitle: x\n---\n"),
])
def test_set_body_replaces_only_the_body(text, body, expected):
    assert set_body(text, body) == expected


def test_update_file_round_trips_bytes(tmp_path):
    for name, text in CORPUS.items():
        path = tmp_path / f"{name}.md"
        data = text.encode("utf-8")
        path.write_bytes(data)
        update_file(path, {"stage": "review"}, tmp_path)
        update_file(path, {"stage": front_matter_of(text).get("stage")}, tmp_path)
        if "stage" in front_matter_of(text) and front_matter_of(text)["stage"] is not None:
            assert path.read_bytes() == data, name


def test_write_atomic_refuses_a_symlink_out_of_the_repository(tmp_path):
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    secret = outside / "secret.md"
    secret.write_text("keep\n")
    (repo / "link.md").symlink_to(secret)
    with pytest.raises(UsageError, match="outside the repository"):
        write_atomic(repo / "link.md", b"changed\n", repo)
    assert secret.read_text() == "keep\n"
    (repo / "dirlink").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UsageError):
        write_atomic(repo / "dirlink" / "new.md", b"x", repo)
    assert not (outside / "new.md").exists()


def test_write_atomic_writes_through_a_symlink_inside_the_repository(tmp_path):
    (tmp_path / "real.md").write_text("old\n")
    (tmp_path / "alias.md").symlink_to(tmp_path / "real.md")
    os.chmod(tmp_path / "real.md", 0o640)
    write_atomic(tmp_path / "alias.md", b"new\n", tmp_path)
    assert (tmp_path / "alias.md").is_symlink()
    assert (tmp_path / "real.md").read_text() == "new\n"
    assert (tmp_path / "real.md").stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# --- property-based: generated front-matters and edits ---------------------------------------

_words = st.text(alphabet=string.ascii_lowercase + "-", min_size=1, max_size=8).filter(
    lambda w: w[0] != "-")
_scalars = st.one_of(
    _words,
    st.text(alphabet=string.ascii_letters + string.digits + " :#'\"-,é北[]{}@!&*?|>%", min_size=0,
            max_size=20),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(["no", "yes", "true", "2026-12-01", "null", "~", "0x1", "1e3", "12:30"]),
)
_values = st.one_of(_scalars, st.lists(_words, max_size=3),
                    st.dictionaries(_words, _words, min_size=1, max_size=3))
_keys = st.sampled_from(["title", "owner", "stage", "due", "priority", "estimate", "tags",
                         "depends-on", "blocked", "collaborators", "notes"])


def _render_scalar(value, style: int) -> str:
    if isinstance(value, int):
        return str(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return [f'"{escaped}"', "'" + value.replace("'", "''") + "'", f'"{escaped}"'][style]


@st.composite
def documents(draw):
    """A front-matter in varied styles, with comments, blank lines, CRLF or LF, BOM or not."""
    keys = draw(st.lists(_keys, min_size=1, max_size=6, unique=True))
    lines = ["---"]
    for key in keys:
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "# a comment", "   # indented comment"])))
        value = draw(_values)
        if isinstance(value, dict):
            indent = draw(st.sampled_from(["  ", "    "]))
            if draw(st.booleans()):
                lines.append(f"{key}:  # roles")
                lines.extend(f"{indent}{k}: {v}" for k, v in value.items())
            else:
                lines.append(f"{key}: {{{', '.join(f'{k}: {v}' for k, v in value.items())}}}")
        elif isinstance(value, list):
            if draw(st.booleans()) and value:
                lines.append(f"{key}:")
                indent = draw(st.sampled_from(["", "  ", "    "]))
                lines.extend(f"{indent}- {v}" for v in value)
            else:
                lines.append(f"{key}: [{', '.join(value)}]")
        else:
            comment = draw(st.sampled_from(["", "  # why", " #x"]))
            lines.append(f"{key}: {_render_scalar(value, draw(st.integers(0, 2)))}{comment}")
    lines.append("---")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    body = draw(st.sampled_from(["", "Body", "Body\n\n- [ ] item", "é 🚀"]))
    text = newline.join(lines) + newline + body
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), _keys, _values)
def test_generated_edits_change_only_the_value(text, key, value):
    before = front_matter_of(text)
    after = set_key(text, key, value)
    expected = dict(before)
    expected[key] = value
    assert front_matter_of(after) == expected
    # Everything outside the edited key's lines is byte-identical: the body, the BOM, the
    # other keys' lines, comments and line endings.
    newline = "\r\n" if "\r\n" in text else "\n"
    fence = newline + "---" + newline
    assert after[after.index(fence):] == text[text.index(fence):]
    assert after.startswith("\ufeff") == text.startswith("\ufeff")
    removed, added = _changed_lines(text, after)
    assert all(line.endswith(newline) for line in added)
    others = [k for k in before if k != key]
    assert not any(line.startswith(f"{k}:") for line in removed for k in others)
    # Setting the old value back restores the front-matter.
    if key in before:
        restored = set_key(after, key, before[key])
        assert front_matter_of(restored) == before


@pytest.mark.parametrize("text, value", [
    ('---\ntitle: "a"\ndepends-on: {true: a, a: a}\n---\n', {"true": "a", "a": "a"}),
    ('---\ntitle: "a"\ndepends-on:  # roles\n  a: a\n---\n', {"true": "a"}),
    ('---\ntitle: "a"\ndepends-on:\n  a: a\n---\n', {"12": "a"}),
])
def test_mapping_keys_that_yaml_reads_as_other_types_are_quoted(text, value):
    after = set_key(text, "depends-on", value)
    assert front_matter_of(after)["depends-on"] == value


def test_a_boolean_key_is_written_back_as_one():
    text = '---\ntitle: "a"\ndepends-on:  # roles\n  true: a\n---\n'
    after = set_key(text, "depends-on", {"a": "a"})
    restored = set_key(after, "depends-on", {True: "a"})
    assert front_matter_of(restored)["depends-on"] == {True: "a"}
