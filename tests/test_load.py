"""Reading task files: encodings, front-matter fences, YAML problems and the fast path."""

from __future__ import annotations

import json
import os
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdpm import load
from mdpm.load import TaskLoader, load_documents, parse_yaml
from mdpm.simpleyaml import fast_parse

TASK = "content/projects/acme/{}.md"


def _load(write_tree, files: dict) -> tuple[dict, list]:
    root = write_tree({TASK.format(name): text for name, text in files.items()})
    docs, problems = load_documents(root)
    return {d.stem: d for d in docs}, problems


def _lines(problems) -> list[str]:
    return [p.format() for p in sorted(problems)]


def _full_yaml(text: str):
    """parse_yaml without the fast path: what TaskLoader alone gives."""
    loader = TaskLoader(text)
    try:
        node = loader.get_single_node()
        value = None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
    lines = {}
    if node is not None and hasattr(node, "value") and isinstance(node.value, list):
        lines = {str(k.value): k.start_mark.line for k, _ in node.value if hasattr(k, "value")
                 and isinstance(value, dict)}
    return value, lines


# --- encodings and fences -------------------------------------------------------------------

def test_bom_and_crlf_are_fine(write_tree):
    docs, problems = _load(write_tree, {
        "a": b"\xef\xbb\xbf---\r\ntitle: Draft\r\nstage: doing\r\nowner: alice\r\n---\r\nBody\r\n"})
    assert problems == []
    doc = docs["a"]
    assert doc.meta == {"title": "Draft", "stage": "doing", "owner": "alice"}
    assert doc.key_lines == {"title": 2, "stage": 3, "owner": 4}
    assert doc.body == "Body\n"
    assert doc.body_line == 6


def test_non_utf8_is_a_problem_on_its_line(write_tree):
    _, problems = _load(write_tree, {"a": "---\ntitle: ok\nowner: caf\xe9\n---\n".encode("latin-1")})
    assert _lines(problems) == [
        "content/projects/acme/a.md:3: error[encoding]: not UTF-8: byte 0xe9 in column 11 is "
        "not a UTF-8 character; save the file as UTF-8"]


def test_missing_front_matter(write_tree):
    docs, problems = _load(write_tree, {"a": "# Just a heading\n\ntext\n"})
    assert _lines(problems) == [
        "content/projects/acme/a.md:1: error[frontmatter]: no front-matter: the file must start "
        "with a line `---`, then the YAML keys (title, owner, stage, ...), then a closing `---`"]
    assert docs["a"].meta is None


def test_unterminated_front_matter(write_tree):
    docs, problems = _load(write_tree, {"a": "---\ntitle: x\nstage: doing\n"})
    assert _lines(problems) == [
        "content/projects/acme/a.md:1: error[frontmatter]: the front-matter is not closed: add a "
        "line `---` after the last key"]
    assert docs["a"].meta is None


def test_fences_with_trailing_spaces_and_no_body(write_tree):
    docs, problems = _load(write_tree, {"a": "---   \ntitle: x\n---  \nbody", "b": "---\ntitle: y\n---"})
    assert problems == []
    assert (docs["a"].meta, docs["a"].body) == ({"title": "x"}, "body")
    assert (docs["b"].meta, docs["b"].body) == ({"title": "y"}, "")


def test_empty_front_matter_is_an_empty_mapping(write_tree):
    docs, problems = _load(write_tree, {"a": "---\n---\nbody\n", "b": "---\n# only a comment\n---\n"})
    assert problems == []
    assert docs["a"].meta == {} and docs["b"].meta == {}


@pytest.mark.parametrize("text, line, message", [
    ("---\n- a\n- b\n---\n", 2, "the front-matter must be `key: value` lines, not a list"),
    ("---\nhello\n---\n", 2,
     "the front-matter must be `key: value` lines, not a single value ('hello')"),
])
def test_front_matter_that_is_not_a_mapping(write_tree, text, line, message):
    docs, problems = _load(write_tree, {"a": text})
    assert _lines(problems) == [f"content/projects/acme/a.md:{line}: error[frontmatter]: {message}"]
    assert docs["a"].meta is None


