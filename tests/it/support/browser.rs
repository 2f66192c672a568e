//! Headless Chromium for end-to-end tests, driven through chromedriver with fantoccini.
//!
//! Each [`Browser`] has its own chromedriver (and so its own Chromium) in a process group of its
//! own, logging to `target/browser-logs/<prefix>.log`; nothing inherits the test's stdout/stderr.
//! The group (Chromium stays in chromedriver's group; only its crash handlers, which exit with
//! it, leave it) is killed by [`Browser::close`], by dropping the `Browser` (e.g. while a test
//! panics), and, should the test process end without either (`process::exit`, SIGKILL), by a
//! watchdog that notices within a second and also removes the Chromium profile directory.
//!
//! Needs the dev-dependency `rustls = { version = "0.23", default-features = false,
//! features = ["ring"] }`, see [`connect`].
//!
//! Prefer [`with_browser`], which closes the browser and keeps a screenshot when the body panics:
//!
//! ```ignore
//! browser::with_browser("submit_form", 360, 740, async |b| {
//!     b.goto(&format!("{base}/gui-pakn")).await;
//!     b.fill("#title", "Xin chào").await;
//!     b.click("button[type=submit]").await;
//!     assert_eq!(b.text(".flash").await, "Đã gửi");
//!     b.screenshot("sent").await.unwrap();
//! })
//! .await;
//! ```

// Not every test uses every helper.
#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::elements::Element;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The chromedriver executable.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The Chromium executable chromedriver starts.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// How long [`Browser::wait_for`] and the helpers built on it wait for an element.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(10);
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// A headless Chromium session with a viewport of a fixed size.
///
/// The helper methods panic with a descriptive message on failure, as a test would anyway; use
/// [`Browser::client`] directly for anything fallible or not covered.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    shots_dir: PathBuf,
    step: AtomicU32,
    driver: Driver,
}

/// Starts a browser whose viewport (`window.innerWidth` × `window.innerHeight`) is exactly
/// `width` × `height` CSS pixels.
///
/// `prefix` names the screenshot directory `target/screenshots/<prefix>/` (emptied of `*.png`
/// first) and the chromedriver log `target/browser-logs/<prefix>.log`; it may contain `/` and
/// should be unique per browser, e.g. the test name.
pub async fn start(prefix: &str, width: u32, height: u32) -> Result<Browser> {
    start_with(prefix, width, height, Options::default()).await
}

/// How a [`Browser`] is set up beyond its size.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Whether pages may run JavaScript. WebDriver's own scripts ([`Browser::eval`], the
    /// element helpers) still run when they may not: the setting governs page content only.
    pub javascript: bool,
    /// The browser's language (`--lang` and the `Accept-Language` it sends), e.g.
    /// `en-US`; Vietnamese (`vi-VN`) when `None`.
    pub locale: Option<&'static str>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            javascript: true,
            locale: None,
        }
    }
}

/// [`start`] with [`Options`].
pub async fn start_with(
    prefix: &str,
    width: u32,
    height: u32,
    options: Options,
) -> Result<Browser> {
    let prefix = sanitize_prefix(prefix);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let shots_dir = target.join("screenshots").join(&prefix);
    std::fs::create_dir_all(&shots_dir)
        .with_context(|| format!("creating {}", shots_dir.display()))?;
    for entry in std::fs::read_dir(&shots_dir)?.flatten() {
        if entry.path().extension().is_some_and(|ext| ext == "png") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let log_dir = target.join("browser-logs");
    std::fs::create_dir_all(&log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    let log_path = log_dir.join(format!("{}.log", prefix.replace('/', "__")));

    let driver = Driver::start(&log_path).await?;
    let client = connect(&driver, width, height, options)
        .await
        .with_context(|| {
            format!(
                "starting Chromium (chromedriver log: {})",
                log_path.display()
            )
        })?;
    let browser = Browser {
        client,
        shots_dir,
        step: AtomicU32::new(0),
        driver,
    };
    browser
        .client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(30)),
            Some(Duration::from_secs(30)),
            Some(Duration::ZERO),
        ))
        .await
        .context("setting WebDriver timeouts")?;
    browser.fit_viewport(width, height).await?;
    Ok(browser)
}

