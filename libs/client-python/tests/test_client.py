"""The client against a small local HTTP server: Host and auth headers, the error envelope,
cursor walking with resume, and Retry-After on 429. No Herald needed."""

import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from herald_client import HeraldApiError, HeraldClient

EVENTS = [{"id": f"evt_{i}", "type": "post.created", "created_at": "x", "data": {}} for i in range(5)]


class _Handler(BaseHTTPRequestHandler):
    seen = []  # type: list
    rate_limited_once = {"left": 0}

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        _Handler.seen.append({"path": self.path, "host": self.headers.get("Host"), "auth": self.headers.get("Authorization")})
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        if url.path == "/api/v1/events":
            if _Handler.rate_limited_once["left"] > 0:
                _Handler.rate_limited_once["left"] -= 1
                return self._send(429, {"error": {"code": "rate_limited", "message": "slow down"}, "meta": {"request_id": "req_1"}}, {"Retry-After": "0"})
            cursor = q.get("cursor", ["c0"])[0]
            if not cursor.startswith("c"):
                return self._send(400, {"error": {"code": "invalid_cursor", "message": "bad cursor", "details": None}, "meta": {"request_id": "req_bad"}})
            start = int(cursor[1:])
            page = EVENTS[start : start + 2]
            end = start + len(page)
            return self._send(200, {"data": page, "meta": {"request_id": "r", "next_cursor": f"c{end}", "has_more": end < len(EVENTS)}})
        if url.path == "/api/v1/webhooks/ep_1":
            body = b"<html>bad gateway</html>"
            self.send_response(502)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        return self._send(404, {"error": {"code": "not_found", "message": "no"}, "meta": {"request_id": "r"}})

    def _send(self, status, body, headers=None):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        cls.port = cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        _Handler.seen.clear()

    def test_tenant_localhost_base_url_is_dialled_on_loopback_with_its_host(self):
        client = HeraldClient(f"http://demo.localhost:{self.port}", "mc_test_k")
        client.list_events(limit=2)
        self.assertEqual(_Handler.seen[0]["host"], f"demo.localhost:{self.port}")
        self.assertEqual(_Handler.seen[0]["auth"], "Bearer mc_test_k")
        self.assertEqual(_Handler.seen[0]["path"], "/api/v1/events?limit=2")

    def test_explicit_host_overrides_the_url(self):
        client = HeraldClient(f"http://127.0.0.1:{self.port}", "k", host="support.example.test")
        client.list_events()
        self.assertEqual(_Handler.seen[0]["host"], "support.example.test")

    def test_walks_every_page_and_resumes_from_the_kept_cursor(self):
        client = HeraldClient(f"http://127.0.0.1:{self.port}", "k")
        walker = client.walk_events(limit=2)
        self.assertEqual([e["id"] for e in walker], [e["id"] for e in EVENTS])
        self.assertEqual(walker.cursor, "c5")
        EVENTS.append({"id": "evt_5", "type": "post.created", "created_at": "x", "data": {}})
        try:
            self.assertEqual([e["id"] for e in client.iter_events(cursor=walker.cursor)], ["evt_5"])
        finally:
            EVENTS.pop()

    def test_error_envelope_becomes_a_typed_error(self):
        client = HeraldClient(f"http://127.0.0.1:{self.port}", "k")
        with self.assertRaises(HeraldApiError) as caught:
            client.list_events(cursor="forged")
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_cursor"))
        self.assertEqual(caught.exception.request_id, "req_bad")

    def test_an_answer_without_the_envelope_is_unexpected_response(self):
        client = HeraldClient(f"http://127.0.0.1:{self.port}", "k")
        with self.assertRaises(HeraldApiError) as caught:
            client.get_webhook("ep_1")
        self.assertEqual((caught.exception.status, caught.exception.code), (502, "unexpected_response"))

    def test_retry_after_is_honoured_only_when_asked(self):
        _Handler.rate_limited_once["left"] = 1
        with self.assertRaises(HeraldApiError) as caught:
            HeraldClient(f"http://127.0.0.1:{self.port}", "k").list_events()
        self.assertEqual((caught.exception.code, caught.exception.retry_after), ("rate_limited", 0))
        _Handler.rate_limited_once["left"] = 1
        page = HeraldClient(f"http://127.0.0.1:{self.port}", "k", retry_rate_limited=True).list_events()
        self.assertEqual(len(page.data), 2)


if __name__ == "__main__":
    unittest.main()
