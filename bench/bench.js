// The benchmark, as k6 scenarios run one after another in one k6 run: bench/run.sh starts the packaged services on
// 127.0.0.1 and passes their URLs (-e P=... S1=...); k6 counts, times and judges; handleSummary writes the results
// (OUT, Markdown) from k6's own summary data. What each scenario and column is: bench/README.md.
//
// Services: P a partner-offer (the baseline); S1 an offer in front of a healthy partner-offer (PARTNER, whose
// PUT /latency sets its latency); S2 an offer whose partner is a closed port; S3 an offer whose partner bench/run.sh
// stopped (SIGSTOP); S4 an offer whose partner streams an endless body; COLD a fresh offer, measured alone first.
import http from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

const E = __ENV;
const SMOKE = E.SMOKE === '1';
const COLD = E.PART === 'cold'; // bench/run.sh runs k6 three times: PART=cold, then main, then admission
// The admission table in a k6 run of its own: in the main run's, k6's own work for its many scenarios and VUs took
// most of the shared cores, and the table measured k6 (bench/ADMISSION.md, 12-08).
const ADMISSION = E.PART === 'admission';
const num = (name, full, smoke) => {
    const n = Number(E[name] || (SMOKE ? smoke : full));
    if (Number.isNaN(n)) throw new Error(`${name}=${E[name]}: a number, in seconds for a duration (bench/README.md)`);
    return n;
};
const list = (name, full, smoke) => (E[name] || (SMOKE ? smoke : full)).split(/\s+/).filter(Boolean);

const VUS = num('VUS', 32, 32); // callers in the closed-model windows (wrk's 32 connections before)
const WARMUP = num('WARMUP', 20, 0); // s of load on P and on each offer before it is measured
const WINDOW = num('WINDOW', 5, 1); // s, each of the alternating windows P, S1, S2, S3o, S4
const ROUNDS = num('ROUNDS', 5, 1);
const OPEN = num('OPEN', 20, 1); // s, each open-model run
const RATE = num('RATE', 1000, 200); // req/s asked in S1, S3 and S4's open-model runs
const S5_RATE = num('S5_RATE', 2000, 400); // req/s asked in S5's open-model run
const S5_TIMES = list('S5_TIMES', '4 16 32', '4 16'); // S5's callers, times VUS
const S5_STEP = num('S5_STEP', 10, 1);
const LATENCIES = list('LATENCIES', '0ms 50ms 200ms', '0ms 200ms'); // the admission table's partner latencies
const CALLERS = list('CALLERS', '32 64 128 256 512 1024', '32 512'); // ... and callers at once
const ROW = num('ROW', 8, 1); // s, each admission row
const COLD_WAIT = num('COLD_WAIT', 30, 15); // s the fresh offer may take to be ready
const COLD_LOAD = num('COLD_LOAD', 10, 2); // s of 64 callers on it once ready
const BOUND = 1100; // ms: offer's timeout (1 s) + 100 ms
const GAP = SMOKE ? 0.4 : 1; // s between two scenarios, and the most an iteration may overrun its scenario
const REASONS = ['partner-answered', 'circuit-open', 'offer-busy', 'timeout', 'partner-unreachable', 'partner-error',
    'partner-bad-response'];
const metricOf = (reason) => 'reason_' + reason.replace(/-/g, '_');

// The timeline: each scenario starts GAP after the one before it ends. plan[name]: its URL, whether only cold
// offers may come (S2, S3, S4), its kind and numbers, for handleSummary.
const scenarios = {};
const plan = {};
let at = 0;
function add(name, fn, executor, seconds, info) {
    if (E.ONLY && !COLD && name !== 'watch' && !new RegExp(E.ONLY).test(name)) return; // ONLY: a regular expression of names
    scenarios[name] = Object.assign({ exec: fn, startTime: `${at}s`, gracefulStop: `${GAP}s`, tags: { target: info.target || name } }, executor);
    plan[name] = Object.assign({ from: at, seconds }, info);
    at = Math.round((at + seconds + GAP) * 10) / 10;
}
const closed = (name, vus, seconds, info) => add(name, 'offers', { executor: 'constant-vus', vus, duration: `${seconds}s` }, seconds, Object.assign({ vus }, info));
const open = (name, rate, vus, info) => add(name, 'offers', { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: `${OPEN}s`,
    preAllocatedVUs: vus, maxVUs: vus }, OPEN, Object.assign({ rate, vus, open: true }, info));
