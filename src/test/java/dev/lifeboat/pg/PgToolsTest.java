package dev.lifeboat.pg;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Finding the installed client tools, detecting their versions and choosing one per server version. */
class PgToolsTest {

    final PgTools tools = new PgTools(PgTools.defaultBinDirs());

    @Test
    void detectsTheInstalledToolsAndTheirMajorVersion() {
        ServerInfo server = ServerInfo.probe(PgTestDb.info("lifeboat_test"));
        for (String name : List.of("pg_dump", "pg_restore", "psql", "pg_dumpall")) {
            List<PgTools.Tool> found = tools.find(name);
            assertThat(found).as(name).isNotEmpty();
            assertThat(found).allSatisfy(t -> {
                assertThat(t.name()).isEqualTo(name);
                assertThat(t.major()).isGreaterThanOrEqualTo(10);
                assertThat(t.version()).startsWith(t.major() + ".");
            });
        }
        // The Debian directory of the server's own version comes first and is found by the glob.
        assertThat(tools.find("pg_dump").get(0).path())
                .isEqualTo(Path.of("/usr/lib/postgresql/" + server.major() + "/bin/pg_dump"));
        PgTools.Tool chosen = tools.pgDump(server);
        assertThat(chosen.major()).isEqualTo(server.major());
    }

    @Test
    void choosesTheLowestMajorThatIsAtLeastTheServers() {
        List<PgTools.Tool> candidates = List.of(tool(17, "/a"), tool(14, "/b"), tool(15, "/c"), tool(15, "/d"), tool(16, "/e"));
        assertThat(choose(candidates, 15).path()).isEqualTo(Path.of("/c/pg_dump")); // the first of equal majors
        assertThat(choose(candidates, 12).major()).isEqualTo(14); // older servers: the oldest tool that fits
        assertThat(choose(candidates, 16).major()).isEqualTo(16);
        assertThat(choose(candidates, 17).major()).isEqualTo(17);
    }

    @Test
    void aServerNewerThanEveryToolSaysWhatToInstall() {
        int newest = tools.find("pg_dump").stream().mapToInt(PgTools.Tool::major).max().orElseThrow();
        int server = newest + 1;
        assertThatThrownBy(() -> tools.choose("pg_dump", server, "mastodon"))
                .isInstanceOf(PgPermanentException.class)
                .hasMessage("pg_dump " + newest + " cannot dump server " + server + " (target mastodon): pg_dump " + server
                        + " or newer is needed; searched " + String.join(", ", tools.binDirs()) + ". Hint: install postgresql-client-"
                        + server + " and add its bin directory to lifeboat.pg.bin-dirs");
        assertThatThrownBy(() -> PgTools.choose("pg_dump", List.of(tool(15, "/x")), 16, "mastodon", List.of()))
                .hasMessage("pg_dump 15 cannot dump server 16 (target mastodon): pg_dump 16 or newer is needed. Hint: install postgresql-client-16"
                        + " and add its bin directory to lifeboat.pg.bin-dirs");
        assertThatThrownBy(() -> PgTools.choose("pg_restore", List.of(tool(15, "/x")), 16, "mastodon", List.of()))
                .hasMessageStartingWith("pg_restore 15 is older than server 16 (target mastodon): pg_restore 16 or newer is needed. Hint: install postgresql-client-16");
    }

    @Test
    void noToolAtAllNamesTheDirectoriesSearched(@TempDir Path empty) {
        PgTools none = new PgTools(List.of(empty.toString(), empty + "/nothing/*/bin"));
        assertThat(none.find("pg_dump")).isEmpty();
        assertThatThrownBy(() -> none.choose("pg_dump", 15, "lemmy"))
                .isInstanceOf(PgPermanentException.class)
                .hasMessage("pg_dump was not found for server 15 (target lemmy; searched " + empty + ", " + empty + "/nothing/*/bin)."
                        + " Hint: install postgresql-client-15 and add its bin directory to lifeboat.pg.bin-dirs");
    }

    @Test
    void binDirsExpandGlobsInOrderAndSkipWhatDoesNotExist(@TempDir Path root) throws Exception {
        for (String v : List.of("16", "14", "15")) {
            Files.createDirectories(root.resolve("pg").resolve(v).resolve("bin"));
        }
        Files.createDirectories(root.resolve("pg/15-notbin"));
        PgTools t = new PgTools(List.of(root + "/pg/*/bin", root + "/missing", root + "/pg/15/bin"));
        assertThat(t.expandedBinDirs()).containsExactly(root.resolve("pg/14/bin"), root.resolve("pg/15/bin"), root.resolve("pg/16/bin"));
    }

    @Test
    void theDefaultSearchesTheDebianLayoutThenPath() {
        assertThat(PgTools.defaultBinDirs().get(0)).isEqualTo("/usr/lib/postgresql/*/bin");
        assertThat(PgTools.defaultBinDirs()).contains("/usr/bin");
    }

    @Test
    void aFileThatIsNotAPostgresToolIsIgnored() {
        assertThat(PgTools.detect("pg_dump", Path.of("/bin/true"))).isEmpty();
        assertThat(PgTools.detect("pg_dump", Path.of("/nonexistent/pg_dump"))).isEmpty();
    }

    static PgTools.Tool tool(int major, String dir) {
        return new PgTools.Tool("pg_dump", Path.of(dir, "pg_dump"), major, major + ".1");
    }

    static PgTools.Tool choose(List<PgTools.Tool> candidates, int server) {
        return PgTools.choose("pg_dump", candidates, server, "t", List.of());
    }
}
