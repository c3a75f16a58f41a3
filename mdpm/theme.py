"""Where a site's theme is: its own `themes/<name>/` first, then mdpm's default theme.

Apart from the renderer so that `mdpm build` can tell that nothing changed without
importing Jinja.
"""

from __future__ import annotations

from pathlib import Path

import mdpm

from .errors import ConfigError

DEFAULT_THEME = "default"


def default_theme_dir() -> Path:
    """Return the built-in theme: inside the installed package, else in the repo checkout."""
    packaged = Path(mdpm.__file__).parent / "themes" / DEFAULT_THEME
    if packaged.is_dir():
        return packaged
    return Path(mdpm.__file__).parent.parent / "themes" / DEFAULT_THEME


def theme_dirs(root: Path | None, theme: str) -> list[Path]:
    """Return the theme folders to search, the site's own first, the default last."""
    dirs = []
    if root is not None and theme:
        own = root / "themes" / theme
        if own.is_dir():
            dirs.append(own)
        elif theme != DEFAULT_THEME:
            raise ConfigError(f"theme `{theme}` not found: no folder themes/{theme}/",
                              path="mdpm.toml")
    default = default_theme_dir()
    if default not in dirs:
        dirs.append(default)
    return dirs
