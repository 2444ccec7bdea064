"""The client against a running Herald, configured by the environment; skipped without it.

HERALD_BASE_URL   e.g. http://demo.localhost:3000 (or http://127.0.0.1:3000 with HERALD_HOST)
HERALD_HOST       optional Host override, e.g. demo.localhost:3000
HERALD_API_KEY    a key with events:read, webhooks:read and webhooks:manage
HERALD_WEBHOOK_URL  an https URL that answers 2xx and that Herald may deliver to

Prints one ``RESULT {json}`` line with what it saw, for the caller to compare.
"""

import json
import os
import time
import unittest

from herald_client import HeraldApiError, HeraldClient

ENV = ("HERALD_BASE_URL", "HERALD_API_KEY", "HERALD_WEBHOOK_URL")


@unittest.skipUnless(all(os.environ.get(k) for k in ENV), "needs " + ", ".join(ENV))
class LiveHeraldTest(unittest.TestCase):
    result = {}  # type: dict

    @classmethod
    def setUpClass(cls):
        cls.client = HeraldClient(
            os.environ["HERALD_BASE_URL"], os.environ["HERALD_API_KEY"], host=os.environ.get("HERALD_HOST") or None
        )

    @classmethod
    def tearDownClass(cls):
        print("RESULT " + json.dumps(cls.result, sort_keys=True), flush=True)

    def test_1_walks_every_event_and_resumes_with_nothing_new(self):
        walker = self.client.walk_events(limit=3)
        ids = [e["id"] for e in walker]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertIsNotNone(walker.cursor)
        self.assertEqual(list(self.client.iter_events(cursor=walker.cursor, limit=3)), [])
        LiveHeraldTest.result["event_ids"] = ids

    def test_2_registers_a_webhook_and_reads_its_deliveries(self):
        created = self.client.create_webhook({"url": os.environ["HERALD_WEBHOOK_URL"], "events": ["post.*"], "label": "python"})
        endpoint = created.data
        self.assertTrue(endpoint["secret"])
        self.assertEqual(self.client.get_webhook(endpoint["id"]).data["label"], "python")
        sent = self.client.send_test_event(endpoint["id"]).data
        deadline = time.monotonic() + 60
        delivery = None
        while time.monotonic() < deadline:
            page = self.client.list_deliveries(endpoint["id"], status=["succeeded"])
            delivery = next((d for d in page.data if d["event_id"] == sent["event_id"]), None)
            if delivery:
                break
            time.sleep(0.25)
        self.assertIsNotNone(delivery, "the test event was not delivered in time")
        self.assertEqual(delivery["attempts"][0]["status_code"], 200)
        LiveHeraldTest.result["endpoint_id"] = endpoint["id"]
        LiveHeraldTest.result["delivery"] = {"event_id": delivery["event_id"], "status": delivery["status"]}

    def test_3_errors_carry_their_code(self):
        with self.assertRaises(HeraldApiError) as caught:
            self.client.list_events(cursor="A" * 34)
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "invalid_cursor"))
        self.assertTrue(caught.exception.request_id)
        with self.assertRaises(HeraldApiError) as missing:
            self.client.get_webhook("ep_" + "0" * 26)
        LiveHeraldTest.result["errors"] = [caught.exception.code, missing.exception.code]


if __name__ == "__main__":
    unittest.main()
