"""offer's breaker behaves like the original demo's: seeded random walks drive offer's packaged jar and
pybreaker.CircuitBreaker(fail_max=3, reset_timeout=<offer's delay>) side by side, in front of one partner double,
and after every step compare what each answered, whether the partner was called, the state and the count.

Run from the repository's root after packaging: `python3 -m pytest e2e/pybreaker` (the Maven build runs it as
PybreakerDifferentialIT). Replay walks with PYBREAKER_WALK_SEEDS=seed,seed,... See e2e/pybreaker/README.md.
"""

import concurrent.futures
import dataclasses
import importlib.metadata
import json
import os
import pathlib
import random
import time
import urllib.request

import pytest

from offer_service import HTTP, OfferService
from partner_double import CALLER_HEADER, OFFER, PYBREAKER, Behaviour, PartnerDouble

REQUIREMENTS = pathlib.Path(__file__).with_name("requirements.txt")
PINNED = dict(line.strip().split("==") for line in REQUIREMENTS.read_text().splitlines()
              if "==" in line and not line.startswith("#"))


def _require_pinned_pybreaker():
    """Skipped with its reason where pybreaker is missing (or another version), except in CI, where it fails."""
    try:
        import pybreaker  # noqa: F401
        installed = importlib.metadata.version("pybreaker")
        problem = None if installed == PINNED["pybreaker"] else \
            f"pybreaker {installed} is installed, {REQUIREMENTS.name} pins {PINNED['pybreaker']}"
    except ImportError:
        problem = "pybreaker is not installed"
    if problem:
        problem += ": python3 -m pip install -r e2e/pybreaker/requirements.txt"
        if os.environ.get("CI"):
            pytest.fail(problem, pytrace=False)
        print(f"\nSkipped: {problem}")
        pytest.skip(problem, allow_module_level=True)


_require_pinned_pybreaker()
import pybreaker  # noqa: E402

## The policy, the same on both sides
FAIL_MAX = 3
DELAY_SECONDS = 2
TIMEOUT_SECONDS = 0.8
SLOW_SECONDS = 2.5 * TIMEOUT_SECONDS
# No call, and no look at the state, within this long of either side's end of the delay (each side opened at its
# own moment): both sides must be on the same side of the boundary.
MARGIN_SECONDS = 0.5
# How long placing both calls (or reading /circuit) may take: the guard keeps that much clear of the boundaries. The
# calls' answers may come later: only the moment a breaker decides to let a call through or not, and the moment its
# state is read, must be on one side of the boundary.
PLACING_SECONDS = 0.2

## The walks
WALKS = 3
MIN_CALLS_PER_WALK = 40
MAX_CALLS_PER_WALK = 90
SEEDS = [int(seed) for seed in os.environ["PYBREAKER_WALK_SEEDS"].split(",")] \
    if os.environ.get("PYBREAKER_WALK_SEEDS") else [random.SystemRandom().randrange(10**6) for _ in range(WALKS)]
REPLAY = bool(os.environ.get("PYBREAKER_WALK_SEEDS"))

## The documented differences (README, the breaker's table; e2e/pybreaker/README.md)
STATE_NAMES = {pybreaker.STATE_CLOSED: "CLOSED", pybreaker.STATE_OPEN: "OPEN", pybreaker.STATE_HALF_OPEN: "HALF_OPEN"}


def offer_state_for(breaker_state, open_since, now):
    """HALF_OPEN_BY_TIMER: offer's circuit turns HALF_OPEN when the delay ends, by a timer; pybreaker's stays 'open'
    until the next call finds the reset_timeout over and makes it 'half-open' for that call. So an open pybreaker
    whose reset_timeout is over is what offer shows as HALF_OPEN: the next call is the trial on both sides."""
    state = STATE_NAMES[breaker_state]
    if state == "OPEN" and now - open_since >= DELAY_SECONDS:
        return "HALF_OPEN"
    return state


def offer_failures_for(fail_counter):
    """FAILURES_STOP_AT_FAIL_MAX: pybreaker's fail_counter goes on counting failed trials (4, 5, ...); offer's
    `failures` are the consecutive failures that opened the circuit, at most failuresToOpen (3) while it is not
    CLOSED. Both are 0 after the trial that closes it."""
    return min(fail_counter, FAIL_MAX)


