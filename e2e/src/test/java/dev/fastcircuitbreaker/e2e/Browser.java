package dev.fastcircuitbreaker.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless chromium, driven by its chromedriver, as a user's browser: offer's page, or Monitoror's board read
 * tile by tile as its web UI draws it. Where it is missing, skipped with the reason printed (in CI, fails).
 */
final class Browser implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    static Browser start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            SkipReasons.skipOutsideCi(CHROMIUM + " and " + CHROMEDRIVER + " are needed (apt-get install chromium chromium-driver)");
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

    /**
     * The board's tiles as the page draws them now, by label: the status class's suffix ({@code none} before the first
     * answer), the value or message, a group's sub-tiles. Read in one go, as the UI redraws; none under its loading screen.
     */
    Map<String, String> board() {
        List<?> tiles = (List<?>) ((JavascriptExecutor) driver).executeScript("""
                if (document.querySelector('.c-app--loading')) {
                    return [];
                }
                const text = (tile, part) => tile.querySelector('.c-monitoror-tile--' + part)?.textContent.trim();
                return [...document.querySelectorAll('.c-app--tiles-container > .c-monitoror-tile')].map(tile => {
                    const subTiles = [...tile.querySelectorAll('.c-monitoror-sub-tile--label')].map(label => label.textContent.trim());
                    return [text(tile, 'label'), [(tile.className.match(/c-monitoror-tile__status-(\\S+)/) || [, 'none'])[1],
                        text(tile, 'value'), text(tile, 'message'), subTiles.length ? '(' + subTiles.join(', ') + ')' : '']
                        .filter(part => part).join(' ')];
                });""");
        Map<String, String> board = new LinkedHashMap<>();
        tiles.forEach(tile -> board.put((String) ((List<?>) tile).get(0), (String) ((List<?>) tile).get(1)));
        return board;
    }

    /** Waits until the page draws what is awaited. */
    void awaitBoard(String what, Duration atMost, Predicate<Map<String, String>> drawn) {
        AtomicReference<Map<String, String>> board = new AtomicReference<>(Map.of());
        new WebDriverWait(driver, atMost, Duration.ofMillis(300)).withMessage(() -> what + "; the page draws " + board.get())
                .until(driver -> drawn.test(board.updateAndGet(previous -> board())));
    }

    /** Saves what the page shows now as e2e/target/{@code name}.png, a build artifact. */
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
