"""offer's breaker behaves like the original demo's: seeded random walks drive offer's packaged jar and
pybreaker.CircuitBreaker(fail_max=3, reset_timeout=<offer's delay>) side by side, in front of a partner double,
and after every step compare what each answered, whether the partner was called, the state and the count. Where
the two differ by design, the difference is a named mapping below, stated in README's breaker table.

Run from the repository's root after packaging: `python3 -m pytest e2e/pybreaker` (the Maven build runs it as
OfferBehavesLikePybreakerIT). Replay walks with PYBREAKER_WALK_SEEDS=seed,seed,... See e2e/pybreaker/README.md.
"""

import collections
import concurrent.futures
import dataclasses
import datetime
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
# Short, yet far above a hot answer's few milliseconds: on a loaded machine a stalled process must not turn a hot
# partner into a timeout on one side only.
TIMEOUT_SECONDS = 1.5
SLOW_SECONDS = 2 * TIMEOUT_SECONDS
# No call, and no look at the state, within this long of either side's end of the delay (each side opened at its
# own moment): both sides must be on the same side of the boundary.
MARGIN_SECONDS = 0.5
# How long placing both calls (or reading /circuit) may take: the guard keeps that much clear of the boundaries. The
# calls' answers may come later: only the moment a breaker decides to let a call through or not, and the moment its
# state is read, must be on one side of the boundary.
PLACING_SECONDS = 0.2
# Concurrent calls in a half-open burst; the double holds offer's trial call at most this long (within the timeout)
# so that the other calls arrive while it runs.
BURST = 3
HOLD_SECONDS = TIMEOUT_SECONDS - 0.5

## The walks
WALKS = 3
MIN_CALLS_PER_WALK = 40
MAX_CALLS_PER_WALK = 90
SEEDS = [int(seed) for seed in os.environ["PYBREAKER_WALK_SEEDS"].split(",")] \
    if os.environ.get("PYBREAKER_WALK_SEEDS") else [random.SystemRandom().randrange(10**6) for _ in range(WALKS)]
REPLAY = bool(os.environ.get("PYBREAKER_WALK_SEEDS"))
WALK_LOGS = pathlib.Path(__file__).resolve().parents[1] / "target/pybreaker-walks"

## The documented differences (README, the breaker's table; e2e/pybreaker/README.md)
STATE_NAMES = {pybreaker.STATE_CLOSED: "CLOSED", pybreaker.STATE_OPEN: "OPEN", pybreaker.STATE_HALF_OPEN: "HALF_OPEN"}
HALF_OPEN_BY_TIMER = "HALF_OPEN_BY_TIMER"
FAILURES_STOP_AT_FAIL_MAX = "FAILURES_STOP_AT_FAIL_MAX"
HALF_OPEN_BURST_TURNED_AWAY = "HALF_OPEN_BURST_TURNED_AWAY"


def offer_state_for(breaker_state, open_since, now):
    """HALF_OPEN_BY_TIMER: offer's circuit turns HALF_OPEN when the delay ends, by a timer; pybreaker's stays 'open'
    until the next call finds its reset_timeout over and makes it 'half-open' for that call. So a pybreaker 'open'
    whose reset_timeout is over is what offer shows as HALF_OPEN: on both sides the next call is the trial."""
    state = STATE_NAMES[breaker_state]
    if state == "OPEN" and now - open_since >= DELAY_SECONDS:
        return "HALF_OPEN"
    return state


def offer_failures_for(fail_counter):
    """FAILURES_STOP_AT_FAIL_MAX: pybreaker's fail_counter goes on counting failed trial calls (4, 5, ...); offer's
    `failures` are the consecutive failures that opened the circuit, at most failuresToOpen (3), while it is not
    CLOSED. Both are 0 after the trial call that closes it."""
    return min(fail_counter, FAIL_MAX)