## The walk
@dataclasses.dataclass
class Seen:
    """What one side showed after a step."""
    answer: str          # hot, cold, or - after a wait
    partner_called: bool
    state: str           # in offer's words, pybreaker's mapped
    failures: int        # in offer's words, pybreaker's mapped
    detail: str          # what the side says itself

    def comparable(self):
        return self.answer, self.partner_called, self.state, self.failures


class Coverage:

    def __init__(self):
        self.calls = 0
        self.states = set()
        self.behaviours = set()
        self.openings = 0
        self.trials = []          # (behaviour, closed it?)
        self.rejected = 0

    def add(self, other):
        self.calls += other.calls
        self.states |= other.states
        self.behaviours |= other.behaviours
        self.openings += other.openings
        self.trials += other.trials
        self.rejected += other.rejected


RUN = Coverage()
WALKED = []


def call_partner(url):
    """The original demo's guarded function: the partner's offer, or an exception. Its timeout is offer's, so a
    partner slower than that fails here too."""
    request = urllib.request.Request(url + "/offers", headers={CALLER_HEADER: PYBREAKER, "Accept": "application/json"})
    with HTTP.open(request, timeout=TIMEOUT_SECONDS) as answer:
        offer = json.load(answer)
    if offer.get("type") != "hot":
        raise ValueError(f"not a hot offer: {offer}")
    return offer


