"""The public API client: one typed method per operation (generated from docs/openapi.yaml
into _GeneratedOperations), bearer API key auth, the tenant addressed by host, and walkers
over the cursor-paginated lists."""

from typing import Any, Callable, Generic, Iterator, Mapping, Optional, TypeVar

from ._generated import PublicEvent, _GeneratedOperations
from ._transport import ApiResult, Transport

T = TypeVar("T")


class ListWalker(Generic[T]):
    """Iterates every item of a cursor-paginated list, page by page.

    In oldest-first order the last page still carries a ``next_cursor`` (with
    ``has_more`` false): after a walk, ``cursor`` is where to resume later to get only what
    came since. A walk left in the middle of a page resumes at that page, so items can
    repeat, never be skipped; dedupe on ``id``.
    """

    def __init__(self, fetch_page: Callable[[Optional[str]], ApiResult[Any]], cursor: Optional[str] = None) -> None:
        self._fetch_page = fetch_page
        self.cursor = cursor

    def pages(self) -> Iterator[ApiResult[Any]]:
        while True:
            page = self._fetch_page(self.cursor)
            next_cursor = page.meta.get("next_cursor")
            yield page
            if next_cursor is not None:
                self.cursor = next_cursor
            if not page.meta.get("has_more") or next_cursor is None:
                return

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.data


class HeraldClient(_GeneratedOperations):
    """``HeraldClient("http://demo.localhost:3000", api_key="mc_live_…")``.

    ``host=`` sends that Host instead of the base URL's (the tenant is its first label);
    ``retry_rate_limited=True`` waits out ``Retry-After`` on 429 (up to ``max_retries``).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        host: Optional[str] = None,
        retry_rate_limited: bool = False,
        max_retries: int = 2,
        max_wait_seconds: float = 60,
        timeout: float = 30,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        self._transport = Transport(
            base_url,
            api_key,
            host=host,
            retry_rate_limited=retry_rate_limited,
            max_retries=max_retries,
            max_wait_seconds=max_wait_seconds,
            timeout=timeout,
            headers=headers,
        )

    def walk_events(self, *, cursor: Optional[str] = None, **filters: Any) -> "ListWalker[PublicEvent]":
        """Every event matching ``filters`` (type, since, until, order, limit), oldest first.

        Pass a saved ``cursor`` (a walker's ``cursor`` after an earlier walk) to get only what
        came since.
        """
        return ListWalker(lambda c: self.list_events(cursor=c, **filters), cursor)

    def iter_events(self, *, cursor: Optional[str] = None, **filters: Any) -> Iterator[PublicEvent]:
        """Generator over ``walk_events``; use ``walk_events`` to keep the cursor."""
        yield from self.walk_events(cursor=cursor, **filters)