def offer_burst_for(trial_answer, partner_requests):
    """HALF_OPEN_BURST_TURNED_AWAY: pybreaker holds a lock around every call, so calls arriving during the trial wait
    for its outcome, then run as calls of the state it left: after a successful trial each calls the partner, after a
    failed one each is refused. offer does not queue them: the trial goes through, the others are turned away at
    once (cold, "circuit-open", the partner not called), whatever the trial's outcome. So offer answers pybreaker's
    trial answer and a cold answer for each other call, and the partner receives only the trial's request (none if
    it refused the connection): (sorted answers, partner requests) from pybreaker's trial answer and requests."""
    return sorted([trial_answer] + ["cold"] * (BURST - 1)), min(partner_requests, 1)


## The walk
@dataclasses.dataclass
class Seen:
    """What one side showed after a step, in offer's words (pybreaker's through the mappings above)."""
    answer: str          # hot, cold, the burst's answers, or - after a wait
    partner_called: int  # requests the double received from this side in the step
    state: str
    failures: int
    detail: str          # what the side said, in its own words

    def comparable(self):
        return self.answer, self.partner_called, self.state, self.failures


class Coverage:

    def __init__(self):
        self.calls = 0
        self.states = set()
        self.behaviours = set()
        self.openings = 0
        self.trials = []          # closed the circuit?
        self.bursts = []          # its trial closed the circuit?
        self.rejected = 0
        self.differences = collections.Counter()

    def add(self, other):
        self.calls += other.calls
        self.states |= other.states
        self.behaviours |= other.behaviours
        self.openings += other.openings
        self.trials += other.trials
        self.bursts += other.bursts
        self.rejected += other.rejected
        self.differences += other.differences

    def summary(self):
        return (f"{self.calls} calls: {self.openings} openings, {len(self.trials)} trial calls ({sum(self.trials)} "
                f"closed the circuit), {len(self.bursts)} half-open bursts of {BURST}, {self.rejected} calls turned "
                f"away, states {sorted(self.states)}, documented differences applied {dict(self.differences)}")


RUN = Coverage()
WALKED = []


