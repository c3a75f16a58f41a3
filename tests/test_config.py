"""mdpm.toml: defaults, every problem reported at once with its line, exit status 2."""

from __future__ import annotations

import pytest

from mdpm.cli import run
from mdpm.config import find_root, load_config, load_config_strict, nearest, slugify
from mdpm.errors import ConfigError, sort_problems

EVERYTHING_WRONG = """\
titel = "x"
[site]
title = 5
colour = "red"

[[stage]]
id = "Back Log"
type = "queued"
wip = -1

[[stage]]
type = "active"
handof = "editor"

[[stage]]
id = "done"
type = "done"

[[stage]]
id = "done"

[limits]
per_person = "two"
stale_days = 0
expedit = 1

[people.alice]
wipp = 2
wip = "x"

[people."bad handle!"]
name = "B"

[people.Alice]
name = "Alice again"
"""


def test_defaults_without_stages(write_tree):
    root = write_tree({"mdpm.toml": "[site]\ntitle = 'T'\n"})
    config = load_config_strict(root)
    assert [(s.id, s.type) for s in config.stages] == [
        ("backlog", "queue"), ("doing", "active"), ("done", "done")]
    assert config.limits.per_person is None
    assert config.limits.stale_days == 7 and config.limits.expedite == 1
    assert config.site.title == "T"


def test_stage_types_default_by_position(write_tree):
    root = write_tree({"mdpm.toml": '[[stage]]\nid = "a"\n[[stage]]\nid = "b"\n[[stage]]\nid = "c"\n'})
    config = load_config_strict(root)
    assert [s.type for s in config.stages] == ["queue", "active", "done"]
    assert config.first_stage.id == "a" and [s.id for s in config.done_stages] == ["c"]


def test_people_are_keyed_lower_case(write_tree):
    root = write_tree({"mdpm.toml": "[limits]\nper_person = 2\n[people.Alice]\nwip = 4\n"
                                     "[people.bob]\nname = 'Bob'\n"})
    config = load_config_strict(root)
    assert config.person("ALICE").handle == "Alice"
    assert config.person_limit("alice") == 4 and config.person_limit("bob") == 2
    assert config.person("nobody") is None


def test_every_problem_is_reported_at_once_with_its_line(write_tree):
    root = write_tree({"mdpm.toml": EVERYTHING_WRONG})
    with pytest.raises(ConfigError) as info:
        load_config_strict(root)
    assert str(info.value) == "mdpm.toml has 16 errors; fix them and run again"
    assert [p.format() for p in info.value.problems] == [
        "mdpm.toml:1: error[key-unknown]: unknown key `titel` in mdpm.toml; did you mean "
        "`title` under [site]?",
        "mdpm.toml:3: error[config]: `title` in [site] must be a string",
        "mdpm.toml:4: error[key-unknown]: unknown key `colour` in [site]",
        "mdpm.toml:7: error[config]: stage id `Back Log` must be lowercase letters, digits, - "
        "and _; rename it to `back-log`",
        "mdpm.toml:8: error[config]: stage `Back Log` has type `queued`; use one of queue, "
        "active, done; did you mean `queue`?",
        "mdpm.toml:9: error[config]: `wip` in stage #1 must be a whole number >= 0, not -1",
        "mdpm.toml:11: error[config]: stage #2 has no `id`",
        "mdpm.toml:13: error[key-unknown]: unknown key `handof` in stage #2; did you mean "
        "`handoff`?",
        "mdpm.toml:19: error[config]: stage `done` is defined twice",
        "mdpm.toml:23: error[config]: `per_person` in [limits] must be a whole number >= 1, "
        "not 'two'",
        "mdpm.toml:24: error[config]: `stale_days` in [limits] must be a whole number >= 1, not 0",
        "mdpm.toml:25: error[key-unknown]: unknown key `expedit` in [limits]; did you mean "
        "`expedite`?",
        "mdpm.toml:28: error[key-unknown]: unknown key `wipp` in [people.alice]; did you mean "
        "`wip`?",
        "mdpm.toml:29: error[config]: `wip` in [people.alice] must be a whole number >= 0, not 'x'",
        "mdpm.toml:31: error[id-invalid]: handle `bad handle!` may only use ASCII letters, "
        "digits, ., - and _",
        "mdpm.toml:34: error[id-duplicate]: person `Alice` is listed twice (handles ignore case)",
    ]


