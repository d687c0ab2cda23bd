package dev.fastcircuitbreaker.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless chromium, driven by its chromedriver, as a user's browser: offer's page, or Monitoror's board. */
record Browser(ChromeDriver driver) implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    static Browser start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            SkipReasons.skipOutsideCi(CHROMIUM + " and " + CHROMEDRIVER + " needed: apt-get install chromium chromium-driver");
        }
        // Its profile in e2e/target, which the next build cleans.
        Path profile = Compose.ROOT.resolve("e2e/target/chromium-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1000,800", "--user-data-dir=" + profile);
        // The driver is named, so Selenium Manager never tries to download one.
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options));
    }

    /** Opens Monitoror's board page, wide enough for its four columns. */
    void openBoard(String page) {
        driver.manage().window().setSize(new Dimension(1200, 600));
        driver.get(page);
    }

    /** The board's tiles as the page draws them now, by label; read in one go, as the UI redraws them. */
    Map<String, String> board() {
        List<?> tiles = (List<?>) driver.executeScript("""
                if (document.querySelector('.c-app--loading')) {
                    return [];
                }
                const text = (tile, part) => tile.querySelector('.c-monitoror-tile--' + part)?.textContent.trim();
                return [...document.querySelectorAll('.c-app--tiles-container > .c-monitoror-tile')].map(tile => {
                    const subTiles = [...tile.querySelectorAll('.c-monitoror-sub-tile--label')].map(s => s.textContent.trim());
                    return [text(tile, 'label'), [(tile.className.match(/c-monitoror-tile__status-(\\S+)/) || [, 'none'])[1],
                        text(tile, 'value'), text(tile, 'message'), subTiles.length ? '(' + subTiles.join(', ') + ')' : '']
                        .filter(part => part).join(' ')];
                });""");
        Map<String, String> board = new LinkedHashMap<>();
        tiles.forEach(tile -> board.put((String) ((List<?>) tile).get(0), (String) ((List<?>) tile).get(1)));
        return board;
    }

    void awaitBoard(String what, Duration atMost, Predicate<Map<String, String>> drawn) {
        await(what).atMost(atMost).pollInterval(Duration.ofMillis(300)).until(this::board, drawn);
    }

    void screenshot(String name) {
        Path file = Compose.ROOT.resolve("e2e/target/" + name + ".png");
        try {
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("screenshot: " + file);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