/// Runs `body` with a fresh browser and closes the browser afterwards, also when `body` panics
/// (the panic is then resumed, after a screenshot named `panic` was attempted).
pub async fn with_browser<F, T>(prefix: &str, width: u32, height: u32, body: F) -> T
where
    F: AsyncFnOnce(&Browser) -> T,
{
    with_browser_options(prefix, width, height, Options::default(), body).await
}

/// [`with_browser`] with [`Options`].
pub async fn with_browser_options<F, T>(
    prefix: &str,
    width: u32,
    height: u32,
    options: Options,
    body: F,
) -> T
where
    F: AsyncFnOnce(&Browser) -> T,
{
    let browser = match start_with(prefix, width, height, options).await {
        Ok(browser) => browser,
        Err(e) => panic!("pakn tests: could not start a browser: {e:#}"),
    };
    let outcome = AssertUnwindSafe(body(&browser)).catch_unwind().await;
    if outcome.is_err() {
        match tokio::time::timeout(Duration::from_secs(5), browser.screenshot("panic")).await {
            Ok(Ok(path)) => eprintln!("pakn tests: screenshot at panic: {}", path.display()),
            Ok(Err(e)) => eprintln!("pakn tests: no screenshot at panic: {e:#}"),
            Err(_) => eprintln!("pakn tests: no screenshot at panic: timed out"),
        }
    }
    browser.close().await;
    match outcome {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

impl Browser {
    /// Saves a PNG of the viewport as `target/screenshots/<prefix>/<NN>-<name>.png`, `NN`
    /// counting the screenshots of this browser from 01.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let step = self.step.fetch_add(1, Ordering::SeqCst) + 1;
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.shots_dir.join(format!("{step:02}-{name}.png"));
        let png = self
            .client
            .screenshot()
            .await
            .with_context(|| format!("taking screenshot {}", path.display()))?;
        tokio::fs::write(&path, png)
            .await
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// Navigates to `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        if let Err(e) = self.client.goto(url).await {
            panic!("navigating to {url}: {e}");
        }
    }

    /// Waits (up to [`WAIT_TIMEOUT`]) for an element matching `css` and returns it.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT_TIMEOUT)
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "waiting for `{css}` on {}: {e}",
                self.current_url_for_errors().await
            ),
        }
    }

    /// Replaces the value of the input matching `css` by `text`, typed as keystrokes.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.wait_for(css).await;
        if let Err(e) = element.clear().await {
            panic!("clearing `{css}`: {e}");
        }
        if let Err(e) = element.send_keys(text).await {
            panic!("typing into `{css}`: {e}");
        }
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        if let Err(e) = element.click().await {
            panic!(
                "clicking `{css}` on {}: {e}",
                self.current_url_for_errors().await
            );
        }
    }

    /// Clicks the element matching `css` and waits until another page has loaded, for a
    /// click whose next page has the same elements as this one (a search that reloads
    /// the list): waiting for an element alone could find it on the page being left.
    pub async fn click_to_next_page(&self, css: &str) {
        self.eval("window.__paknLeaving = true;").await;
        self.click(css).await;
        let deadline = Instant::now() + WAIT_TIMEOUT;
        loop {
            // Fails while the page is being replaced: that is "not yet".
            let arrived = self
                .client
                .execute(
                    "return window.__paknLeaving !== true && document.readyState === 'complete';",
                    Vec::new(),
                )
                .await;
            if matches!(arrived, Ok(Value::Bool(true))) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "no new page after clicking `{css}` on {}",
                    self.current_url_for_errors().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The rendered text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.wait_for(css).await;
        match element.text().await {
            Ok(text) => text,
            Err(e) => panic!("reading the text of `{css}`: {e}"),
        }
    }

    /// Runs `js` as the body of a function in the page and returns what it `return`s.
    pub async fn eval(&self, js: &str) -> Value {
        match self.client.execute(js, Vec::new()).await {
            Ok(value) => value,
            Err(e) => panic!("running script {js:?}: {e}"),
        }
    }

    /// Closes the WebDriver session, then ends chromedriver and Chromium and removes the profile.
    pub async fn close(self) {
        let Browser {
            client, mut driver, ..
        } = self;
        let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
        driver.shutdown().await;
    }

    async fn current_url_for_errors(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(_) => "(unknown page)".to_owned(),
        }
    }

    async fn viewport(&self) -> Result<(i64, i64)> {
        let value = self
            .client
            .execute("return [window.innerWidth, window.innerHeight]", Vec::new())
            .await
            .context("measuring the viewport")?;
        match (value[0].as_i64(), value[1].as_i64()) {
            (Some(w), Some(h)) => Ok((w, h)),
            _ => bail!("unexpected viewport measurement {value}"),
        }
    }

    /// Resizes the window until the viewport is `width` × `height`.
    async fn fit_viewport(&self, width: u32, height: u32) -> Result<()> {
        let wanted = (i64::from(width), i64::from(height));
        let mut viewport = self.viewport().await?;
        for _ in 0..3 {
            if viewport == wanted {
                return Ok(());
            }
            let (outer_w, outer_h) = self.client.get_window_size().await?;
            let resize = |outer: u64, want: i64, have: i64| {
                u32::try_from(outer as i64 + want - have)
                    .map_err(|_| anyhow!("cannot size the window for a {width}x{height} viewport"))
            };
            self.client
                .set_window_size(
                    resize(outer_w, wanted.0, viewport.0)?,
                    resize(outer_h, wanted.1, viewport.1)?,
                )
                .await
                .context("resizing the window")?;
            viewport = self.viewport().await?;
        }
        if viewport != wanted {
            bail!(
                "viewport is {}x{} after resizing, wanted {width}x{height}",
                viewport.0,
                viewport.1
            );
        }
        Ok(())
    }
}