const url = (key) => E[key] + '/offers';

const warm = (name, seconds, info) => { if (seconds > 0) closed(name, VUS, seconds, info); };
const WINDOWS = [['P', 'P'], ['S1', 'S1'], ['S2', 'S2'], ['S3o', 'S3'], ['S4', 'S4']];
if (COLD) {
    add('cold', 'cold', { executor: 'per-vu-iterations', vus: 64, iterations: 1, maxDuration: `${COLD_WAIT + COLD_LOAD + 2}s` },
        COLD_WAIT + COLD_LOAD + 2, { url: url('COLD') });
} else if (ADMISSION) {
    for (const latency of LATENCIES) {
        add(`latency_${latency}`, 'latency', { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: '5s' }, 0.5, { latency });
        for (const callers of CALLERS) closed(`adm_${latency}_${callers}`, Number(callers), ROW, { url: url('S1'), latency, admission: true });
    }
} else {
    warm('warm_P', WARMUP, { url: url('P') });
    warm('warm_S1', 1.5 * WARMUP, { url: url('S1') });
    open('S1_open', RATE, Math.ceil(RATE * 1.2), { url: url('S1') });
    warm('warm_S2', WARMUP, { url: url('S2'), cold: true });
    open('S3_open', RATE, Math.ceil(RATE * 1.2), { url: url('S3'), cold: true });
    warm('warm_S3o', WARMUP, { url: url('S3'), cold: true });
    open('S4_open', RATE, Math.ceil(RATE * 1.2), { url: url('S4'), cold: true });
    warm('warm_S4', WARMUP, { url: url('S4'), cold: true });
    for (let round = 1; round <= ROUNDS; round++) {
        for (const [target, key] of WINDOWS) closed(`${target}_r${round}`, VUS, WINDOW, { url: url(key), target, cold: ['S2', 'S3', 'S4'].includes(key) });
    }
    open('S5_open', S5_RATE, VUS * S5_TIMES[S5_TIMES.length - 1], { url: url('S1'), s5: true });
    for (const times of S5_TIMES) closed(`S5x${times}`, VUS * times, S5_STEP, { url: url('S1'), s5: true });
}
if (!COLD && at > 0) {
    add('watch', 'watch', { executor: 'constant-arrival-rate', rate: 4, timeUnit: '1s', duration: `${at}s`, preAllocatedVUs: 2, maxVUs: 4,
        startTime: '0s' }, 0, {});
}
// ONLY picked none of this part's scenarios: k6 needs one, and this one asks nothing.
if (Object.keys(scenarios).length === 0) scenarios.nothing = { executor: 'shared-iterations', vus: 1, iterations: 1, exec: 'nothing' };
export function nothing() {}

// What k6 measures beyond its own http_* metrics. Every sample carries its scenario's name and target as tags.
const hot = new Rate('hot'); // per offer: hot (true) or cold
const reasons = Object.fromEntries(REASONS.map((r) => [r, new Counter(metricOf(r))]));
const wrong = new Counter('wrong_answers'); // non-200, not an offer, or hot where only cold can be
const limit = new Trend('admission_limit'); // offer S1's /circuit, 4 times a second, tagged with the scenario running
const circuitClosed = new Rate('circuit_closed');
const partnerFailures = new Trend('partner_failures');
const coldReady = new Gauge('cold_ready_ms'); // process start to /q/health/ready UP, as k6 saw it
const coldPolls = new Gauge('cold_polls'); // VU 1's polls until then: 1 means it was ready before k6 asked
const coldFirst = new Trend('cold_first_answer_ms', true); // the first GET /offers after ready
const coldSecond = new Counter('cold_answers'); // tagged with the second since the load began
const coldCircuit = new Gauge('cold_circuit_closed');
const coldFailures = new Gauge('cold_partner_failures');
const coldShed = new Gauge('cold_shed');
const after = {}; // each offer's /circuit at the end, from teardown
for (const key of ['S1', 'S2', 'S3', 'S4']) {
    after[key] = Object.fromEntries(['closed', 'partnerCalls', 'partnerFailures', 'rejected', 'shed', 'limit'].map((f) => [f, new Gauge(`after_${key}_${f}`)]));
}

