"""Client of Herald's public API (generated from docs/openapi.yaml), standard library only."""

from ._generated import *  # noqa: F401,F403
from ._generated import OPERATIONS
from ._transport import ApiResult, HeraldApiError
from .client import HeraldClient, ListWalker

__all__ = ["ApiResult", "HeraldApiError", "HeraldClient", "ListWalker", "OPERATIONS"]
__version__ = "0.1.0"