class Walk:

    def __init__(self, seed, offer, double):
        self.seed = seed
        self.rng = random.Random(seed)
        self.offer = offer
        self.double = double
        self.breaker = pybreaker.CircuitBreaker(fail_max=FAIL_MAX, reset_timeout=DELAY_SECONDS,
                                                listeners=[self._Transitions(self)])
        self.pool = concurrent.futures.ThreadPoolExecutor(2)
        self.steps = []
        self.coverage = Coverage()
        self.py_opened_at = None            # when pybreaker last opened (monotonic)
        self.py_transitions = []
        self.offer_opened_within = None     # (start, end) of the call during which offer last opened
        self.offer_changed_at = None
        self.offer_state = "CLOSED"
        self.behaviour = Behaviour.HOT

    class _Transitions(pybreaker.CircuitBreakerListener):

        def __init__(self, walk):
            self.walk = walk

        def state_change(self, cb, old_state, new_state):
            self.walk.py_transitions.append(new_state.name)
            if new_state.name == pybreaker.STATE_OPEN:
                self.walk.py_opened_at = time.monotonic()

    def run(self):
        self.double.behave(Behaviour.HOT)
        circuit = self.offer.circuit()
        self.offer_changed_at = circuit["stateChangedAt"]
        assert (circuit["state"], circuit["failures"], circuit["failuresToOpen"], circuit["delaySeconds"],
                circuit["timeoutMillis"]) == ("CLOSED", 0, FAIL_MAX, DELAY_SECONDS, TIMEOUT_SECONDS * 1000), \
            f"offer does not run the walk's policy: {circuit}"
        while not self._done():
            self.behaviour = self._next_behaviour()
            action = self._next_action()
            self.double.behave(self.behaviour)
            if action == "call":
                self._call()
            else:
                self._wait(action)
        return self.coverage

    def _done(self):
        c = self.coverage
        if c.calls >= MAX_CALLS_PER_WALK:
            return True
        return c.calls >= MIN_CALLS_PER_WALK and c.openings > 0 and {closed for _, closed in c.trials} == {True, False}

    # The walk's choices come from its seed alone, never from timing, so a seed replays the same walk.
    def _next_behaviour(self):
        return self.behaviour if self.rng.random() < 0.5 else self.rng.choice(list(Behaviour))

    def _next_action(self):
        weights = (0.55, 0.15, 0.30) if self.offer_state != "CLOSED" else (0.80, 0.12, 0.08)
        return self.rng.choices(["call", "short-wait", "wait-past-delay"], weights)[0]

    def _boundaries(self):
        """When the delay of each side that is not CLOSED ends: (earliest, latest)."""
        ends = []
        if self.breaker.current_state != pybreaker.STATE_CLOSED:
            ends.append((self.py_opened_at + DELAY_SECONDS,) * 2)
        if self.offer_state != "CLOSED":
            start, end = self.offer_opened_within
            ends.append((start + DELAY_SECONDS, end + DELAY_SECONDS))
        return ends

    def _clear_of_boundaries(self, starting, lasting):
        """The moment, from `starting` on, at which a step lasting `lasting` is MARGIN_SECONDS clear of each end of
        the delay."""
        at = starting
        moved = True
        while moved:
            moved = False
            for earliest, latest in self._boundaries():
                if at + lasting > earliest - MARGIN_SECONDS and at < latest + MARGIN_SECONDS:
                    at = latest + MARGIN_SECONDS
                    moved = True
        return at

    def _sleep_until(self, moment):
        time.sleep(max(0.0, moment - time.monotonic()))

    def _check_clear(self, instants, what):
        for instant in instants:
            for earliest, latest in self._boundaries():
                if earliest - MARGIN_SECONDS < instant < latest + MARGIN_SECONDS:
                    self._fail(f"{what} happened {instant - latest:+.3f} s from the delay's end, within the "
                               f"{MARGIN_SECONDS} s margin: the machine is too slow for this walk's timing")

    def _call(self):
        self._sleep_until(self._clear_of_boundaries(time.monotonic(), PLACING_SECONDS))
        before = time.monotonic()
        expected = offer_state_for(self.breaker.current_state, self.py_opened_at or 0, before)
        counts = (self.double.requests(OFFER), self.double.requests(PYBREAKER))
        py_future = self.pool.submit(self._call_pybreaker)
        offer_future = self.pool.submit(self.offer.offer)
        offer_answer, offer_done = offer_future.result(), time.monotonic()
        py_answer = py_future.result()
        # Between the answers and the read only the delay's end can change a state: read on one side of it.
        self._sleep_until(self._clear_of_boundaries(time.monotonic(), PLACING_SECONDS))
        reading = time.monotonic()
        circuit, read_at = self.offer.circuit(), time.monotonic()
        self._check_clear([before, reading, read_at], "a call")
        offer_seen = Seen(offer_answer["type"], self.double.requests(OFFER) > counts[0], circuit["state"],
                          circuit["failures"], f"{offer_answer['reason']}, /circuit {circuit['state']} "
                                               f"failures={circuit['failures']}")
        py_seen = Seen(py_answer[0], self.double.requests(PYBREAKER) > counts[1],
                       offer_state_for(self.breaker.current_state, self.py_opened_at or 0, read_at),
                       offer_failures_for(self.breaker.fail_counter),
                       f"{py_answer[1]}, {self.breaker.current_state} fail_counter={self.breaker.fail_counter}")
        if circuit["stateChangedAt"] != self.offer_changed_at and circuit["state"] == "OPEN":
            self.offer_opened_within = (before, offer_done)
        self.offer_changed_at = circuit["stateChangedAt"]
        self._record("call", expected, offer_seen, py_seen)
        c = self.coverage
        c.calls += 1
        c.behaviours.add(self.behaviour)
        if expected == "HALF_OPEN":
            c.trials.append((self.behaviour, py_seen.state == "CLOSED"))
        if expected == "CLOSED" and py_seen.state == "OPEN":
            c.openings += 1
        if expected == "OPEN" and not py_seen.partner_called:
            c.rejected += 1

    def _call_pybreaker(self):
        try:
            self.breaker.call(call_partner, self.double.url)
            return "hot", "returned the hot offer"
        except pybreaker.CircuitBreakerError as error:
            return "cold", f"CircuitBreakerError({error})"
        except Exception as error:
            return "cold", f"{type(error).__name__}({error})"

    def _wait(self, action):
        start = time.monotonic()
        if action == "short-wait":
            until = start + self.rng.uniform(0.2, 1.2)
        else:
            ends = [latest for _, latest in self._boundaries()] or [start + DELAY_SECONDS]
            until = max(ends + [start]) + MARGIN_SECONDS + self.rng.uniform(0.0, 0.5)
        self._sleep_until(self._clear_of_boundaries(until, PLACING_SECONDS))
        counts = (self.double.requests(OFFER), self.double.requests(PYBREAKER))
        reading = time.monotonic()
        circuit, read_at = self.offer.circuit(), time.monotonic()
        self._check_clear([reading, read_at], "a look at the state")
        offer_seen = Seen("-", False, circuit["state"], circuit["failures"],
                          f"/circuit {circuit['state']} failures={circuit['failures']}")
        py_seen = Seen("-", False, offer_state_for(self.breaker.current_state, self.py_opened_at or 0, read_at),
                       offer_failures_for(self.breaker.fail_counter),
                       f"{self.breaker.current_state} fail_counter={self.breaker.fail_counter}")
        if (self.double.requests(OFFER), self.double.requests(PYBREAKER)) != counts:
            self._fail("the partner was called while nobody called either breaker")
        self._record(f"{action} {read_at - start:.1f} s", None, offer_seen, py_seen)

    def _record(self, what, before, offer_seen, py_seen):
        self.offer_state = offer_seen.state
        self.coverage.states.add(offer_seen.state)
        line = (f"{len(self.steps) + 1:3}. {what:<20} partner {self.behaviour.name:<7}"
                + (f" from {before:<9}" if before else " " * 15)
                + f" | offer: {offer_seen.answer:<4} partner called={offer_seen.partner_called!s:<5} "
                  f"{offer_seen.state:<9} {offer_seen.failures} ({offer_seen.detail})"
                + f" | pybreaker: {py_seen.answer:<4} partner called={py_seen.partner_called!s:<5} "
                  f"{py_seen.state:<9} {py_seen.failures} ({py_seen.detail})")
        self.steps.append(line)
        if offer_seen.comparable() != py_seen.comparable():
            self._fail(f"step {len(self.steps)}: offer and pybreaker differ: offer {offer_seen}, pybreaker {py_seen}")

    def _fail(self, message):
        pytest.fail(f"walk with seed {self.seed} (replay: PYBREAKER_WALK_SEEDS={self.seed}): {message}\n"
                    "the walk so far (offer's state and failures as /circuit shows them, pybreaker's mapped "
                    "to them; its own words in brackets):\n" + "\n".join(self.steps), pytrace=False)