// Thresholds: the targets (k6 prints ✓ or ✗ for each, and exits 99 when one is missed), and empty lists that only
// make k6 keep a scenario's or a tag's own figures (submetrics) for handleSummary.
const thresholds = { wrong_answers: ['count==0'] };
const keep = (metric) => { thresholds[metric] = thresholds[metric] || []; };
for (const [name, p] of Object.entries(plan)) {
    if (!p.url) continue;
    keep(`http_reqs{scenario:${name}}`);
    keep(`http_req_duration{scenario:${name}}`);
    keep(`hot{scenario:${name}}`);
    for (const r of REASONS) keep(`${metricOf(r)}{scenario:${name}}`);
    if (p.open) thresholds[`dropped_iterations{scenario:${name}}`] = ['count==0'];
    if (p.open && name !== 'S1_open' || p.s5) thresholds[`http_req_duration{scenario:${name}}`] = [`max<${BOUND}`];
    if (p.s5) {
        thresholds[`circuit_closed{during:${name}}`] = ['rate==1'];
        thresholds[`partner_failures{during:${name}}`] = ['max==0'];
    }
    if (p.admission) {
        thresholds[`hot{scenario:${name}}`] = ['rate>=0.99'];
        keep(`admission_limit{during:${name}}`);
        keep(`circuit_closed{during:${name}}`);
    }
}
if (COLD) {
    for (let s = 1; s <= COLD_LOAD; s++) keep(`cold_answers{second:${s}}`);
    Object.assign(thresholds, { cold_first_answer_ms: ['max<100'], cold_circuit_closed: ['value==1'], cold_partner_failures: ['value==0'] });
} else {
    for (const [target] of WINDOWS) { keep(`http_req_duration{target:${target}}`); keep(`hot{target:${target}}`); }
}

export const options = {
    scenarios,
    thresholds,
    summaryTrendStats: ['min', 'med', 'p(99)', 'p(99.9)', 'max', 'count'],
    setupTimeout: '30s',
    teardownTimeout: '30s',
};

function count(r, p) {
    const body = r.status === 200 && typeof r.body === 'string' ? r.body : '';
    const isHot = body.includes('"type":"hot"');
    if (r.status === 0 && /context canceled/.test(r.error)) return false; // cut at the end of its scenario
    if (!isHot && !body.includes('"type":"cold"')) wrong.add(1, { why: r.status === 200 ? 'not an offer' : `status ${r.status} ${r.error || ''}`.trim() });
    else if (isHot && p.cold) wrong.add(1, { why: 'a hot offer where only cold ones can be' });
    if (!body) return false;
    hot.add(isHot);
    const reason = /"reason":"([^"]*)"/.exec(body);
    if (reason && reasons[reason[1]]) reasons[reason[1]].add(1);
    return true;
}

export function setup() {
    for (const key of COLD ? ['COLD', 'COLD_STARTED'] : ['P', 'PARTNER', 'S1', 'S2', 'S3', 'S4']) {
        if (!E[key]) exec.test.abort(`no URL for ${key}: run bench/run.sh`);
    }
    return { t0: Date.now() };
}

export function offers() {
    const p = plan[exec.scenario.name];
    count(http.get(p.url, { timeout: '10s' }), p);
}

export function latency() {
    const p = plan[exec.scenario.name];
    const r = http.put(`${E.PARTNER}/latency`, p.latency, { headers: { 'Content-Type': 'text/plain' } });
    if (r.status !== 200) exec.test.abort(`PUT /latency ${p.latency}: ${r.status} ${r.body}`);
}

const circuit = (base) => {
    const r = http.get(`${base}/circuit`, { tags: { name: 'circuit' } });
    return r.status === 200 ? r.json() : null;
};

// 4 times a second over the whole run: offer S1's admission limit and circuit, tagged with the scenario running.
export function watch(data) {
    const now = (Date.now() - data.t0) / 1000;
    const during = Object.keys(plan).find((n) => plan[n].url && now >= plan[n].from && now < plan[n].from + plan[n].seconds);
    const c = circuit(E.S1);
    if (!during || !c) return;
    limit.add(c.limit, { during });
    circuitClosed.add(c.state === 'CLOSED', { during });
    partnerFailures.add(c.partnerFailures, { during });
}