def test_tab_indentation(write_tree):
    _, problems = _load(write_tree, {"a": "---\ntitle: x\ntags:\n\t- a\n---\n"})
    assert _lines(problems) == [
        "content/projects/acme/a.md:4: error[frontmatter]: a tab in the front-matter: YAML "
        "indents with spaces only"]


def test_duplicate_key_points_at_the_second_one(write_tree):
    _, problems = _load(write_tree, {"a": "---\ntitle: x\nstage: doing\nowner: bob\nstage: done\n---\n"})
    assert _lines(problems) == [
        "content/projects/acme/a.md:5: error[frontmatter]: found duplicate key 'stage': each key "
        "may appear once"]


def test_unclosed_flow_list_points_at_its_line(write_tree):
    _, problems = _load(write_tree, {"a": "---\ntitle: x\nowner: [alice\nstage: doing\ndue: 2026-01-01\n---\n"})
    assert len(problems) == 1
    assert problems[0].line == 3
    assert problems[0].code == "frontmatter"


def test_colon_in_a_value_suggests_quotes(write_tree):
    _, problems = _load(write_tree, {"a": "---\ntitle: Launch: phase 2\n---\n"})
    assert _lines(problems) == [
        "content/projects/acme/a.md:2: error[frontmatter]: the front-matter is not valid YAML: "
        "mapping values are not allowed in this context (put quotes around a value that "
        "contains `: ` or ` #`)"]


def test_yaml_11_surprises_stay_strings(write_tree):
    docs, problems = _load(write_tree, {"a": (
        "---\ncountry: NO\nstage: no\nflag: on\ndue: 2026-12-01\nid: 012\nat: 10:00\n"
        "version: 1.10\nok: true\nn: 7\n---\n")})
    assert docs["a"].meta == {"country": "NO", "stage": "no", "flag": "on", "due": "2026-12-01",
                              "id": "012", "at": "10:00", "version": 1.1, "ok": True, "n": 7}


# --- sizes and file names -------------------------------------------------------------------

def test_file_over_the_size_limit(write_tree, monkeypatch):
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 1000)
    _, problems = _load(write_tree, {"a": "---\ntitle: x\n---\n" + "word " * 400})
    assert _lines(problems) == [
        "content/projects/acme/a.md:1: error[frontmatter]: the file is 2 KiB, over the 1000-byte "
        "limit for a task file; move large content elsewhere and link to it"]


def test_large_legal_body(write_tree):
    body = "".join(f"- [{'x' if i % 2 else ' '}] item {i}\n" for i in range(100_000))
    docs, problems = _load(write_tree, {"a": "---\ntitle: big\n---\n" + body})
    assert problems == []
    assert docs["a"].body == body


def test_odd_file_names_are_reported_with_a_slug(write_tree):
    root = write_tree({
        "content/projects/acme/My Task.md": "---\ntitle: x\n---\n",
        "content/projects/acme/Café.md": "---\ntitle: y\n---\n",
        "content/projects/Big Project/ok.md": "---\ntitle: z\n---\n",
    })
    _, problems = load_documents(root)
    assert _lines(problems) == [
        "content/projects/Big Project/ok.md:1: error[id-invalid]: project folder `Big Project` may "
        "only use lowercase letters, digits, - and _ (starting with a letter or digit); rename it "
        "to `big-project`",
        "content/projects/acme/Café.md:1: error[id-invalid]: task file name `Café` may only use "
        "lowercase letters, digits, - and _ (starting with a letter or digit); rename it to `cafe`",
        "content/projects/acme/My Task.md:1: error[id-invalid]: task file name `My Task` may only "
        "use lowercase letters, digits, - and _ (starting with a letter or digit); rename it to "
        "`my-task`",
    ]


