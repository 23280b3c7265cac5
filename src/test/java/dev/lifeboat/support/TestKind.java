package dev.lifeboat.support;

import dev.lifeboat.job.JobHandler;

/** A handler of a kind a test makes up, with {@link ScriptArgs} and any result. */
public abstract class TestKind implements JobHandler<ScriptArgs, Object> {
    @Override
    public Class<ScriptArgs> argsType() {
        return ScriptArgs.class;
    }
}