// A fresh offer (bench/run.sh starts it, and this part once its port accepts): VU 1 polls /q/health/ready every 10 ms
// and sends the first GET /offers the instant it is UP; the other 63 poll every 0.5 s (not to load the start); each of
// the 64 then asks, again as soon as answered, for COLD_LOAD s from 0.5 s after it saw offer ready.
export function cold() {
    const p = plan.cold;
    const first = exec.vu.idInTest === 1;
    const deadline = Date.now() + COLD_WAIT * 1000;
    let ready = false;
    let polls = 0;
    while (!ready && Date.now() < deadline) {
        polls++;
        ready = http.get(`${E.COLD}/q/health/ready`, { tags: { name: 'ready' }, responseCallback: http.expectedStatuses(200, 503) }).status === 200;
        if (!ready) sleep(first ? 0.01 : 0.5);
    }
    if (!ready) return;
    if (first) {
        coldReady.add(Date.now() - Number(E.COLD_STARTED));
        coldPolls.add(polls);
        const r = http.get(p.url, { tags: { name: 'first' } });
        if (count(r, p)) coldFirst.add(r.timings.duration);
    }
    const begin = Date.now() + 500;
    sleep(Math.max(0, begin - Date.now()) / 1000);
    for (let now = Date.now(); now < begin + COLD_LOAD * 1000; now = Date.now()) {
        const second = String(Math.floor((now - begin) / 1000) + 1);
        count(http.get(p.url, { timeout: '10s' }), p);
        coldSecond.add(1, { second });
    }
    if (first) {
        sleep(1); // the others' last requests
        const c = circuit(E.COLD);
        if (c) { coldCircuit.add(c.state === 'CLOSED' ? 1 : 0); coldFailures.add(c.partnerFailures); coldShed.add(c.shed); }
    }
}

export function teardown() {
    for (const key of COLD || ADMISSION ? [] : Object.keys(after)) {
        const c = circuit(E[key]);
        if (!c) continue;
        after[key].closed.add(c.state === 'CLOSED' ? 1 : 0);
        for (const f of ['partnerCalls', 'partnerFailures', 'rejected', 'shed', 'limit']) after[key][f].add(c[f]);
    }
}

// ---- The results, from k6's summary data (every figure below is one of k6's metrics or submetrics). ----

const metric = (name) => (globalThis.SUMMARY.metrics[name] || { values: {} });
const v = (name, stat) => metric(name).values[stat];
const fixed = (x, digits = 0) => (x === undefined || x === null || Number.isNaN(x) ? '-' : Number(x).toFixed(digits));
const rps = (name) => (v(`http_reqs{scenario:${name}}`, 'count') || 0) / plan[name].seconds;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ok = (name, source) => {
    const t = (metric(name).thresholds || {})[source];
    return t === undefined ? '' : t.ok ? '✓' : '✗';
};
const reasonCounts = (scope) => REASONS.map((r) => [r, v(`${metricOf(r)}{${scope}}`, 'count') || 0]).filter(([, n]) => n > 0);
const reasonText = (scope) => reasonCounts(scope).map(([r, n]) => `${r} ${n}`).join(', ') || '-';
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function handleSummary(data) {
    globalThis.SUMMARY = data;
    const out = [];
    const verdicts = [];
    const target = (what, measured, met) => verdicts.push([what, measured, met ? '✓' : '✗']);
    const wrongs = [];
    if (COLD) coldResults(out, target);
    else mainResults(out, target, wrongs);
    // Wrong answers fail the run (bench/run.sh reads VERDICT); the targets are reported.
    const wrongN = v('wrong_answers', 'count') || 0;
    if (wrongN) wrongs.unshift(`${wrongN} wrong answers (non-200, not an offer, or hot where only cold can be): wrong_answers in the JSON summary, tagged why`);
    target(`wrong answers: none${COLD ? '' : ', and hot offers from S1\'s offer'}; these fail the run`, wrongs.join('; ') || 'none', wrongs.length === 0);
    out.push(`\n### Targets${COLD ? ': cold start' : ADMISSION ? ': admission' : ''}\n`, table(['target', 'measured', ''], verdicts));
    const md = out.join('\n') + '\n';
    const files = { stdout: md };
    if (E.OUT) files[E.OUT] = md;
    if (E.JSON) files[E.JSON] = JSON.stringify(data, null, 1);
    if (E.VERDICT) files[E.VERDICT] = wrongs.length ? wrongs.join('\n') + '\n' : 'ok\n';
    return files;
}

