#!/usr/bin/env python3
"""The checks of bench/chaos.sh that read files rather than databases or storage.

Usage:
  verdict.py jobs SUBMITTED_TSV JOBS_JSON
      every submitted job is in Lifeboat's job table in exactly one terminal state; no job at all
      (follow-ups included) is queued or running
  verdict.py attempts EVENTS_TSV END_EPOCH
      no job had two attempts running at once, from the replicas' "attempt start/end" log lines; an
      attempt still open when its replica was killed with -9 ends at the recorded kill time
  verdict.py webhooks JOBS_JSON RECEIVER_LOG
      every webhook event the finished jobs call for was delivered exactly once (by X-Lifeboat-Delivery),
      and none that they do not call for

Each prints its findings, then as its LAST line "violations <n>".
"""
import collections
import datetime
import json
import re
import sys

TERMINAL = {"succeeded", "failed", "cancelled"}


def load_jobs(path):
    with open(path, encoding="utf-8") as f:
        return {j["id"]: j for j in json.load(f)}


def show(items, limit=20):
    items = list(items)
    for line in items[:limit]:
        print("   ", line)
    if len(items) > limit:
        print(f"    ... and {len(items) - limit} more")


def verdict(*groups):
    """Prints each (title, items) group that has items as a violation, then the "violations <n>" line."""
    for title, items in groups:
        if items:
            print(f"  VIOLATION {title}: {len(items)}")
            show(items)
    print(f"violations {sum(len(items) for _, items in groups)}")


def check_jobs(submitted_tsv, jobs_json):
    jobs = load_jobs(jobs_json)
    submitted = []
    with open(submitted_tsv, encoding="utf-8") as f:
        for line in f:
            epoch, job_id, label, target, key = line.rstrip("\n").split("\t")[:5]
            submitted.append((job_id, label, target, key))
    missing, not_terminal, by_label = [], [], collections.defaultdict(collections.Counter)
    seen = collections.Counter(s[0] for s in submitted)
    for job_id, label, target, key in submitted:
        j = jobs.get(job_id)
        if j is None:
            missing.append(f"{job_id} ({label} {target}, key {key}) is not in the job table")
            continue
        by_label[label][j["state"]] += 1
        if j["state"] not in TERMINAL or j["finished_at"] is None:
            not_terminal.append(f"{job_id} ({label} {target}) is {j['state']}, attempt {j['attempt']}, finished_at {j['finished_at']}")
    # follow-ups (prunes after backups, notify deliveries) are jobs too, though not submitted
    stuck = [f"{j['id']} ({j['kind']} {j['target']}) is {j['state']}, attempt {j['attempt']}"
             for j in jobs.values() if j["state"] not in TERMINAL and j["id"] not in seen]
    replayed = [f"{i}: {n} submissions answered with this job (Idempotency-Key replays)" for i, n in seen.items() if n > 1]
    states = collections.Counter(j["state"] for j in jobs.values())
    kinds = collections.Counter(j["kind"] for j in jobs.values())
    print(f"  submitted jobs: {len(set(seen))}; the job table holds {len(jobs)} jobs ({dict(sorted(kinds.items()))}),"
          f" by state {dict(sorted(states.items()))}")
    for label in sorted(by_label):
        print(f"    {label}: {dict(sorted(by_label[label].items()))}")
    if replayed:
        print(f"  {len(replayed)} job(s) answered more than one submission (a POST retried on another replica with the same Idempotency-Key):")
        show(replayed, 5)
    verdict(("submitted but not in the job table", missing), ("submitted and not in a terminal state", not_terminal),
            ("follow-up jobs still queued or running", stuck))


LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .*attempt (start|end) job=(\S+) kind=(\S+) attempt=(\d+) worker=(\S+)"
                  r"(?: outcome=(\S+))?")


