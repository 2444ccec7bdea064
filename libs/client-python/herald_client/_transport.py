"""HTTP for the Python client: JSON in and out, bearer auth, the tenant's Host, typed errors
and optional waiting out ``Retry-After`` on 429. Standard library only (urllib).

The tenant is the first label of the Host. A ``*.localhost`` base URL is dialled on
127.0.0.1 with its name sent as Host, since many resolvers do not answer ``*.localhost``;
``host=`` sends any other Host (e.g. base URL ``http://127.0.0.1:3000``, host
``demo.localhost:3000``).
"""

import email.utils
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, Generic, List, Mapping, Optional, TypeVar

T = TypeVar("T")


@dataclass
class ApiResult(Generic[T]):
    """What a successful call answers: the envelope's ``data`` and ``meta``."""

    data: T
    meta: Dict[str, Any]
    status: int = 200
    headers: Dict[str, str] = field(default_factory=dict)


class HeraldApiError(Exception):
    """A non-2xx answer with Herald's error envelope: branch on ``code``, quote ``request_id``.

    An answer without the envelope (a proxy's error page, say) has the code
    ``unexpected_response``.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        request_id: Optional[str] = None,
        retry_after: Optional[int] = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.request_id = request_id
        self.retry_after = retry_after

    @property
    def problems(self) -> List[Dict[str, Any]]:
        """``details`` as the list of problems, when it is one."""
        return list(self.details) if isinstance(self.details, list) else []

    @classmethod
    def from_response(cls, status: int, headers: Mapping[str, str], text: str) -> "HeraldApiError":
        request_id = headers.get("x-request-id")
        retry_after = parse_retry_after(headers.get("retry-after"))
        try:
            envelope = json.loads(text) if text else None
        except ValueError:
            envelope = None
        err = envelope.get("error") if isinstance(envelope, dict) else None
        if isinstance(err, dict) and isinstance(err.get("code"), str):
            meta = envelope.get("meta") if isinstance(envelope.get("meta"), dict) else {}
            rid = meta.get("request_id") if isinstance(meta.get("request_id"), str) else request_id
            message = err.get("message") if isinstance(err.get("message"), str) else err["code"]
            return cls(status, err["code"], message, err.get("details"), rid, retry_after)
        snippet = text[:200]
        message = f"HTTP {status} without Herald's error envelope" + (f": {snippet}" if snippet else "")
        return cls(status, "unexpected_response", message, None, request_id, retry_after)


def parse_retry_after(value: Optional[str]) -> Optional[int]:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        at = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int(at.timestamp() - time.time() + 0.999))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


class Transport:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        host: Optional[str] = None,
        retry_rate_limited: bool = False,
        max_retries: int = 2,
        max_wait_seconds: float = 60,
        timeout: float = 30,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, not {base_url!r}")
        hostname = parts.hostname
        port = f":{parts.port}" if parts.port else ""
        self._host_header = host
        dial = hostname
        if hostname == "localhost" or hostname.endswith(".localhost"):
            dial = "127.0.0.1"
            if host is None and hostname != "localhost":
                self._host_header = parts.netloc.rsplit("@", 1)[-1]
        self._origin = f"{parts.scheme}://{dial}{port}"
        self._prefix = parts.path.rstrip("/")
        self._token = token
        self._retry = retry_rate_limited
        self._max_retries = max_retries
        self._max_wait = max_wait_seconds
        self._timeout = timeout
        self._headers = dict(headers or {})
        self._opener = urllib.request.build_opener(_NoRedirect())

    def call(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        request_id: Optional[str] = None,
    ) -> ApiResult[Any]:
        """Sends one request; answers the envelope, raises HeraldApiError on any non-2xx."""
        url = self._origin + self._prefix + path
        # OpenAPI's default query style (form, exploded): a list repeats its key.
        pairs = [
            (k, _query_value(item))
            for k, v in (query or {}).items()
            for item in (v if isinstance(v, (list, tuple)) else [v])
            if item is not None
        ]
        if pairs:
            url += "?" + urllib.parse.urlencode(pairs)
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self._token}", **self._headers}
        if self._host_header:
            headers["Host"] = self._host_header
        if request_id:
            headers["X-Request-Id"] = request_id
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            status, response_headers, text = self._send(method, url, headers, payload)
            if 200 <= status < 300:
                envelope = json.loads(text) if text else {}
                return ApiResult(envelope.get("data"), envelope.get("meta") or {}, status, response_headers)
            error = HeraldApiError.from_response(status, response_headers, text)
            wait = error.retry_after if error.retry_after is not None else 1
            if status != 429 or not self._retry or attempt >= self._max_retries or wait > self._max_wait:
                raise error
            attempt += 1
            time.sleep(wait)

    def _send(self, method: str, url: str, headers: Dict[str, str], payload: Optional[bytes]):  # type: ignore[no-untyped-def]
        request = urllib.request.Request(url, data=payload, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self._timeout) as res:
                return res.status, _lower(res.headers), res.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, _lower(e.headers), e.read().decode("utf-8", errors="replace")


def _lower(headers: Any) -> Dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers is not None else {}


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