def test_non_utf8_file_name_is_reported_printably(write_tree, tmp_path):
    root = write_tree({"mdpm.toml": ""})
    folder = os.path.join(os.fsencode(root), b"content", b"projects", b"acme")
    os.makedirs(folder)
    with open(os.path.join(folder, b"bad\xff.md"), "wb") as handle:
        handle.write(b"---\ntitle: x\n---\n")
    docs, problems = load_documents(root)
    assert len(docs) == 1
    assert _lines(problems) == [
        "content/projects/acme/bad\ufffd.md:1: error[id-invalid]: task file name `bad\ufffd` may "
        "only use lowercase letters, digits, - and _ (starting with a letter or digit); rename it "
        "to `bad`"]
    "\n".join(_lines(problems)).encode("utf-8")  # printable


def test_symlink_out_of_the_repository_is_not_read(write_tree, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: secret\n---\n")
    root = write_tree({"content/projects/acme/ok.md": "---\ntitle: ok\n---\n"}, root=tmp_path / "repo")
    (root / "content/projects/acme/link.md").symlink_to(outside / "secret.md")
    (root / "content/projects/acme/inside.md").symlink_to(root / "content/projects/acme/ok.md")
    (root / "content/projects/elsewhere").symlink_to(outside, target_is_directory=True)
    (root / "content/projects/same").symlink_to(root / "content/projects/acme")
    docs, problems = load_documents(root)
    assert sorted(d.ref for d in docs) == ["acme/inside", "acme/ok", "same/inside", "same/ok"]
    assert _lines(problems) == [
        "content/projects/acme/link.md:1: warning[file-skipped]: a symbolic link that leads "
        "outside the repository; it is not read",
        "content/projects/elsewhere:1: warning[file-skipped]: a symbolic link that leads "
        "outside the repository; it is not read",
        "content/projects/same/link.md:1: warning[file-skipped]: a symbolic link that leads "
        "outside the repository; it is not read"]


def test_symlink_loops_and_dangling_links_are_reported_not_followed(write_tree, tmp_path):
    root = write_tree({"content/projects/acme/ok.md": "---\ntitle: ok\n---\n"},
                      root=tmp_path / "repo")
    acme = root / "content/projects/acme"
    (acme / "loop.md").symlink_to("loop.md")
    (acme / "ping.md").symlink_to("pong.md")
    (acme / "pong.md").symlink_to("ping.md")
    (acme / "gone.md").symlink_to("missing.md")
    (root / "content/projects/circle").symlink_to("circle", target_is_directory=True)
    docs, problems = load_documents(root)
    assert [d.ref for d in docs] == ["acme/ok"]
    why = ("warning[file-skipped]: a symbolic link that cannot be followed (it loops, or what "
           "it names is missing); it is not read")
    assert _lines(problems) == [f"content/projects/{name}:1: {why}" for name in (
        "acme/gone.md", "acme/loop.md", "acme/ping.md", "acme/pong.md", "circle")]


def test_the_folders_a_walk_listed_give_what_listing_them_again_gives(write_tree, tmp_path):
    """`mdpm build` walks the content once: `discover` takes the folders as `walk` listed
    them, and `walk` finds the files `os.walk` finds, in the same order."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: secret\n---\n")
    root = write_tree({"content/projects/acme/ok.md": "---\ntitle: ok\n---\n",
                       "content/projects/acme/_index.md": "---\ntitle: Acme\n---\n",
                       "content/projects/acme/notes.txt": "not a task",
                       "content/projects/acme/img/pic.md": "in a subfolder",
                       "content/projects/acme/__pycache__/x.md": "skipped by the walk",
                       "content/projects/_drafts/d.md": "---\ntitle: d\n---\n",
                       "content/projects/beta/b.md": "---\ntitle: b\n---\n",
                       "content/projects/empty/.keep": ""}, root=tmp_path / "repo")
    projects = root / "content/projects"
    (projects / "acme/link.md").symlink_to(outside / "secret.md")
    (projects / "acme/gone.md").symlink_to("missing.md")
    (projects / "elsewhere").symlink_to(outside, target_is_directory=True)
    (projects / "same").symlink_to(projects / "acme")
    listing: dict = {}
    walked = list(load.walk(str(projects), listing))
    expected = []
    for base, folders, files in os.walk(projects):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        expected.append((base, sorted(files)))
    assert walked == expected
    assert str(projects) in listing and str(projects / "acme") in listing
    assert load.find_documents(root, listing) == load.find_documents(root)
    assert len(load.find_documents(root)[0]) == 5  # acme, beta and same (acme again)


def test_no_content_folder_and_empty_project(write_tree):
    root = write_tree({"mdpm.toml": ""})
    assert load_documents(root) == ([], [])
    (root / "content/projects/empty").mkdir(parents=True)
    assert load_documents(root) == ([], [])


def test_index_and_retro_files(write_tree):
    root = write_tree({
        "content/projects/acme/_index.md": "---\ntitle: Acme\n---\nAbout\n",
        "content/projects/acme/_retro.md": "No front-matter here.\n",
        "content/projects/acme/_notes.md": "ignored\n",
    })
    docs, problems = load_documents(root)
    assert problems == []
    assert [(d.kind, d.meta) for d in docs] == [("index", {"title": "Acme"}), ("retro", {})]


# --- the fast path gives what the full YAML loader gives -------------------------------------

@pytest.mark.parametrize("text", [
    "title: Draft the case study\nowner: alice\nstage: doing\n",
    "collaborators:\n  writer: bob\n  editor: carol\nstage: review\n",
    "depends-on:\n  - a\n  - other/b\ntags: [x, y-z, 3]\n",
    "depends-on:\n- a\n- b\n",
    "title: 'It''s here'\nsub: \"quoted: yes\"\n",
    "stage: doing   # a comment\n# a full-line comment\ndue: 2026-12-01\n",
    "a: ~\nb: null\nc:\nd: true\ne: False\nf: -1\ng: +2.5\nh: .5\ni: 1e3\nj: 012\nk: yes\n",
    "title: a, b [draft] (v2)\nurl: https://example.com/x\n",
    "tags: []\nx: -foo\n",
])
def test_fast_path_matches_yaml(text):
    fast = fast_parse(text)
    assert fast is not None
    assert fast == _full_yaml(text)


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "a: &x 1\nb: *x\n", "a: |\n  text\n", "a:\n  b:\n    c: 1\n",
    "a: [b, [c]]\n", "a: \"esc\\n\"\n", "a: b: c\n", "\ta: 1\n", "a: 'x' # c\n", "- a\n",
    "<<: {a: 1}\n", "a: !tag x\n", "a: {b: 1}\n", "a: x\n  continued\n",
])
def test_fast_path_declines_what_it_does_not_know(text):
    assert fast_parse(text) is None


_TOKENS = ["a", "b", "title", "stage", "owner", "x y", "no", "on", "true", "False", "null", "~",
           "012", "1.5", "-3", "+4", ".5", "1e3", "10:00", "2026-01-01", "'q'", "\"d\"", "'it''s'",
           "[", "]", ",", ", ", ":", ": ", " ", "  ", "-", "- ", "#", " #c", "?", "&a", "*a",
           "!", "|", ">", "%", "@", "`", "{", "}", "\n", "\n  ", "\n- ", "\t", "é", "\u2028",
           "\x85", "\ufeff", "<<", "=", "\\"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=25))
def test_fast_path_agrees_with_yaml_on_random_text(tokens):
    text = "".join(tokens)
    fast = fast_parse(text)
    if fast is None:
        return
    try:
        expected = _full_yaml(text)
    except Exception as exc:  # the fast path must not accept what YAML rejects
        raise AssertionError(f"fast path accepted invalid YAML {text!r}: {exc}") from None
    assert fast == expected, text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits + " :-[],#'\"\n.~_", max_size=80))
def test_parse_yaml_never_raises_anything_but_yaml_errors(text):
    try:
        parse_yaml(text)
    except Exception as exc:
        import yaml
        assert isinstance(exc, yaml.YAMLError)


_KEYS = st.sampled_from(["title", "owner", "stage", "tags", "due", "x", "on", "y_1", "a-b"])
_SCALARS = st.sampled_from(["alice", "Draft the brief (v2)", "no", "on", "true", "FALSE", "null",
                            "~", "", "7", "-3", "0.5", "1.", "012", "2026-01-01", "10:00",
                            "'it''s'", '"q: x"', "a, b", "-x", "x  # c", "http://e.com/a",
                            "é ü", "[a, b]", "[]", "[1, x]", "'", '"', "a:", "a: b", "#c"])


@st.composite
def _simple_front_matter(draw):
    lines = []
    for key in draw(st.lists(_KEYS, max_size=6)):
        shape = draw(st.sampled_from(["scalar", "list", "map"]))
        if shape == "scalar":
            lines.append(f"{key}: {draw(_SCALARS)}".rstrip())
        else:
            indent = " " * draw(st.integers(0 if shape == "list" else 1, 3))
            lines.append(f"{key}:")
            for value in draw(st.lists(_SCALARS, min_size=1, max_size=3)):
                lines.append(f"{indent}- {value}" if shape == "list"
                             else f"{indent}{draw(_KEYS)}: {value}")
    return "\n".join(lines) + "\n"


@settings(max_examples=250, deadline=None)
@given(_simple_front_matter())
def test_fast_path_agrees_with_yaml_on_task_like_text(text):
    fast = fast_parse(text)
    try:
        expected = _full_yaml(text)
    except Exception:
        assert fast is None, text
        return
    assert fast is None or fast == expected, text


def test_two_files_with_the_same_reference(write_tree):
    root = write_tree({"content/projects/acme/draft.md": "---\n---\n",
                       "content/projects/acme/Draft.md": "---\n---\n"})
    _, problems = load_documents(root)
    assert _lines(problems)[-1] == (
        "content/projects/acme/draft.md:1: error[id-duplicate]: `acme/draft` is also the "
        "reference of content/projects/acme/Draft.md")
    assert [p.code for p in problems] == ["id-invalid", "id-duplicate"]


def test_without_bodies_only_the_checklist_is_kept(write_tree):
    root = write_tree({TASK.format("a"): "---\ntitle: x\n---\n- [x] one\n- [ ] two\n",
                       "content/projects/acme/_index.md": "---\n---\nAbout\n"})
    docs, problems = load_documents(root, bodies=False)
    assert problems == []
    task, index = sorted(docs, key=lambda d: d.kind, reverse=True)
    assert (task.body, task.checklist) == ("", (1, 2))
    assert index.body == "About\n"


def test_cache_reuses_unchanged_files_and_rereads_changed_ones(write_tree, tmp_path):
    root = write_tree({TASK.format("a"): "---\ntitle: A\n---\nbody\n",
                       TASK.format("b"): "---\ntitle: [b\n---\n"}, root=tmp_path / "repo")
    old = 1_700_000_000_000_000_000
    for path in root.rglob("*.md"):
        os.utime(path, ns=(old, old))
    cache = tmp_path / "cache"
    first = load_documents(root, cache)
    assert (cache / load.cache_file_name("documents", root)).is_file()
    again = load_documents(root, cache)
    assert [d.__dict__ for d in again[0]] == [d.__dict__ for d in first[0]]
    assert again[1] == first[1]
    (root / TASK.format("a")).write_text("---\ntitle: New\n---\nbody\n")
    os.utime(root / TASK.format("a"), ns=(old, old + 1))
    docs, _ = load_documents(root, cache)
    assert docs[0].meta == {"title": "New"}


def test_cache_gives_checklists_without_reading_unchanged_files(write_tree, tmp_path,
                                                                monkeypatch):
    root = write_tree({TASK.format("a"): "---\ntitle: A\n---\n- [x] one\n- [ ] two\n",
                       TASK.format("b"): "---\ntitle: [b\n---\n- [ ] x\n"},
                      root=tmp_path / "repo")
    old = 1_700_000_000_000_000_000
    for path in root.rglob("*.md"):
        os.utime(path, ns=(old, old))
    cache = tmp_path / "cache"
    first = load_documents(root, cache, bodies=False)
    monkeypatch.setattr(load, "read_document", None)  # a hit must not read or parse
    monkeypatch.setattr(load, "decode", None)
    again = load_documents(root, cache, bodies=False)
    assert [d.__dict__ for d in again[0]] == [d.__dict__ for d in first[0]]
    assert again[1] == first[1] and again[1]  # the broken file's problem comes back too
    assert [d.checklist for d in again[0]] == [(1, 2), (0, 1)]


# --- anchors, aliases and tags are refused -------------------------------------------------

def _alias_bomb(levels: int = 9) -> str:
    """A few hundred bytes that stand for 9**levels strings (a "billion laughs")."""
    lines = ["---", "title: bomb", "owner: alice",
             'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join([*lines, "---", ""])


REFUSED = {
    "bomb": (_alias_bomb(), "content/projects/acme/bomb.md:4: error[frontmatter]: an anchor "
             "`&a0`: anchors and aliases are not allowed in front-matter; write the value out "
             "in full"),
    "loop": ("---\ntitle: &a [*a]\n---\n", "content/projects/acme/loop.md:2: error[frontmatter]: "
             "an anchor `&a`: anchors and aliases are not allowed in front-matter; write the "
             "value out in full"),
    "alias": ("---\ntitle: x\nowner: alice\ntags:\n  - *undefined\n---\n",
              "content/projects/acme/alias.md:5: error[frontmatter]: an alias `*undefined`: "
              "anchors and aliases are not allowed in front-matter; write the value out in full"),
    "python": ("---\ntitle: x\nstage: !!python/object/apply:os.system [ls]\n---\n",
               "content/projects/acme/python.md:3: error[frontmatter]: a tag "
               "`!!python/object/apply:os.system`: tags are not allowed in front-matter; quote "
               "the value instead"),
    "custom": ("---\ntitle: x\n\nowner: !person alice\n---\n",
               "content/projects/acme/custom.md:4: error[frontmatter]: a tag `!person`: tags are "
               "not allowed in front-matter; quote the value instead"),
}


@pytest.mark.parametrize("cached", [False, True], ids=["plain", "cached"])
def test_anchors_aliases_and_tags_are_refused_at_their_line(write_tree, tmp_path, cached):
    root = write_tree({TASK.format(name): text for name, (text, _) in REFUSED.items()},
                      root=tmp_path / "repo")
    docs, problems = load_documents(root, tmp_path / "cache" if cached else None)
    assert _lines(problems) == sorted(line for _, line in REFUSED.values())
    assert all(doc.meta is None for doc in docs)


def test_ampersands_and_stars_in_plain_text_are_fine(write_tree):
    docs, problems = _load(write_tree, {
        "a": "---\ntitle: R&D *now*, 5 * 3 & more!\nowner: \"&bob\"\ntags: ['*x', a&b]\n---\n"})
    assert problems == []
    assert docs["a"].meta == {"title": "R&D *now*, 5 * 3 & more!", "owner": "&bob",
                              "tags": ["*x", "a&b"]}


def test_every_yaml_reader_refuses_references():
    import yaml
    for text in ("a: &x 1\nb: *x\n", "a: !!str 1\n", "a: [b, c]\nd: &a [*a]\n"):
        with pytest.raises(load.RefusedYamlError):
            parse_yaml(text)
        with pytest.raises(yaml.YAMLError):
            TaskLoader(text)  # edit.py and the others build nodes with it directly


def test_cache_distrusts_a_file_with_another_inode(write_tree, tmp_path):
    root = write_tree({TASK.format("a"): "---\ntitle: A\n---\n"}, root=tmp_path / "repo")
    path = root / TASK.format("a")
    old = 1_700_000_000_000_000_000
    os.utime(path, ns=(old, old))
    cache = tmp_path / "cache"
    load_documents(root, cache)
    # Same size, same modification time, other content: only the inode tells them apart.
    other = path.with_name("other.tmp")
    other.write_text("---\ntitle: B\n---\n")
    os.utime(other, ns=(old, old))
    os.replace(other, path)
    docs, _ = load_documents(root, cache)
    assert docs[0].meta == {"title": "B"}


def test_cache_of_another_mdpm_version_is_not_used(write_tree, tmp_path, monkeypatch):
    root = write_tree({TASK.format("a"): "---\ntitle: A\n---\n"}, root=tmp_path / "repo")
    old = 1_700_000_000_000_000_000
    os.utime(root / TASK.format("a"), ns=(old, old))
    cache = tmp_path / "cache"
    load_documents(root, cache)
    file = cache / load.cache_file_name("documents", root)
    data = json.loads(file.read_text())
    assert data["header"][1] == load.__version__
    for entry in data["entries"].values():
        entry[3] = {"title": "forged"}
    file.write_text(json.dumps(data))
    assert load_documents(root, cache)[0][0].meta == {"title": "forged"}  # it is read...
    monkeypatch.setattr(load, "__version__", "0.0.0-other")
    assert load_documents(root, cache)[0][0].meta == {"title": "A"}  # ...by this version only


def test_check_keeps_its_cache_out_of_the_work_tree(git_repo, capsys, monkeypatch):
    from mdpm.cli import run
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("MDPM_CACHE_DIR", raising=False)
    git_repo.commit("add", {"mdpm.toml": '[site]\ntitle = "x"\n',
                            TASK.format("a"): "---\ntitle: A\n---\n"})
    old = 1_700_000_000_000_000_000
    os.utime(git_repo.root / TASK.format("a"), ns=(old, old))
    # A pull request commits a "cache" that hides the file's error: it is never read.
    git_repo.commit("plant", {TASK.format("a"): "---\ntitle: [A\n---\n",
                              ".mdpm-cache/documents.json": "{}"})
    assert run(["-C", str(git_repo.root), "check"]) == 1
    assert "error[frontmatter]" in capsys.readouterr().out
    cached = git_repo.root / ".git" / "mdpm-cache" / load.cache_file_name("load",
                                                                          git_repo.root)
    assert cached.is_file()
    assert git_repo.git("status", "--porcelain") == ""


def test_a_file_name_with_a_line_break_is_not_an_id(write_tree):
    _, problems = _load(write_tree, {"draft\n": "---\ntitle: x\n---\n"})
    assert [p.code for p in problems] == ["id-invalid"]


def test_cache_skips_deeply_nested_values(write_tree, tmp_path):
    depth = 990  # libyaml allows up to 1000 levels; JSON would recurse that deep
    root = write_tree({TASK.format("a"): f"---\ntitle: A\nx: {'[' * depth}{']' * depth}\n---\n"},
                      root=tmp_path / "repo")
    old = 1_700_000_000_000_000_000
    os.utime(root / TASK.format("a"), ns=(old, old))
    first = load_documents(root, tmp_path / "cache")
    again = load_documents(root, tmp_path / "cache")
    assert first[0][0].meta["title"] == again[0][0].meta["title"] == "A"
    assert first[1] == again[1] == []