function coldResults(out, target) {
    out.push(`# Benchmark results: ${E.JAVA_VERSION || 'JDK ?'}${SMOKE ? ', smoke run (SMOKE=1)' : ''}\n`,
        `Run on ${new Date().toISOString().slice(0, 10)} by \`bench/run.sh\`: k6 ${E.K6_VERSION || ''} runs \`bench/bench.js\`; load average ${E.LOAD_BEFORE || '?'} before the run.`,
        'Services: `java ' + (E.JAVA_OPTS || '') + ' -jar quarkus-run.jar` from each `target/quarkus-app`' + (E.AOT ? ', with `-XX:AOTCache=app.aot`' : '') + '.',
        'k6 and the services share the machine\'s cores: compare the ratios measured in this one run, not absolute figures across runs.',
        'What each scenario and column is: [README.md](README.md). ✓ met, ✗ missed: k6\'s own thresholds, or computed from k6\'s figures where a target is a ratio.');
    const perSecond = [];
    for (let s = 1; s <= COLD_LOAD; s++) perSecond.push(v(`cold_answers{second:${s}}`, 'count') || 0);
    const all = perSecond.reduce((a, b) => a + b, 0);
    const hotN = v('hot{scenario:cold}', 'passes') || 0;
    const coldN = v('hot{scenario:cold}', 'fails') || 0;
    const shed = v('cold_shed', 'value');
    const closedNow = v('cold_circuit_closed', 'value');
    out.push('\n## Cold start: a fresh offer, from the instant it reports ready (k6 run of its own, `PART=cold`)\n', table(
        ['process start to ready, ms', 'k6\'s polls (10 ms apart)', 'first GET /offers after ready, ms', `answers in ${COLD_LOAD} s, 64 callers`, 'hot share', 'circuit after', 'partnerFailures', 'shed (share)', 'answers in each second'],
        [[fixed(v('cold_ready_ms', 'value')), fixed(v('cold_polls', 'value')), fixed(v('cold_first_answer_ms', 'max'), 1), all, `${fixed(100 * hotN / ((hotN + coldN) || 1), 1)} %`,
            closedNow === 1 ? 'CLOSED' : closedNow === 0 ? 'not CLOSED' : '-', fixed(v('cold_partner_failures', 'value')),
            shed === undefined ? '-' : `${shed} (${fixed(100 * shed / (all || 1), 1)} %)`, perSecond.join(' ')]]));
    target('cold: the first GET /offers after ready within 100 ms', `${fixed(v('cold_first_answer_ms', 'max'), 1)} ms`, ok('cold_first_answer_ms', 'max<100') === '✓');
    target('cold: circuit CLOSED, no partner failure, after 64 callers', `${closedNow === 1 ? 'CLOSED' : 'not CLOSED'}, ${fixed(v('cold_partner_failures', 'value'))} failures`,
        ok('cold_circuit_closed', 'value==1') === '✓' && ok('cold_partner_failures', 'value==0') === '✓');
}

