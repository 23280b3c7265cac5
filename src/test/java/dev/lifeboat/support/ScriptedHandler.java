package dev.lifeboat.support;

import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.PermanentJobException;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test handler (kind {@code scripted}) whose behaviour the job's args choose:
 * {@code sleepMs}, {@code hangFirstAttempt} (until stopped), {@code failTimes} (retryable failures before success), {@code permanent}
 * (fail permanently), {@code waitForCancel} (block until told to stop), {@code childProcess}
 * (start {@code sleep 600} and kill it on cancel). It records every execution so tests can check
 * exactly-once and per-target exclusivity.
 */
@Singleton // no client proxy: tests read the recording fields directly
public class ScriptedHandler implements JobHandler<ScriptArgs, Object> {
    public static final String KIND = "scripted";

    /** One execution: which job, which attempt, which worker. */
    public record Execution(UUID jobId, int attempt, String workerId, String target) {
    }

    public final List<Execution> executions = new CopyOnWriteArrayList<>();
    public final Map<String, AtomicInteger> runningPerTarget = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> maxPerTarget = new ConcurrentHashMap<>();
    public final AtomicInteger runningTotal = new AtomicInteger();
    public final AtomicInteger maxTotal = new AtomicInteger();
    public final Map<UUID, ProcessHandle> children = new ConcurrentHashMap<>();
    public final Map<UUID, Boolean> started = new ConcurrentHashMap<>();

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Class<ScriptArgs> argsType() {
        return ScriptArgs.class;
    }

    @Override
    public JobOutcome<Object> run(JobContext ctx, ScriptArgs args) throws Exception {
        return runScript(ctx, args, this);
    }

    public static JobOutcome<Object> runScript(JobContext ctx, ScriptArgs args, ScriptedHandler rec) throws Exception {
        Map<String, Object> a = args.script();
        String target = ctx.target() == null ? "-" : ctx.target();
        rec.executions.add(new Execution(ctx.jobId(), ctx.attempt(), ctx.workerId(), ctx.target()));
        int now = rec.runningPerTarget.computeIfAbsent(target, t -> new AtomicInteger()).incrementAndGet();
        rec.maxPerTarget.computeIfAbsent(target, t -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        rec.maxTotal.accumulateAndGet(rec.runningTotal.incrementAndGet(), Math::max);
        rec.started.put(ctx.jobId(), true);
        try {
            ctx.progress("working", 1L, 2L);
            if (a.get("sleepMs") instanceof Number n) {
                ctx.awaitStop(n.longValue(), TimeUnit.MILLISECONDS);
            }
            if (Boolean.TRUE.equals(a.get("hangFirstAttempt")) && ctx.attempt() == 1) {
                ctx.awaitStop(10, TimeUnit.MINUTES);
                ctx.throwIfCancelled();
            }
            if (Boolean.TRUE.equals(a.get("childProcess"))) {
                Process p = new ProcessBuilder("sleep", "600").start();
                rec.children.put(ctx.jobId(), p.toHandle());
                ctx.onCancel(p::destroyForcibly);
                p.waitFor();
                ctx.throwIfCancelled();
            }
            if (Boolean.TRUE.equals(a.get("waitForCancel"))) {
                while (!ctx.awaitStop(100, TimeUnit.MILLISECONDS)) {
                    // a handler checks between units of work
                }
                ctx.throwIfCancelled();
            }
            if (Boolean.TRUE.equals(a.get("permanent"))) {
                throw new PermanentJobException("password authentication failed for user \"scripted\"");
            }
            if (a.get("failTimes") instanceof Number n && ctx.attempt() <= n.intValue()) {
                throw new IllegalStateException("transient failure on attempt " + ctx.attempt());
            }
            return JobOutcome.succeeded(Map.of("attempt", ctx.attempt(), "echo", a.getOrDefault("echo", "ok")));
        } finally {
            rec.runningPerTarget.get(target).decrementAndGet();
            rec.runningTotal.decrementAndGet();
        }
    }

    public long executionsOf(UUID id) {
        return executions.stream().filter(e -> e.jobId().equals(id)).count();
    }
}