async fn connect(driver: &Driver, width: u32, height: u32, options: Options) -> Result<Client> {
    let profile = driver.profile.path().display();
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-extensions".to_owned(),
        "--force-device-scale-factor=1".to_owned(),
        "--hide-scrollbars".to_owned(),
        format!("--user-data-dir={profile}"),
        format!("--window-size={width},{height}"),
        format!("--lang={}", options.locale.unwrap_or("vi-VN")),
    ];
    let accept = match options.locale {
        Some(locale) => format!("{locale},{}", locale.split('-').next().unwrap_or(locale)),
        None => "vi-VN,vi".to_owned(),
    };
    let mut prefs = json!({ "intl.accept_languages": accept });
    if !options.javascript {
        // The content setting "block JavaScript", as a user sets it; chromedriver's own
        // scripts are not page content and keep working.
        prefs["profile.managed_default_content_settings.javascript"] = json!(2);
    }
    let capabilities = json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": args,
            "prefs": prefs,
        },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!("capabilities are an object")
    };

    // reqwest's rustls feature enables the `ring` provider and hyper-rustls (under fantoccini)
    // the `aws-lc-rs` one, so rustls cannot pick a default by itself and would panic.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = ClientBuilder::rustls().context("setting up the WebDriver client")?;
    builder.capabilities(capabilities);
    builder
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .context("creating the WebDriver session")
}

/// Shell run as the process-group leader: starts a watchdog, then becomes chromedriver.
///
/// The watchdog runs in a session of its own (so that killing the group spares it) until the test
/// process or the group is gone; then it kills the group and removes the profile directory. This
/// covers a test process that ends without running destructors (`process::exit`, SIGKILL).
/// Arguments: test pid, profile dir, then the command.
const DRIVER_WATCHDOG: &str = r#"
test_pid=$1; profile=$2; shift 2
setsid sh -c '
    test_pid=$1; pgid=$2; profile=$3
    while kill -0 "$test_pid" 2>/dev/null && kill -0 "-$pgid" 2>/dev/null; do sleep 1; done
    kill -KILL "-$pgid" 2>/dev/null
    rm -rf "$profile"
' pakn-chrome-watchdog "$test_pid" "$$" "$profile" </dev/null &
exec "$@"
"#;

/// A chromedriver process group and the Chromium profile it uses; killed when dropped.
struct Driver {
    child: Option<Child>,
    pgid: u32,
    port: u16,
    log_path: PathBuf,
    profile: tempfile::TempDir,
}