@pytest.fixture(scope="module")
def double():
    partner = PartnerDouble(slow_seconds=SLOW_SECONDS)
    yield partner
    partner.close()


def _warm_up(offer):
    """A JVM's first calls are slow: a few hot answers first, so that a hot partner never times out in the walk.
    Hot answers leave offer's breaker CLOSED with no failures, as pybreaker's starts."""
    hot_in_a_row = cold_in_a_row = 0
    while hot_in_a_row < 3:
        hot = offer.offer()["type"] == "hot"
        hot_in_a_row, cold_in_a_row = (hot_in_a_row + 1, 0) if hot else (0, cold_in_a_row + 1)
        assert cold_in_a_row < FAIL_MAX - 1, f"offer did not answer hot within {TIMEOUT_SECONDS} s while warming up"


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: f"seed={seed}")
def test_offer_and_pybreaker_agree_on_a_random_walk(seed, double):
    print(f"\nwalk with seed {seed} (replay: PYBREAKER_WALK_SEEDS={seed})")
    offer = OfferService(f"offer-pybreaker-{seed}", {
        "PARTNER_OFFER_URL": double.url,
        "CIRCUIT_DELAY_SECONDS": str(DELAY_SECONDS),
        "PARTNER_TIMEOUT_MILLIS": str(int(TIMEOUT_SECONDS * 1000)),
    })
    try:
        double.behave(Behaviour.HOT)
        _warm_up(offer)
        started = time.monotonic()
        walk = Walk(seed, offer, double)
        coverage = walk.run()
        walk.pool.shutdown()
    finally:
        offer.close()
    WALKED.append(seed)
    RUN.add(coverage)
    print(f"seed {seed}: {coverage.calls} calls in {time.monotonic() - started:.0f} s, {coverage.openings} openings, "
          f"{len(coverage.trials)} trial calls ({sum(closed for _, closed in coverage.trials)} closed the circuit), "
          f"{coverage.rejected} rejected calls, states {sorted(coverage.states)}")
    if coverage.openings == 0 or not coverage.trials:
        walk._fail(f"the walk never {'opened the circuit' if coverage.openings == 0 else 'made a trial call'} "
                   f"in {coverage.calls} calls")


def test_the_walks_visited_every_state_and_partner_behaviour():
    if len(WALKED) < len(SEEDS):
        pytest.fail(f"only {len(WALKED)} of {len(SEEDS)} walks passed", pytrace=False)
    if not REPLAY:
        assert len(WALKED) >= 3 and RUN.calls >= 120, f"{len(WALKED)} walks, {RUN.calls} calls"
    assert RUN.states == {"CLOSED", "OPEN", "HALF_OPEN"}
    assert RUN.behaviours == set(Behaviour)
    assert {closed for _, closed in RUN.trials} == {True, False}, RUN.trials
    assert RUN.rejected > 0
    print(f"\n{len(WALKED)} walks, seeds {WALKED}, {RUN.calls} calls: {RUN.openings} openings, {len(RUN.trials)} "
          f"trial calls, {RUN.rejected} rejected calls; every state and partner behaviour seen")