def stamp(text):
    # Quarkus logs the JVM's local time, which is this machine's (the replicas run here)
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def check_attempts(events_tsv, end_epoch):
    end_epoch = float(end_epoch)
    incarnations, kills = [], {}
    with open(events_tsv, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] == "start":      # start <epoch> <replica> <pid> <incarnation> <log>
                incarnations.append((p[2], p[4], p[5]))
            elif p[0] in ("kill", "died"):  # kill|died <epoch> <replica> <pid> <incarnation>
                kills[(p[2], p[4])] = float(p[1])
    intervals = collections.defaultdict(list)  # job -> [(start, end, who, outcome)]
    lines = opened_at_kill = still_open = 0
    for replica, inc, log in incarnations:
        open_ = {}
        with open(log, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = LINE.match(line)
                if not m:
                    continue
                lines += 1
                t, what, job, kind, attempt, worker, outcome = m.groups()
                k = (job, attempt, worker)
                if what == "start":
                    open_[k] = (stamp(t), kind)
                elif k in open_:
                    start, kind = open_.pop(k)
                    intervals[job].append((start, stamp(t), f"r{replica}.{inc} {worker} attempt {attempt} ({kind})", outcome))
        kill = kills.get((replica, inc))
        for (job, attempt, worker), (start, kind) in open_.items():
            if kill is not None:
                opened_at_kill += 1
                intervals[job].append((start, kill, f"r{replica}.{inc} {worker} attempt {attempt} ({kind})", "killed -9"))
            else:
                still_open += 1
                intervals[job].append((start, end_epoch, f"r{replica}.{inc} {worker} attempt {attempt} ({kind})", "STILL OPEN"))
    overlaps = []
    for job, ivs in intervals.items():
        ivs.sort()
        latest = None
        for iv in ivs:
            if latest is not None and iv[0] < latest[1]:
                overlaps.append(f"job {job}: {iv[2]} started {iv[0]:.3f}, before {latest[2]} ended {latest[1]:.3f}"
                                f" ({latest[3]}; {latest[1] - iv[0]:.3f} s together)")
            if latest is None or iv[1] > latest[1]:
                latest = iv
    n = sum(len(v) for v in intervals.values())
    multi = sum(1 for v in intervals.values() if len(v) > 1)
    print(f"  {len(incarnations)} replica runs, {lines} attempt lines: {n} attempts of {len(intervals)} jobs ({multi} jobs with more"
          f" than one attempt), {opened_at_kill} attempts ended by kill -9, {still_open} still open at the end")
    verdict(("attempts of one job running at once", overlaps))


NEWS = {"backup", "restore", "drill", "verify", "prune", "catalog_rebuild"}  # notify.Notifier.KINDS


def expected_events(j):
    if j["kind"] not in NEWS or j["state"] not in ("succeeded", "failed"):
        return []
    if j["state"] == "failed":
        return ["job.failed"]
    events = ["job.succeeded"]
    result = j.get("result") or {}
    if j["kind"] == "drill" and "passed" in result:
        events.append("drill.passed" if result["passed"] else "drill.failed")
    if j["kind"] == "backup" and result.get("warnings"):
        events.append("anomaly.detected")
    return events


def check_webhooks(jobs_json, receiver_log):
    jobs = load_jobs(jobs_json)
    expected = {(e, j["id"]) for j in jobs.values() for e in expected_events(j)}
    deliveries = collections.defaultdict(collections.Counter)  # (event, job) -> delivery id -> requests
    hooks = collections.Counter()
    with open(receiver_log, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["path"] != "/webhook":
                hooks[r["path"]] += 1
                continue
            body = r["body"] or {}
            deliveries[(r["event"] or body.get("event"), (body.get("job") or {}).get("id"))][r["delivery"]] += 1
    missing = sorted(f"{e} of job {i} ({jobs[i]['kind']} {jobs[i]['target']}, {jobs[i]['state']})" for e, i in expected - deliveries.keys())
    unexpected = sorted(f"{e} of job {i}: no finished job calls for it ({(jobs.get(i) or {}).get('state', 'unknown job')})"
                        for e, i in deliveries.keys() - expected)
    twice = sorted(f"{e} of job {i}: {len(d)} deliveries {sorted(d)}" for (e, i), d in deliveries.items() if len(d) > 1)
    again = sum(n - 1 for d in deliveries.values() for n in d.values())
    by_event = collections.Counter(e for e, _ in deliveries)
    print(f"  {len(expected)} events called for by the finished jobs; received {sum(len(d) for d in deliveries.values())} distinct"
          f" deliveries ({dict(sorted(by_event.items()))}); {again} repeated request(s) of a delivery already received (same"
          f" X-Lifeboat-Delivery: a receiver drops them); restore hooks called: {dict(sorted(hooks.items()))}")
    verdict(("events never delivered", missing), ("events delivered under more than one X-Lifeboat-Delivery", twice),
            ("deliveries of events no finished job calls for", unexpected))


if __name__ == "__main__":
    {"jobs": check_jobs, "attempts": check_attempts, "webhooks": check_webhooks}[sys.argv[1]](*sys.argv[2:])
