"""A webhook receiver written apart from pakn, with the Standard Webhooks library from
PyPI (`standardwebhooks`): it verifies every delivery's signature and appends one JSON
line per delivery to a log: its id, its type, whether the signature held, and its body.

    python3 webhook_receiver.py PORT whsec_… LOG
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

PORT, SECRET, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
HOOK = Webhook(SECRET)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            payload = HOOK.verify(body, headers)
            verified = True
        except WebhookVerificationError:
            payload, verified = None, False
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps({
                "id": headers.get("webhook-id"),
                "type": payload.get("type") if payload else None,
                "verified": verified,
                "body": body.decode("utf-8", "replace"),
            }, ensure_ascii=False) + "\n")
        self.send_response(204 if verified else 400)
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
