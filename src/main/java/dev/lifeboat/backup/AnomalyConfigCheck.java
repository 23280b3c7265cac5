package dev.lifeboat.backup;

import dev.lifeboat.config.ConfigCheck;
import dev.lifeboat.config.ConfigProblems;
import dev.lifeboat.config.LifeboatConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** The anomaly part of the start-up validation ({@code lifeboat.anomaly.*}, see {@link Anomalies}). */
@ApplicationScoped
public class AnomalyConfigCheck implements ConfigCheck {
    @Override
    public void check(LifeboatConfig config, ConfigProblems problems) {
        LifeboatConfig.Anomaly a = config.anomaly();
        if (a.rowDropFraction() <= 0 || a.rowDropFraction() >= 1 || a.sizeDropFraction() <= 0 || a.sizeDropFraction() >= 1) {
            problems.add("lifeboat.anomaly.row-drop-fraction and size-drop-fraction must be between 0 and 1 (e.g. 0.05 for 5 %)");
        }
    }
}
