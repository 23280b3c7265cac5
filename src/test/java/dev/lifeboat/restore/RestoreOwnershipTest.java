package dev.lifeboat.restore;

import dev.lifeboat.target.Compression;
import dev.lifeboat.target.DumpFormat;
import dev.lifeboat.target.Profile;
import dev.lifeboat.target.RetentionRules;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Tls;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pg_restore options each restore.* setting gives (restores and drills both use them). */
class RestoreOwnershipTest {

    static Target target(Target.RestoreOptions options) {
        return new Target("mastodon", "db", 5432, "mastodon_production", "mastodon", List.of("s3"), Profile.MASTODON,
                new Target.PasswordSource.None(), DumpFormat.CUSTOM, 1, Compression.defaults(), false, options, RetentionRules.NONE, Target.Schedule.NONE, Tls.DEFAULT, Target.DrillOptions.DEFAULT);
    }

    @Test
    void byDefaultObjectsBelongToTheTargetsRoleAndGrantsAreKept() {
        assertThat(target(Target.RestoreOptions.defaults("mastodon")).restore().pgRestoreOptions())
                .containsExactly("--no-owner", "--role=mastodon");
    }

    @Test
    void anotherRoleNoPrivilegesOrTheDumpsOwners() {
        Duration t = Duration.ofSeconds(60);
        assertThat(target(new Target.RestoreOptions("app_owner", false, false, 1, null, null, t, null, java.util.List.of())).restore().pgRestoreOptions())
                .containsExactly("--no-owner", "--role=app_owner", "--no-privileges");
        assertThat(target(new Target.RestoreOptions("mastodon", true, true, 1, null, null, t, null, java.util.List.of())).restore().pgRestoreOptions()).isEmpty();
        assertThat(target(new Target.RestoreOptions("mastodon", true, false, 1, null, null, t, null, java.util.List.of())).restore().pgRestoreOptions())
                .containsExactly("--no-privileges");
    }
}
