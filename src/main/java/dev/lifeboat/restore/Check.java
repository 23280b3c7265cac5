package dev.lifeboat.restore;

import java.util.LinkedHashMap;
import java.util.Map;

/** One check of a restored database (a drill reports them all; a replace restore requires them to pass). */
public record Check(String name, boolean passed, String detail) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("passed", passed);
        m.put("detail", detail);
        return m;
    }
}