def test_cli_prints_every_config_problem_and_exits_2(write_tree, capsys):
    root = write_tree({"mdpm.toml": EVERYTHING_WRONG})
    assert run(["-C", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mdpm: error: mdpm.toml has 16 errors; fix them and run again\n")
    assert err.count("mdpm.toml:") == 16
    assert "Traceback" not in err


def test_toml_syntax_error_has_line_and_column(write_tree, capsys):
    root = write_tree({"mdpm.toml": '[site]\ntitle = "x"\n[limits\n'})
    with pytest.raises(ConfigError) as info:
        load_config(root)
    assert info.value.line == 3
    assert run(["-C", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mdpm: error: mdpm.toml:3: TOML syntax error: ")
    assert "(at line 3, column 8)" in err


def test_config_not_utf8(write_tree, capsys):
    root = write_tree({"mdpm.toml": b'[site]\ntitle = "caf\xe9"\n'})
    assert run(["-C", str(root), "check"]) == 2
    assert capsys.readouterr().err == "mdpm: error: mdpm.toml:2: not UTF-8: save the file as UTF-8\n"


def test_no_config_anywhere(tmp_path, capsys):
    assert run(["-C", str(tmp_path), "check"]) == 2
    err = capsys.readouterr().err
    assert err == (f"mdpm: error: no mdpm.toml found in {tmp_path.resolve()} or above; "
                   "run `mdpm init` to make one\n")


def test_find_root_walks_up(write_tree):
    root = write_tree({"mdpm.toml": "", "content/projects/acme/a.md": "---\n---\n"})
    assert find_root(root / "content/projects/acme") == root.resolve()


def test_workflow_without_done_stage(write_tree):
    root = write_tree({"mdpm.toml": '[[stage]]\nid = "a"\ntype = "queue"\n[[stage]]\nid = "b"\n'
                                     'type = "active"\n'})
    _, problems = load_config(root)
    assert [p.format() for p in problems] == [
        "mdpm.toml:4: error[config]: the workflow has no stage of type `done`"]


def test_nearest_and_slugify():
    assert nearest("dependson", ["depends-on", "due"]) == "; did you mean `depends-on`?"
    assert nearest("zzz", ["depends-on"]) == ""
    assert slugify("Café Launch!") == "cafe-launch"
    assert slugify("***") == "item"


# --- values that end up in links and in CODEOWNERS ----------------------------------------

@pytest.mark.parametrize("value", [
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " https://x.example",
    "https://x.example/a b", "https://", "ftp://x.example", "https://x.example\"onclick=\"1",
    "//x.example/repo"])
@pytest.mark.parametrize("key", ["repo_url", "base_url"])
def test_site_urls_must_be_http_or_https(write_tree, capsys, key, value):
    toml_value = value.replace("\\", "\\\\").replace('"', '\\"')
    root = write_tree({"mdpm.toml": f'[site]\ntitle = "x"\n\n{key} = "{toml_value}"\n'})
    _, problems = load_config(root)
    assert [(p.line, p.code) for p in problems] == [(4, "config")]
    assert f"`{key}` in [site] must be an http:// or https:// URL" in problems[0].message
    assert run(["-C", str(root), "check"]) == 2
    assert f"mdpm.toml:4: error[config]: `{key}`" in capsys.readouterr().err


def test_site_urls_lose_their_trailing_slash(write_tree):
    root = write_tree({"mdpm.toml": '[site]\nrepo_url = "https://github.com/org/repo/"\n'
                                    'base_url = "HTTP://example.com/team/?x=1#top"\n'})
    config, problems = load_config(root)
    assert problems == []
    assert config.site.repo_url == "https://github.com/org/repo"
    assert config.site.base_url == "HTTP://example.com/team/?x=1#top"
    assert load_config(write_tree({"mdpm.toml": '[site]\nbase_url = ""\n'}))[0].site.base_url == ""


PEOPLE_WRONG = """\
[site]
title = "x"

[people]
ana = "Ana"
eve = 3

[people.ben]
github = "cat evil"

[people.cy]
github = "@cy-1"

[people.dee]
github = "dee\\n* @attacker"
name = "Dee\\nDoe"

[people.eli]
github = "-eli"
email = "eli@example.com\\r"

[people."fay\\n"]
name = "Fay"

[people.gus]
github = "a123456789a123456789a123456789a123456789"
"""


def test_people_values_are_checked_with_their_line(write_tree):
    root = write_tree({"mdpm.toml": PEOPLE_WRONG})
    config, problems = load_config(root)
    login = ("must be a GitHub login (letters, digits and -, at most 39, like `alice-ex`), "
             "not")
    assert [p.format() for p in sort_problems(problems)] == [
        'mdpm.toml:5: error[config]: person `ana` must be a table, not a single value: write '
        '[people.ana] with name = "Ana"',
        'mdpm.toml:6: error[config]: person `eve` must be a table, not a single value: write '
        '[people.eve] with name = "..."',
        f"mdpm.toml:9: error[config]: `github` in [people.ben] {login} 'cat evil'",
        f"mdpm.toml:15: error[config]: `github` in [people.dee] {login} 'dee\\n* @attacker'",
        "mdpm.toml:16: error[config]: `name` in [people.dee] must be one line of text, without "
        "line breaks or control characters: 'Dee\\nDoe'",
        f"mdpm.toml:19: error[config]: `github` in [people.eli] {login} '-eli'",
        "mdpm.toml:20: error[config]: `email` in [people.eli] must be one line of text, without "
        "line breaks or control characters: 'eli@example.com\\r'",
        "mdpm.toml:22: error[id-invalid]: handle `fay\\n` may only use ASCII letters, digits, "
        "., - and _",
        f"mdpm.toml:26: error[config]: `github` in [people.gus] {login} "
        "'a123456789a123456789a123456789a123456789'",
    ]
    assert config.person("cy").github == "cy-1"  # the `@` is not part of the login
    assert config.person("ben").github is None
    assert config.person("ana").name == "Ana"  # still listed: [people] is not "empty"


def test_a_person_that_is_not_a_table_stops_check(write_tree, capsys):
    root = write_tree({"mdpm.toml": '[people]\nana = "Ana"\n',
                       "content/projects/p/t.md": "---\nowner: anna\nstage: doing\n---\n"})
    assert run(["-C", str(root), "check"]) == 2
    assert "mdpm.toml:2: error[config]: person `ana` must be a table" in capsys.readouterr().err


def test_ids_and_handles_do_not_end_in_a_line_break():
    from mdpm.config import GITHUB_LOGIN_RE, HANDLE_RE, ID_RE
    for pattern, good in ((ID_RE, "draft-1"), (HANDLE_RE, "ana.b"), (GITHUB_LOGIN_RE, "ana-b")):
        assert pattern.match(good) and not pattern.match(good + "\n")