impl Driver {
    async fn start(log_path: &Path) -> Result<Driver> {
        if !Path::new(CHROMEDRIVER).exists() {
            bail!("{CHROMEDRIVER} not found (apt-get install chromium-driver)");
        }
        let mut last_error = None;
        for _ in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|listener| listener.local_addr())
                .context("finding a free port")?
                .port();
            let log = std::fs::File::create(log_path)
                .with_context(|| format!("creating {}", log_path.display()))?;
            let profile = tempfile::Builder::new()
                .prefix("pakn-chrome-")
                .tempdir()
                .context("creating a Chromium profile directory")?;
            let child = std::process::Command::new("sh")
                .arg("-c")
                .arg(DRIVER_WATCHDOG)
                .arg("pakn-chromedriver")
                .arg(std::process::id().to_string())
                .arg(profile.path())
                .arg(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                // Never inherit the test's stdout/stderr: `cargo test | tee` would wait for them.
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .process_group(0)
                .spawn()
                .context("spawning chromedriver")?;
            let mut driver = Driver {
                pgid: child.id(),
                child: Some(child),
                port,
                log_path: log_path.to_owned(),
                profile,
            };
            match driver.wait_until_ready().await {
                Ok(()) => return Ok(driver),
                Err(e) => {
                    let log = std::fs::read_to_string(log_path).unwrap_or_default();
                    let tail: Vec<&str> = log.lines().rev().take(20).collect();
                    let tail: Vec<&str> = tail.into_iter().rev().collect();
                    last_error = Some(e.context(format!(
                        "chromedriver log {}:\n{}",
                        log_path.display(),
                        tail.join("\n")
                    )));
                    if !log.contains("bind") {
                        break;
                    }
                }
            }
        }
        Err(last_error.expect("at least one attempt"))
    }

    async fn wait_until_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                self.child = None;
                bail!("chromedriver exited during startup ({status})");
            }
            if status_ready(self.port).await {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("chromedriver was not ready within {DRIVER_START_TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// TERM to the group, KILL after 2 s to whatever is left.
    async fn shutdown(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        signal_group("TERM", self.pgid);
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            // Reap our child so that it stops counting as a group member.
            let _ = child.try_wait();
            if !group_alive(self.pgid) {
                break;
            }
            if Instant::now() > deadline {
                eprintln!(
                    "pakn tests: chromedriver group {} ignored TERM, killing it (log: {})",
                    self.pgid,
                    self.log_path.display()
                );
                signal_group("KILL", self.pgid);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal_group("KILL", self.pgid);
            let _ = child.wait();
        }
        // `profile` is removed after this, with the processes that used it gone.
    }
}

/// `kill -<signal> -<pgid>`, errors ignored (the group may be gone already).
fn signal_group(signal: &str, pgid: u32) {
    let _ = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Whether a process of the group is still running. Zombies do not count: Chromium's processes
/// are reparented to init when chromedriver dies and may wait a while to be reaped.
fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        // No procfs: `kill -0` counts zombies too, which only makes us wait longer.
        return std::process::Command::new("kill")
            .arg("-0")
            .arg("--")
            .arg(format!("-{pgid}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
    };
    let pgid = pgid.to_string();
    entries.flatten().any(|entry| {
        if !entry
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            return false;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // "pid (comm) state ppid pgrp …"; comm may contain anything, so split at the last ')'.
        let Some((_, fields)) = stat.rsplit_once(')') else {
            return false;
        };
        let mut fields = fields.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1);
        state != Some("Z") && pgrp == Some(pgid.as_str())
    })
}

/// Whether chromedriver's `/status` says it is ready.
async fn status_ready(port: u16) -> bool {
    let request = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        stream
            .write_all(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await?;
        // chromedriver keeps the connection open regardless, so do not wait for the end.
        let mut response = Vec::new();
        let mut chunk = [0; 1024];
        loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return std::io::Result::Ok(false);
            }
            response.extend_from_slice(&chunk[..n]);
            let text: String = String::from_utf8_lossy(&response)
                .split_whitespace()
                .collect();
            if text.contains("\"ready\":true") {
                return Ok(true);
            }
        }
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), request).await,
        Ok(Ok(true))
    )
}

/// Keeps `[A-Za-z0-9._-]` and `/` between non-empty, non-dot path components.
fn sanitize_prefix(prefix: &str) -> String {
    let parts: Vec<String> = prefix
        .split('/')
        .map(|part| {
            part.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "._-".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .filter(|part| !part.is_empty() && part != "." && part != "..")
        .collect();
    if parts.is_empty() {
        "browser".to_owned()
    } else {
        parts.join("/")
    }
}