def call_partner(url, entered, call):
    """The original demo's guarded function: the partner's offer, or an exception. Its timeout is offer's, so a
    partner slower than that fails here too. `entered` lists the calls the breaker let through, in order."""
    entered.append(call)
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
                                                listeners=[self._Opened(self)])
        self.pool = concurrent.futures.ThreadPoolExecutor(2 * BURST)
        self.steps = []
        self.coverage = Coverage()
        self.py_opened_at = None            # when pybreaker last opened (monotonic)
        self.offer_opened_within = None     # (start, end) of the call during which offer last opened
        self.offer_changed_at = None
        self.offer_state = "CLOSED"         # as /circuit showed it last
        self.behaviour = Behaviour.HOT

    class _Opened(pybreaker.CircuitBreakerListener):

        def __init__(self, walk):
            self.walk = walk

        def state_change(self, cb, old_state, new_state):
            if new_state.name == pybreaker.STATE_OPEN:
                self.walk.py_opened_at = time.monotonic()

    def run(self):
        self.double.behave(Behaviour.HOT)
        circuit = self.offer.circuit()
        self.offer_changed_at = circuit["stateChangedAt"]
        policy = (circuit["state"], circuit["failures"], circuit["failuresToOpen"], circuit["delaySeconds"],
                  circuit["timeoutMillis"])
        if policy != ("CLOSED", 0, FAIL_MAX, DELAY_SECONDS, TIMEOUT_SECONDS * 1000):
            self._fail(f"offer does not run the walk's policy: {circuit}")
        try:
            while not self._done():
                action = self._next_action()
                self.behaviour = self._next_behaviour(action)
                self.double.behave(self.behaviour)
                if action == "call":
                    self._call()
                elif action == "burst":
                    self._burst()
                else:
                    self._wait(action)
        finally:
            self.pool.shutdown()
            WALK_LOGS.mkdir(parents=True, exist_ok=True)
            (WALK_LOGS / f"seed-{self.seed}.txt").write_text("\n".join(self.steps) + "\n")
        return self.coverage

    def _done(self):
        c = self.coverage
        return c.calls >= MAX_CALLS_PER_WALK or (c.calls >= MIN_CALLS_PER_WALK and c.openings > 0
                                                 and set(c.trials) == {True, False} and True in c.bursts)

    # The walk's choices come from its seed alone, never from timing: a seed replays the same choices.
    def _next_action(self):
        actions = {"CLOSED": (0.80, 0.00, 0.12, 0.08), "OPEN": (0.55, 0.00, 0.15, 0.30),
                   "HALF_OPEN": (0.45, 0.35, 0.10, 0.10)}[self.offer_state]
        return self.rng.choices(["call", "burst", "short-wait", "wait-past-delay"], actions)[0]

    def _next_behaviour(self, action):
        if action == "burst" and self.rng.random() < 0.5:
            return Behaviour.HOT
        return self.behaviour if self.rng.random() < 0.5 else self.rng.choice(list(Behaviour))

    ## Timing: each side on the same side of the delay's end
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
        """The moment, from `starting` on, at which something lasting `lasting` is MARGIN_SECONDS clear of each
        side's end of the delay."""
        at = starting
        moved = True
        while moved:
            moved = False
            for earliest, latest in self._boundaries():
                if at + lasting > earliest - MARGIN_SECONDS and at < latest + MARGIN_SECONDS:
                    at = latest + MARGIN_SECONDS
                    moved = True
        return at

    @staticmethod
    def _offer_opened_within(circuit, placed, done):
        """When offer opened: at its stateChangedAt (the same machine's clock) if that falls within the step, else
        somewhere within the step."""
        changed = datetime.datetime.fromisoformat(circuit["stateChangedAt"]).timestamp() - (time.time() - time.monotonic())
        if placed - 0.05 <= changed <= done + 0.05:
            return changed - 0.05, changed + 0.05
        return placed, done

    def _sleep_until_clear(self, starting):
        time.sleep(max(0.0, self._clear_of_boundaries(starting, PLACING_SECONDS) - time.monotonic()))
        return time.monotonic()

    def _check_clear(self, instants, what):
        for instant in instants:
            for earliest, latest in self._boundaries():
                if earliest - MARGIN_SECONDS < instant < latest + MARGIN_SECONDS:
                    self._fail(f"{what} happened {instant - latest:+.3f} s from the delay's end, within the "
                               f"{MARGIN_SECONDS} s margin: the machine was too slow for this walk's timing")

    ## Steps
    def _call(self):
        placed = self._sleep_until_clear(time.monotonic())
        before = offer_state_for(self.breaker.current_state, self.py_opened_at, placed)
        counts = self._counts()
        py_future = self.pool.submit(self._call_pybreaker)
        offer_answer = self.offer.offer()
        offer_done = time.monotonic()
        py_answer, py_detail = py_future.result()
        offer_seen, py_seen = self._read_states(placed, offer_done, counts)
        offer_seen.answer, offer_seen.detail = offer_answer["type"], f"{offer_answer['reason']}, {offer_seen.detail}"
        py_seen.answer, py_seen.detail = py_answer, f"{py_detail}, {py_seen.detail}"
        self._record("call", before, offer_seen, py_seen)
        c = self.coverage
        c.calls += 1
        c.behaviours.add(self.behaviour)
        if before == "HALF_OPEN":
            c.trials.append(py_seen.state == "CLOSED")
        if before == "CLOSED" and py_seen.state == "OPEN":
            c.openings += 1
        if before == "OPEN" and not py_seen.partner_called:
            c.rejected += 1

    def _burst(self):
        placed = self._sleep_until_clear(time.monotonic())
        before = offer_state_for(self.breaker.current_state, self.py_opened_at, placed)
        if before != "HALF_OPEN":
            self._fail(f"a burst placed while pybreaker is {before}, not half-open as offer showed it last")
        counts = self._counts()
        self.double.hold_offers_trial(HOLD_SECONDS)
        entered = []
        py_futures = [self.pool.submit(self._call_pybreaker, entered, call) for call in range(BURST)]
        offer_futures = [self.pool.submit(self.offer.offer) for _ in range(BURST)]
        # offer's trial is held at the double until offer has answered the other calls of the burst (or at most
        # HOLD_SECONDS, were offer to hold them too).
        deadline = time.monotonic() + HOLD_SECONDS
        while sum(future.done() for future in offer_futures) < BURST - 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.double.release()
        offer_answers = [future.result() for future in offer_futures]
        offer_done = time.monotonic()
        py_answers = [future.result() for future in py_futures]
        offer_seen, py_seen = self._read_states(placed, offer_done, counts)
        offer_seen.answer = "+".join(sorted(answer["type"] for answer in offer_answers))
        offer_seen.detail = f"{', '.join(sorted(answer['reason'] for answer in offer_answers))}; {offer_seen.detail}"
        # pybreaker's trial is the first call its lock let through to the guarded function.
        if not entered:
            self._fail(f"pybreaker let no trial call through the burst: {py_answers}")
        mapped_answers, mapped_calls = offer_burst_for(py_answers[entered[0]][0], py_seen.partner_called)
        py_own = ("+".join(sorted(answer for answer, _ in py_answers)), py_seen.partner_called)
        if py_own != ("+".join(mapped_answers), mapped_calls):
            self.coverage.differences[HALF_OPEN_BURST_TURNED_AWAY] += 1
        py_seen.answer, py_seen.partner_called = "+".join(mapped_answers), mapped_calls
        py_seen.detail = (f"its own: {py_own[0]}, partner called {py_own[1]}x: "
                          f"{'; '.join(sorted({detail for _, detail in py_answers}))}; {py_seen.detail}")
        self._record(f"burst of {BURST}", before, offer_seen, py_seen)
        c = self.coverage
        c.calls += BURST
        c.behaviours.add(self.behaviour)
        c.trials.append(py_seen.state == "CLOSED")
        c.bursts.append(py_seen.state == "CLOSED")

    def _call_pybreaker(self, entered=None, call=0):
        entered = [] if entered is None else entered
        try:
            self.breaker.call(call_partner, self.double.url, entered, call)
            answer = "hot", "returned the hot offer"
        except pybreaker.CircuitBreakerError as error:
            answer = "cold", f"CircuitBreakerError({error})"
        except Exception as error:
            answer = "cold", f"{type(error).__name__}({error})"
        return answer

    def _wait(self, action):
        start = time.monotonic()
        if action == "short-wait":
            until = start + self.rng.uniform(0.2, 1.2)
        else:
            ends = [latest for _, latest in self._boundaries()] or [start + DELAY_SECONDS]
            until = max(ends + [start]) + MARGIN_SECONDS + self.rng.uniform(0.0, 0.5)
        time.sleep(max(0.0, until - time.monotonic()))
        offer_seen, py_seen = self._read_states(None, None, self._counts())
        if offer_seen.partner_called or py_seen.partner_called:
            self._fail("the partner was called while nobody called either breaker")
        self._record(f"{action} {time.monotonic() - start:.1f} s", None, offer_seen, py_seen)

    def _counts(self):
        return self.double.requests(OFFER), self.double.requests(PYBREAKER)

    def _read_states(self, placed, offer_done, counts):
        """Both states, read on one side of the delay's end: between a step's answers and this read, only the
        delay's end can change a state."""
        reading = self._sleep_until_clear(time.monotonic())
        circuit = self.offer.circuit()
        read_at = time.monotonic()
        self._check_clear([instant for instant in (placed, reading, read_at) if instant], "a step")
        if placed is not None and circuit["stateChangedAt"] != self.offer_changed_at and circuit["state"] == "OPEN":
            self.offer_opened_within = self._offer_opened_within(circuit, placed, offer_done)
        self.offer_changed_at = circuit["stateChangedAt"]
        py_state, fail_counter = self.breaker.current_state, self.breaker.fail_counter
        mapped_state = offer_state_for(py_state, self.py_opened_at, read_at)
        if mapped_state != STATE_NAMES[py_state]:
            self.coverage.differences[HALF_OPEN_BY_TIMER] += 1
        if offer_failures_for(fail_counter) != fail_counter:
            self.coverage.differences[FAILURES_STOP_AT_FAIL_MAX] += 1
        offer_seen = Seen("-", self.double.requests(OFFER) - counts[0], circuit["state"], circuit["failures"],
                          f"/circuit {circuit['state']} failures={circuit['failures']}")
        py_seen = Seen("-", self.double.requests(PYBREAKER) - counts[1], mapped_state, offer_failures_for(fail_counter),
                       f"{py_state} fail_counter={fail_counter}")
        return offer_seen, py_seen

    def _record(self, what, before, offer_seen, py_seen):
        self.offer_state = offer_seen.state
        self.coverage.states.add(offer_seen.state)
        self.steps.append(
            f"{len(self.steps) + 1:3}. {what:<20} partner {self.behaviour.name:<7} from {before or '-':<9}"
            f" | offer: {offer_seen.answer:<4} partner called {offer_seen.partner_called}x "
            f"{offer_seen.state:<9} {offer_seen.failures} ({offer_seen.detail})"
            f" | pybreaker: {py_seen.answer:<4} partner called {py_seen.partner_called}x "
            f"{py_seen.state:<9} {py_seen.failures} ({py_seen.detail})")
        if offer_seen.comparable() != py_seen.comparable():
            self._fail(f"step {len(self.steps)}: offer and pybreaker differ: offer {offer_seen}, pybreaker {py_seen}")

    def _fail(self, message):
        load = ", ".join(f"{load:.1f}" for load in os.getloadavg())
        pytest.fail(f"walk with seed {self.seed} (replay: PYBREAKER_WALK_SEEDS={self.seed}, load average now {load}): "
                    f"{message}\n"
                    "the walk so far (what each side answered, how often the partner double saw it, the state and "
                    "failures in offer's words, pybreaker's through the documented mappings; in brackets each "
                    "side's own words):\n" + "\n".join(self.steps), pytrace=False)


