package dev.lifeboat.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.anonymous;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.backup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/**
 * What the dashboard reads besides the existing API: {@code GET /whoami} (the token's role and what it
 * may do) and each target's {@code health} (the traffic light and the facts behind it). The green
 * path (red, amber after a backup, green after a drill) is DashboardBrowserTest's.
 */
@QuarkusTest
class TargetHealthTest {

    @Test
    void whoAmISaysTheTokensRoleAndWhatItMayDo() {
        as(VIEWER).get("/api/v1/whoami").then().statusCode(200);
        JsonPath viewer = as(VIEWER).get("/api/v1/whoami").jsonPath();
        assertThat(viewer.getString("token")).isEqualTo("viewer");
        assertThat(viewer.getString("role")).isEqualTo("viewer");
        assertThat(viewer.getList("may", String.class)).containsExactly("read");
        assertThat(as(OPERATOR).get("/api/v1/whoami").jsonPath().getList("may", String.class))
                .containsExactly("read", "backup", "drill", "verify", "cancel", "prune");
        assertThat(as(ADMIN).get("/api/v1/whoami").jsonPath().getList("may", String.class))
                .contains("backup", "restore", "pin", "delete").doesNotHaveDuplicates();
        anonymous().get("/api/v1/whoami").then().statusCode(401).contentType(Problem.MEDIA_TYPE)
                .body("detail", containsString("bearer token"));
        as("not-a-token").get("/api/v1/whoami").then().statusCode(401).body("detail", containsString("not valid"));
    }

    @Test
    void aFailedBackupTurnsTheTargetRedSayingWhy() {
        assertThat(backup("wrongpw").getString("status")).isEqualTo("failed");
        JsonPath health = as(VIEWER).get("/api/v1/targets/wrongpw").jsonPath().setRootPath("health");
        assertThat(health.getString("status")).isEqualTo("red");
        assertThat(health.getString("lastBackupJob.status")).isEqualTo("failed");
        assertThat(health.getList("reasons", String.class))
                .anySatisfy(r -> assertThat(r).startsWith("The last backup failed:").contains("password authentication failed"))
                .anySatisfy(r -> assertThat(r).startsWith("No good backup"));
        assertThat(health.getString("lastGoodBackup")).isNull();
        // The list shows the same health as the single target.
        JsonPath list = as(VIEWER).get("/api/v1/targets").jsonPath();
        assertThat(list.getString("items.find { it.name == 'wrongpw' }.health.status")).isEqualTo("red");
    }

    @Test
    void schedulesGiveTheNextRunsAndTheAllowedAge() {
        JsonPath beta = as(VIEWER).get("/api/v1/targets/beta").jsonPath().setRootPath("health");
        assertThat(beta.getString("backupSchedule")).isEqualTo("0 0 3 1 1 ? 2099");
        assertThat(beta.getString("nextBackup")).startsWith("2099-01-01T");
        assertThat(beta.getString("nextDrill")).startsWith("2099-01-01T");
        // A schedule that never fired before has no interval yet: the unscheduled allowance applies.
        assertThat(beta.getLong("backupMaxAgeSeconds")).isEqualTo(TargetHealth.UNSCHEDULED_MAX_AGE.toSeconds());
        JsonPath alpha = as(VIEWER).get("/api/v1/targets/alpha").jsonPath().setRootPath("health");
        assertThat(alpha.getString("nextBackup")).isNull();
        assertThat(alpha.getLong("backupMaxAgeSeconds")).isEqualTo(26 * 3600);
    }

    @Test
    void aDailyScheduleAllowsADayAndAHalf() {
        Instant now = Instant.parse("2026-12-03T10:00:00Z");
        TargetHealth.Schedule daily = TargetHealth.Schedule.of("0 0 3 * * ?", now, ZoneOffset.UTC);
        assertThat(daily.next()).isEqualTo(Instant.parse("2026-12-04T03:00:00Z"));
        assertThat(daily.interval()).isEqualTo(Duration.ofDays(1));
        TargetHealth.Schedule sundays = TargetHealth.Schedule.of("0 0 5 ? * SUN", now, ZoneOffset.UTC);
        assertThat(sundays.interval()).isEqualTo(Duration.ofDays(7));
        // Weekdays only: on a Sunday the gap is Friday to Monday, so Friday's backup is not overdue over the weekend.
        Instant sunday = Instant.parse("2026-12-06T10:00:00Z");
        assertThat(TargetHealth.Schedule.of("0 0 3 ? * MON-FRI", sunday, ZoneOffset.UTC).interval()).isEqualTo(Duration.ofDays(3));
        assertThat(TargetHealth.Schedule.of("0 0 3 ? * MON-FRI", now, ZoneOffset.UTC).interval()).isEqualTo(Duration.ofDays(1));
        assertThat(TargetHealth.Schedule.of(null, now, ZoneOffset.UTC).next()).isNull();
        assertThat(List.of(TargetHealth.human(Duration.ofHours(36)), TargetHealth.human(Duration.ofMinutes(5)))).containsExactly("36 h", "5 min");
    }
}
