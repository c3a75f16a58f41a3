"""mdpm: project management as code."""

__version__ = "0.1.0"

from .config import load_config as load_config  # noqa: E402
from .workspace import check as check  # noqa: E402
from .workspace import load_portfolio as load_portfolio  # noqa: E402
from .workspace import open_workspace as open_workspace  # noqa: E402