def walk_on_its_own(seed):
    """One walk, on a partner double and an offer of its own."""
    double = PartnerDouble(slow_seconds=SLOW_SECONDS)
    try:
        offer = OfferService(f"offer-pybreaker-{seed}", {
            "PARTNER_OFFER_URL": double.url,
            "CIRCUIT_DELAY_SECONDS": str(DELAY_SECONDS),
            "PARTNER_TIMEOUT_MILLIS": str(int(TIMEOUT_SECONDS * 1000)),
        })
        try:
            started = time.monotonic()
            walk = Walk(seed, offer, double)
            coverage = walk.run()
        finally:
            offer.close()
    finally:
        double.close()
    print(f"seed {seed}, {time.monotonic() - started:.0f} s, {coverage.summary()}; the walk: {WALK_LOGS}/seed-{seed}.txt")
    if coverage.openings == 0 or not coverage.trials:
        walk._fail(f"the walk never {'opened the circuit' if coverage.openings == 0 else 'made a trial call'} "
                   f"in {coverage.calls} calls")
    return coverage


@pytest.fixture(scope="module")
def walks():
    """Every walk at once: a walk mostly waits (the delay, the timeout, a slow partner), and each has its own double
    and offer, so they run side by side; its test reports it."""
    print(f"\nwalks with seeds {SEEDS} at once (replay one: PYBREAKER_WALK_SEEDS=<seed>)")
    with concurrent.futures.ThreadPoolExecutor(len(SEEDS)) as pool:
        yield {seed: pool.submit(walk_on_its_own, seed) for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: f"seed={seed}")
def test_offer_and_pybreaker_agree_on_a_random_walk(seed, walks):
    RUN.add(walks[seed].result())
    WALKED.append(seed)


def test_the_walks_visited_every_state_and_partner_behaviour():
    if len(WALKED) < len(SEEDS):
        pytest.fail(f"only {len(WALKED)} of {len(SEEDS)} walks passed", pytrace=False)
    print(f"\n{len(WALKED)} walks, seeds {WALKED}, {RUN.summary()}")
    if not REPLAY:
        assert len(WALKED) >= WALKS and RUN.calls >= 120, f"{len(WALKED)} walks, {RUN.calls} calls"
    assert RUN.states == {"CLOSED", "OPEN", "HALF_OPEN"}
    assert RUN.behaviours == set(Behaviour)
    assert set(RUN.trials) == {True, False}, "trial calls that closed the circuit, and trial calls that failed"
    assert True in RUN.bursts, "a half-open burst whose trial closed the circuit"
    assert RUN.rejected > 0, "calls turned away by the open circuit"
    assert set(RUN.differences) == {HALF_OPEN_BY_TIMER, FAILURES_STOP_AT_FAIL_MAX, HALF_OPEN_BURST_TURNED_AWAY}, \
        "each documented difference applied at least once"
