"""The partner double both breakers call: one HTTP server on 127.0.0.1 whose behaviour the walk sets, and which
counts the requests it receives from each caller (the witness of "the partner was called")."""

import collections
import enum
import http.server
import json
import threading
import time

# The header the pybreaker side sends, so the double can tell its requests from offer's.
CALLER_HEADER = "X-Caller"
PYBREAKER = "pybreaker"
OFFER = "offer"

HOT_OFFER = {"id": "hot-42", "type": "hot", "description": "A hot offer from the partner double", "price": 9.99}


class Behaviour(enum.Enum):
    HOT = "answers hot"
    ERROR = "answers 500"
    REFUSED = "refuses connections (nothing listening)"
    SLOW = "answers hot, slower than the timeout"


class PartnerDouble:
    """GET /offers as the walk's current behaviour says. REFUSED closes the listening socket; the next behaviour
    listens again on the same port, so offer's configured URL stays valid."""

    def __init__(self, slow_seconds):
        self._slow_seconds = slow_seconds
        self._lock = threading.Lock()
        self._requests = collections.Counter()
        self.behaviour = Behaviour.HOT
        self._held = None
        self._server = None
        self._thread = None
        self._listen(0)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def requests(self, caller):
        """How many requests from this caller reached the double since it started."""
        with self._lock:
            return self._requests[caller]

    def behave(self, behaviour):
        if behaviour is Behaviour.REFUSED and self._server is not None:
            self._stop_listening()
        elif behaviour is not Behaviour.REFUSED and self._server is None:
            self._listen(self.port)
        self.behaviour = behaviour

    def hold_offers_trial(self, at_most):
        """Holds offer's next request (its trial call) until release(), at most `at_most` seconds, so that offer's
        other concurrent calls arrive while the trial is still running. A second request from offer releases it."""
        with self._lock:
            self._held = {"release": threading.Event(), "at_most": at_most, "requests": 0}

    def release(self):
        with self._lock:
            held, self._held = self._held, None
        if held:
            held["release"].set()

    def _hold(self, caller):
        with self._lock:
            held = self._held
            if held is None or caller != OFFER:
                return
            held["requests"] += 1
            if held["requests"] > 1:
                held["release"].set()
                return
        held["release"].wait(held["at_most"])

    def close(self):
        if self._server is not None:
            self._stop_listening()

    def _count(self, caller):
        with self._lock:
            self._requests[caller] += 1

    def _listen(self, port):
        double = self

        class Handler(http.server.BaseHTTPRequestHandler):
            # HTTP/1.0: one request per connection, so no pooled connection outlives a switch to REFUSED.
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                caller = PYBREAKER if self.headers.get(CALLER_HEADER) == PYBREAKER else OFFER
                double._count(caller)
                double._hold(caller)
                behaviour = double.behaviour
                if behaviour is Behaviour.SLOW:
                    time.sleep(double._slow_seconds)
                status, body = (500, {"error": "partner double failing"}) if behaviour is Behaviour.ERROR \
                    else (200, HOT_OFFER)
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # a slow answer's caller has timed out and closed the connection: expected

            def log_message(self, format, *args):
                pass

        # Rebinding the port after REFUSED may race with the kernel's TIME_WAIT sockets: allow_reuse_address.
        deadline = time.monotonic() + 5
        while True:
            try:
                server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                if port == 0 or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="partner-double", daemon=True)
        self._thread.start()

    def _stop_listening(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = None
        self._thread = None
