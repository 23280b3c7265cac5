package dev.lifeboat.support;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.lifeboat.job.JobArgs;

import java.util.Map;

/**
 * Arguments of the test kinds ({@link ScriptedHandler}'s {@code scripted}, and the kinds tests make up:
 * {@code raw}, {@code crashy}…): a script of behaviour as a JSON object. The kind names the job when
 * it is enqueued; read back from a row it is {@code scripted} (test handlers do not look at it).
 */
public record ScriptArgs(@JsonIgnore String kind, @JsonValue Map<String, Object> script) implements JobArgs {
    public ScriptArgs {
        script = script == null ? Map.of() : Map.copyOf(script);
    }

    /** A {@code scripted} job's arguments. */
    @JsonCreator
    public static ScriptArgs of(Map<String, Object> script) {
        return new ScriptArgs(ScriptedHandler.KIND, script);
    }

    public static ScriptArgs of(String kind, Map<String, Object> script) {
        return new ScriptArgs(kind, script);
    }

    public Object get(String key) {
        return script.get(key);
    }
}