function mainResults(out, target, wrongs) {
    const duration = (n) => `http_req_duration{scenario:${n}}`;
    // Closed model, alternating windows.
    const med = {};
    const rows = WINDOWS.filter(([t]) => plan[`${t}_r1`]).map(([t]) => {
        const each = [];
        for (let r = 1; r <= ROUNDS; r++) each.push(rps(`${t}_r${r}`));
        med[t] = median(each);
        const d = `http_req_duration{target:${t}}`;
        return [t, fixed(med[t]), each.map((x) => fixed(x)).join(' '), fixed(v(d, 'med'), 2), fixed(v(d, 'p(99)'), 2), fixed(v(d, 'max'), 2),
            v(`hot{target:${t}}`, 'passes') || 0, v(`hot{target:${t}}`, 'fails') || 0];
    });
    if (rows.length) out.push(`\n## Closed model: ${VUS} callers, ${ROUNDS} rounds of ${WINDOW} s windows P, S1, S2, S3o, S4, after ${WARMUP} s of warm-up each (S1 ${1.5 * WARMUP} s)\n`,
        table(['scenario', 'median req/s', 'req/s in each round', 'p50 ms', 'p99 ms', 'max ms', 'hot', 'cold'], rows));
    const ratio = (a, b, min, words) => { const x = med[a] / med[b]; if (!Number.isNaN(x)) target(`${a}/${b} ≥ ${min}: ${words}`, fixed(x, 3), x >= min); };
    ratio('S1', 'P', 0.35, 'a hot answer is three HTTP exchanges on the same cores');
    ratio('S2', 'P', 0.85, 'an open circuit costs almost nothing');
    ratio('S3o', 'P', 0.85, 'the open phase of a hanging partner');
    ratio('S4', 'S2', 0.9, 'an endless body costs no more than a dead partner');
    // S1's offer answered hot offers in some scenario: on a machine that stalls for a second, its circuit opens (as it
    // should) and may stay open through S1's own scenarios, in the smoke run above all.
    const s1 = Object.keys(plan).filter((n) => plan[n].url === url('S1'));
    if (s1.length && !E.ONLY && !(s1.reduce((a, n) => a + (v(`hot{scenario:${n}}`, 'passes') || 0), 0) > 0)) wrongs.push('no hot offer from S1\'s offer');

    // Open model.
    const opens = Object.keys(plan).filter((n) => plan[n].open);
    if (opens.length) out.push(`\n## Open model: a constant arrival rate for ${OPEN} s (each request starts on time, answered or not the ones before)\n`,
        table(['scenario', 'req/s asked', 'VUs at most', 'req/s answered', 'dropped (no VU free)', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'hot', 'cold by reason'],
            opens.map((n) => [n, plan[n].rate, plan[n].vus, fixed(rps(n)), v(`dropped_iterations{scenario:${n}}`, 'count') || 0, fixed(v(duration(n), 'med'), 1),
                fixed(v(duration(n), 'p(99)'), 1), fixed(v(duration(n), 'p(99.9)'), 1), fixed(v(duration(n), 'max'), 1), v(`hot{scenario:${n}}`, 'passes') || 0,
                reasonText(`scenario:${n}`)])));
    for (const n of opens) {
        const dropped = v(`dropped_iterations{scenario:${n}}`, 'count') || 0;
        if (n !== 'S1_open') target(`${n}: no answer later than timeout + 100 ms`, `max ${fixed(v(duration(n), 'max'), 1)} ms`, ok(duration(n), `max<${BOUND}`) === '✓');
        target(`${n}: every request sent on time (no dropped iteration)`, `${dropped} dropped`, dropped === 0);
    }

    // S5.
    const s5 = Object.keys(plan).filter((n) => plan[n].s5);
    if (s5.length) out.push('\n## S5, overload: offer S1, its partner healthy, many times S1\'s callers\n',
        table(['scenario', 'callers (VUs)', 'req/s', 'p99 ms', 'max ms', 'answers', 'shed (`offer-busy`)', 'other reasons', '/circuit CLOSED', 'partnerFailures (max)'],
            s5.map((n) => {
                const all = v(`http_reqs{scenario:${n}}`, 'count') || 0;
                const busy = v(`reason_offer_busy{scenario:${n}}`, 'count') || 0;
                return [n, plan[n].vus, fixed(rps(n)), fixed(v(duration(n), 'p(99)'), 1), fixed(v(duration(n), 'max'), 1), all, `${busy} (${fixed(100 * busy / (all || 1), 1)} %)`,
                    reasonCounts(`scenario:${n}`).filter(([r]) => r !== 'offer-busy').map(([r, c]) => `${r} ${c}`).join(', ') || '-',
                    `${fixed(100 * (v(`circuit_closed{during:${n}}`, 'rate') || 0))} % of ${v(`circuit_closed{during:${n}}`, 'passes') + v(`circuit_closed{during:${n}}`, 'fails') || 0} readings`,
                    fixed(v(`partner_failures{during:${n}}`, 'max'))];
            })));
    for (const n of s5) {
        target(`${n}: circuit CLOSED, no partner failure`, `${fixed(100 * (v(`circuit_closed{during:${n}}`, 'rate') || 0))} % CLOSED, at most ${fixed(v(`partner_failures{during:${n}}`, 'max'))} failures`,
            ok(`circuit_closed{during:${n}}`, 'rate==1') === '✓' && ok(`partner_failures{during:${n}}`, 'max==0') === '✓');
        if (!plan[n].open) target(`${n}: no answer later than timeout + 100 ms`, `max ${fixed(v(duration(n), 'max'), 1)} ms`, ok(duration(n), `max<${BOUND}`) === '✓');
    }

    // Each offer at the end.
    if (!ADMISSION) out.push('\n## Each offer\'s `GET /circuit` at the end (teardown)\n', table(['offer', 'state', 'partnerCalls', 'partnerFailures', 'rejected', 'shed', 'limit'],
        ['S1', 'S2', 'S3', 'S4'].map((k) => [k, v(`after_${k}_closed`, 'value') === 1 ? 'CLOSED' : 'not CLOSED',
            ...['partnerCalls', 'partnerFailures', 'rejected', 'shed', 'limit'].map((f) => fixed(v(`after_${k}_${f}`, 'value')))])));

    // Admission. Where the partner's latency bounds the rate (callers / latency below what the 0 ms row with as many
    // callers answered: the cores' bound), hot answers/s should come to 0.95 of callers / latency (Little's law).
    const adm = Object.keys(plan).filter((n) => plan[n].admission);
    const little = [];
    if (!adm.length) return;
    out.push(`\n## Admission across loads (k6 run of its own, \`PART=admission\`): offer S1, callers at once × its partner's latency (PUT /latency), ${ROW} s each\n`,
        table(['partner latency', 'callers', 'answers/s', 'hot share (≥ 99 %)', 'hot/s', 'callers / latency', 'hot/s : that (≥ 0.95 where it bounds)', 'p99 ms', 'max ms', 'offer-busy', 'other cold', 'limit (min-max)', '/circuit CLOSED'],
            adm.map((n) => {
                const p = plan[n];
                const ms = parseInt(p.latency, 10);
                const hotN = v(`hot{scenario:${n}}`, 'passes') || 0;
                const coldN = v(`hot{scenario:${n}}`, 'fails') || 0;
                const busy = v(`reason_offer_busy{scenario:${n}}`, 'count') || 0;
                const bound = ms > 0 ? p.vus * 1000 / ms : 0;
                const cores = plan[`adm_0ms_${p.vus}`] ? rps(`adm_0ms_${p.vus}`) : Infinity;
                const share = bound ? hotN / ROW / bound : 0;
                let judged = '';
                if (bound && bound < cores) { judged = share >= 0.95 ? ' ✓' : ' ✗'; little.push([n, share]); }
                else if (bound) judged = ' (the cores bound it)';
                const closedRate = v(`circuit_closed{during:${n}}`, 'rate');
                const lim = `admission_limit{during:${n}}`;
                return [p.latency, p.vus, fixed(rps(n)), `${fixed(100 * hotN / ((hotN + coldN) || 1), 1)} % ${ok(`hot{scenario:${n}}`, 'rate>=0.99')}`, fixed(hotN / ROW),
                    bound ? fixed(bound) : '-', bound ? fixed(share, 3) + judged : '-', fixed(v(duration(n), 'p(99)')), fixed(v(duration(n), 'max')), busy, coldN - busy,
                    v(lim, 'count') ? `${v(lim, 'min')}-${v(lim, 'max')}` : '-', closedRate === undefined ? '-' : `${fixed(100 * closedRate)} %`];
            })));
    const lowHot = adm.filter((n) => ok(`hot{scenario:${n}}`, 'rate>=0.99') === '✗');
    target('admission: ≥ 99 % hot in every row', lowHot.length ? `missed in ${lowHot.join(', ')}` : 'every row', lowHot.length === 0);
    const under = little.filter(([, x]) => x < 0.95);
    target('admission: hot/s ≥ 0.95 of callers / latency where the latency bounds the rate', little.length
        ? little.map(([n, x]) => `${n.replace('adm_', '')} ${fixed(x, 3)}`).join(', ') : 'no row bound by the latency', under.length === 0);

}
