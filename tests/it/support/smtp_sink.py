"""An SMTP sink for the tests and benchmarks, run by aiosmtpd:

    PYTHONPATH=tests/it/support python3 -m aiosmtpd -n -l 127.0.0.1:PORT \
        -c smtp_sink.Sink OUTDIR [count]

Every message is decoded (RFC 2047 headers, quoted-printable/base64 bodies) and saved as
OUTDIR/<n>.json with the envelope, the headers, the text and HTML parts. A recipient
listed in OUTDIR/reject.txt (one address a line, re-read on every RCPT) gets a 550;
one listed in OUTDIR/tempfail.txt gets a 450.
With "count", nothing is decoded or saved: OUTDIR/count holds the number of messages
(written every 0.2 s), for benchmarks.
"""

import asyncio
import json
import os
import time
from email import message_from_bytes, policy


class Sink:
    def __init__(self, outdir, mode="save"):
        self.outdir = outdir
        self.mode = mode
        self.n = 0
        os.makedirs(outdir, exist_ok=True)
        if mode == "count":
            asyncio.get_event_loop().call_later(0.2, self._write_count)

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(*args)

    def _write_count(self):
        tmp = os.path.join(self.outdir, ".count.tmp")
        with open(tmp, "w") as f:
            f.write(str(self.n))
        os.replace(tmp, os.path.join(self.outdir, "count"))
        asyncio.get_event_loop().call_later(0.2, self._write_count)

    def _listed(self, name):
        try:
            with open(os.path.join(self.outdir, name)) as f:
                return {line.strip().lower() for line in f if line.strip()}
        except FileNotFoundError:
            return set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode != "count" and address.lower() in self._listed("reject.txt"):
            return "550 5.1.1 Mailbox unavailable"
        if self.mode != "count" and address.lower() in self._listed("tempfail.txt"):
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        if self.mode == "count":
            return "250 OK"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        headers = {}
        for name, value in msg.items():
            headers.setdefault(name.lower(), []).append(str(value))
        raw_headers = envelope.content.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
        text = html = None
        attachments = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_content_disposition() == "attachment":
                attachments.append(part.get_filename())
            elif part.get_content_type() == "text/plain" and text is None:
                text = part.get_content()
            elif part.get_content_type() == "text/html" and html is None:
                html = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": headers,
            "raw_headers": raw_headers,
            "text": text,
            "html": html,
            "attachments": attachments,
        }
        name = "%d-%d-%d" % (time.time_ns(), os.getpid(), self.n)
        tmp = os.path.join(self.outdir, "." + name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(tmp, os.path.join(self.outdir, name + ".json"))
        return "250 Message accepted for delivery"
