//! Throwaway Postgres databases for integration tests.
//!
//! Every test gets its own database, cloned (`CREATE DATABASE … TEMPLATE …`) from a template
//! database into which the migrations were run once. Cloning a migrated template takes tens of
//! milliseconds, running the migrations takes much longer.
//!
//! * **Server.** Once per test process the server is discovered: `DATABASE_URL` (default
//!   [`DEFAULT_DATABASE_URL`]) is tried, connecting to its `postgres` maintenance database. If that
//!   fails for any reason (nothing listening, authentication refused, timeout, a role that may not
//!   create databases), a private throwaway cluster is started with the highest Postgres found
//!   under `/usr/lib/postgresql/*/bin` (or on `PATH`). A watchdog shell stops it and deletes its
//!   directory within a second of the test process ending, however it ends.
//! * **Template.** `pakn_tpl_<hash>`, where the hash covers every file under the crate's
//!   `migrations/` directory, so editing a migration gives a new template. It is built under a
//!   Postgres advisory lock, so concurrent tests and concurrent test processes build it only once.
//!   Templates with other hashes are left alone.
//! * **Test databases.** `pakn_t_<unix secs>_<8 hex>`. Call [`TestDb::drop_db`] at the end of a
//!   test; databases left behind by failed tests are dropped by the first test of a later run once
//!   they are more than an hour old.

// Not every test uses every helper.
#![allow(dead_code)]

use std::future::Future;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

/// Server used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Key of the advisory lock that serialises template builds across test processes.
const TEMPLATE_LOCK_KEY: i64 = 0x7061_6b6e_5f74_706c; // "pakn_tpl"
const TEMPLATE_PREFIX: &str = "pakn_tpl_";
const TEST_DB_PREFIX: &str = "pakn_t_";
/// Test databases older than this are assumed abandoned and dropped.
const STALE_AFTER: Duration = Duration::from_secs(3600);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for another process that is building the template.
const TEMPLATE_LOCK_TIMEOUT: Duration = Duration::from_secs(300);
const CLUSTER_START_TIMEOUT: Duration = Duration::from_secs(30);

/// A database that belongs to one test (a clone lets a second instance use it; drop it
/// once).
#[derive(Debug, Clone)]
pub struct TestDb {
    /// Connection URL of the database, e.g. `postgres://postgres@127.0.0.1:5432/pakn_t_…`.
    pub url: String,
    /// The database name.
    pub name: String,
    admin_url: String,
}

impl TestDb {
    /// The database `name` of another server (a cluster of a test's own), dropped
    /// through `admin_url` as the others.
    pub fn on(url: String, name: &str, admin_url: String) -> TestDb {
        TestDb {
            url,
            name: name.to_string(),
            admin_url,
        }
    }

    /// Drops the database (`WITH (FORCE)`, so open connections do not prevent it).
    ///
    /// Errors are printed to stderr and otherwise ignored: a leftover database is swept later.
    pub async fn drop_db(self) {
        let result = async {
            let admin = connect(&self.admin_url, CONNECT_TIMEOUT).await?;
            drop_database(&admin, &self.name).await
        }
        .await;
        if let Err(e) = result {
            eprintln!(
                "pakn tests: could not drop test database {}: {e:#}",
                self.name
            );
        }
    }
}

/// Creates a fresh database for one test, cloned from the migrated template.
///
/// `prepare_template` is called with the URL of an empty database only when the template for the
/// current `migrations/` directory does not exist yet; it must run the migrations into it and
/// **close every connection it opened** before returning (leftover sessions are terminated, but
/// an open connection pool would keep reconnecting). Typically:
///
/// ```ignore
/// let db = pg::test_db(|url| async move { pakn::db::run_migrations(&url).await }).await;
/// ```
///
/// Panics with a descriptive message when no database can be provided.
pub async fn test_db<F, Fut>(prepare_template: F) -> TestDb
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let template = format!("{TEMPLATE_PREFIX}{}", migrations_hash());
    match test_db_from_template(&template, prepare_template).await {
        Ok(db) => db,
        Err(e) => panic!("pakn tests: could not create a test database: {e:#}"),
    }
}

/// Like [`test_db`], but with an explicit template name and returning errors.
///
/// `template` must be a plain lowercase identifier of at most 57 bytes.
pub async fn test_db_from_template<F, Fut>(template: &str, prepare_template: F) -> Result<TestDb>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let server = server().await?;
    let admin_url = server.admin_url();
    ensure_template(server, template, prepare_template).await?;

    let admin = connect(&admin_url, CONNECT_TIMEOUT).await?;
    sweep_stale_once(&admin).await;

    let name = fresh_db_name();
    let create = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quote_ident(&name),
        quote_ident(template)
    );
    let mut attempt = 0;
    loop {
        attempt += 1;
        match admin.batch_execute(&create).await {
            Ok(()) => break,
            // "source database is being accessed by other users"
            Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 20 => {
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            Err(e) => {
                return Err(e).with_context(|| format!("creating {name} from template {template}"));
            }
        }
    }
    Ok(TestDb {
        url: server.url(&name),
        name,
        admin_url,
    })
}

/// URL of the maintenance (`postgres`) database of the server the tests use.
///
/// For tests that create or inspect databases themselves. Panics when no server is available.
pub async fn server_admin_url() -> String {
    match server().await {
        Ok(server) => server.admin_url(),
        Err(e) => panic!("{e:#}"),
    }
}

/// A new unique database name, `pakn_t_<unix secs>_<8 random hex>`.
///
/// Databases named like this are dropped by the stale-database sweep once they are an hour old.
pub fn fresh_db_name() -> String {
    format!(
        "{TEST_DB_PREFIX}{}_{:08x}",
        unix_secs(),
        rand::random::<u32>()
    )
}

// ---------------------------------------------------------------------------------------------
// Server discovery
// ---------------------------------------------------------------------------------------------

/// A Postgres server, as the parts of a URL around the database name.
#[derive(Debug)]
struct Server {
    /// `postgres://user:password@host:port`, exactly as configured.
    base: String,
    /// `?…` query part (possibly empty), exactly as configured.
    query: String,
}

impl Server {
    fn url(&self, db: &str) -> String {
        format!("{}/{db}{}", self.base, self.query)
    }

    fn admin_url(&self) -> String {
        self.url("postgres")
    }

    fn parse(url: &str) -> Result<Server> {
        let url = url.trim();
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| anyhow!("not a postgres:// URL: {:?}", redact(url)))?;
        let authority_end = url.len() - rest.len() + rest.find(['/', '?']).unwrap_or(rest.len());
        let (base, path_and_query) = url.split_at(authority_end);
        let query = path_and_query
            .find('?')
            .map_or("", |i| &path_and_query[i..]);
        Ok(Server {
            base: base.to_owned(),
            query: query.to_owned(),
        })
    }
}

static SERVER: OnceCell<Result<Server, String>> = OnceCell::const_new();

async fn server() -> Result<&'static Server> {
    SERVER
        .get_or_init(|| async { discover().await.map_err(|e| format!("{e:#}")) })
        .await
        .as_ref()
        .map_err(|e| anyhow!("pakn tests: no Postgres server available: {e}"))
}

async fn discover() -> Result<Server> {
    let configured = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty());
    let url = configured.as_deref().unwrap_or(DEFAULT_DATABASE_URL);
    let why_not = match Server::parse(url) {
        Ok(server) => match probe(&server.admin_url()).await {
            Ok(()) => {
                eprintln!(
                    "pakn tests: using Postgres at {}",
                    redact(&server.admin_url())
                );
                return Ok(server);
            }
            Err(e) => format!("{} is unusable: {e:#}", redact(&server.admin_url())),
        },
        Err(e) => format!("DATABASE_URL is unusable: {e:#}"),
    };
    let cluster = start_private_cluster()
        .await
        .with_context(|| format!("{why_not}; and starting a private cluster failed"))?;
    eprintln!(
        "pakn tests: started a private cluster at {} on 127.0.0.1:{} ({why_not})",
        cluster.dir.display(),
        cluster.port
    );
    Ok(Server {
        base: format!("postgres://postgres@127.0.0.1:{}", cluster.port),
        query: String::new(),
    })
}

/// Checks that we can connect and create databases.
async fn probe(admin_url: &str) -> Result<()> {
    let client = connect(admin_url, Duration::from_secs(3)).await?;
    let row = tokio::time::timeout(
        Duration::from_secs(3),
        client.query_one(
            "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user",
            &[],
        ),
    )
    .await
    .context("timed out querying the role")??;
    if !row.get::<_, bool>(0) {
        bail!("the role may not create databases");
    }
    Ok(())
}

struct Cluster {
    dir: PathBuf,
    port: u16,
}

/// Starts a throwaway cluster that lives exactly as long as this process.
async fn start_private_cluster() -> Result<Cluster> {
    let bin = postgres_bin_dir()?;
    let dir = std::env::temp_dir().join(format!(
        "pakn-pg-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let result = init_and_start(&bin, &dir).await;
    if result.is_err() {
        // A started watchdog removes the directory when we exit; this covers the other cases.
        let _ = std::fs::remove_dir_all(&dir);
    }
    result.map(|port| Cluster { dir, port })
}

async fn init_and_start(bin: &Path, dir: &Path) -> Result<u16> {
    let runuser = as_postgres_user(dir).await?;
    let as_postgres = |program: PathBuf| {
        let mut cmd = match runuser {
            Some(runuser) => {
                let mut cmd = tokio::process::Command::new(runuser);
                cmd.args(["-u", "postgres", "--"]).arg(program);
                cmd
            }
            None => tokio::process::Command::new(program),
        };
        cmd.stdin(Stdio::null());
        cmd
    };
    run(as_postgres(bin.join("initdb"))
        .arg("-D")
        .arg(dir)
        .args([
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-A",
            "trust",
            "-U",
            "postgres",
        ])
        .arg("--no-sync"))
    .await?;

    let log_path = dir.join("log");
    let mut last_error = None;
    for _ in 0..3 {
        let port = free_port()?;
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;
        let mut child = spawn_postgres(bin, dir, port, runuser, log)?;
        match wait_until_ready(&mut child, port, &log_path).await {
            Ok(()) => return Ok(port),
            Err(e) => {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                let port_taken =
                    log.contains("could not bind") || log.contains("Address already in use");
                last_error = Some(e.context(format!("log tail:\n{}", tail(&log, 20))));
                if !port_taken {
                    break;
                }
            }
        }
    }
    Err(last_error.expect("at least one attempt"))
}

/// Postgres refuses to run as root: then `dir` is given to the `postgres` OS user and
/// the `runuser` to run its programs with is returned (`None`: run them as we are).
pub async fn as_postgres_user(dir: &Path) -> Result<Option<&'static str>> {
    if std::fs::metadata(dir)?.uid() != 0 {
        return Ok(None);
    }
    let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("runuser");
    run(tokio::process::Command::new("chown")
        .arg("postgres")
        .arg(dir))
    .await?;
    Ok(Some(runuser))
}

/// Shell run in its own process group: starts a watchdog in the background, then becomes
/// postgres. The watchdog polls the test process every second; once it is gone it stops postgres
/// and deletes the data directory. Arguments: dir, test pid, runuser (or ""), bin dir, then the
/// postgres arguments.
const POSTGRES_WATCHDOG: &str = r#"
dir=$1; test_pid=$2; runuser=$3; bin=$4; shift 4
(
    while kill -0 "$test_pid" 2>/dev/null; do sleep 1; done
    if [ -n "$runuser" ]; then
        "$runuser" -u postgres -- "$bin/pg_ctl" -D "$dir" -m immediate -w -t 10 stop
    else
        "$bin/pg_ctl" -D "$dir" -m immediate -w -t 10 stop
    fi >/dev/null 2>&1 || {
        pid=$(head -n 1 "$dir/postmaster.pid" 2>/dev/null) && [ -n "$pid" ] && kill -KILL "$pid"
    }
    rm -rf "$dir"
) </dev/null &
if [ -n "$runuser" ]; then
    exec "$runuser" -u postgres -- "$bin/postgres" "$@"
else
    exec "$bin/postgres" "$@"
fi
"#;

fn spawn_postgres(
    bin: &Path,
    dir: &Path,
    port: u16,
    runuser: Option<&str>,
    log: std::fs::File,
) -> Result<Child> {
    let log_err = log.try_clone()?;
    std::process::Command::new("sh")
        .arg("-c")
        .arg(POSTGRES_WATCHDOG)
        .arg("pakn-postgres")
        .arg(dir)
        .arg(std::process::id().to_string())
        .arg(runuser.unwrap_or(""))
        .arg(bin)
        .arg("-D")
        .arg(dir)
        .arg("-p")
        .arg(port.to_string())
        .arg("-k")
        .arg(dir)
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=300",
        ])
        // Never inherit the test's stdout/stderr: `cargo test | tee` would wait for them.
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .process_group(0)
        .spawn()
        .context("spawning postgres")
}

async fn wait_until_ready(child: &mut Child, port: u16, log_path: &Path) -> Result<()> {
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + CLUSTER_START_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait()? {
            bail!("postgres exited during startup ({status})");
        }
        match connect(&url, Duration::from_secs(1)).await {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() > deadline => {
                return Err(e.context(format!(
                    "postgres did not accept connections within {CLUSTER_START_TIMEOUT:?} (log: {})",
                    log_path.display()
                )));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// The `bin` directory of the newest Postgres under `/usr/lib/postgresql`, else the one on `PATH`.
pub fn postgres_bin_dir() -> Result<PathBuf> {
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists() && bin.join("postgres").exists())
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").exists() && dir.join("postgres").exists())
        .ok_or_else(|| anyhow!("no Postgres binaries under /usr/lib/postgresql/*/bin or on PATH"))
}

fn free_port() -> Result<u16> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("binding a port to find a free one")?;
    Ok(listener.local_addr()?.port())
}

async fn run(cmd: &mut tokio::process::Command) -> Result<()> {
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("running {cmd:?}"))?;
    if !output.status.success() {
        bail!(
            "{cmd:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Template
// ---------------------------------------------------------------------------------------------

/// Templates known to exist, so later tests skip the check.
static READY_TEMPLATES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn template_known(template: &str) -> bool {
    READY_TEMPLATES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .any(|t| t == template)
}

async fn ensure_template<F, Fut>(server: &Server, template: &str, prepare: F) -> Result<()>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    if template_known(template) {
        return Ok(());
    }
    let admin = connect(&server.admin_url(), CONNECT_TIMEOUT).await?;
    if !template_exists(&admin, template).await? {
        tokio::time::timeout(
            TEMPLATE_LOCK_TIMEOUT,
            admin.execute("SELECT pg_advisory_lock($1)", &[&TEMPLATE_LOCK_KEY]),
        )
        .await
        .map_err(|_| {
            anyhow!("another process held the template lock for over {TEMPLATE_LOCK_TIMEOUT:?}")
        })?
        .context("taking the template lock")?;
        let built = async {
            // Someone else may have built it while we waited for the lock.
            if template_exists(&admin, template).await? {
                return Ok(());
            }
            build_template(server, &admin, template, prepare).await
        }
        .await;
        if let Err(e) = admin
            .execute("SELECT pg_advisory_unlock($1)", &[&TEMPLATE_LOCK_KEY])
            .await
        {
            eprintln!("pakn tests: releasing the template lock: {e}");
        }
        built?;
    }
    READY_TEMPLATES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(template.to_owned());
    Ok(())
}

async fn template_exists(admin: &tokio_postgres::Client, template: &str) -> Result<bool> {
    let row = admin
        .query_opt(
            "SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate",
            &[&template],
        )
        .await
        .context("looking up the template database")?;
    Ok(row.is_some())
}

/// Builds `<template>_build`, migrates it and renames it into place. Runs under the lock.
///
/// The build database is marked as a template before the rename, so a database with the final
/// name is always complete.
async fn build_template<F, Fut>(
    server: &Server,
    admin: &tokio_postgres::Client,
    template: &str,
    prepare: F,
) -> Result<()>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let started = Instant::now();
    let build = format!("{template}_build");
    // A process that died while building leaves this behind.
    drop_template_database(admin, &build).await?;
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0",
            quote_ident(&build)
        ))
        .await
        .with_context(|| format!("creating {build}"))?;
    if let Err(e) = prepare(server.url(&build)).await {
        let _ = drop_database(admin, &build).await;
        return Err(e.context(format!("preparing template database {build}")));
    }

    // No new connections from here on (a session on the template makes cloning it fail), then
    // end whatever the closure left open: renaming needs the database to be unused.
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
            quote_ident(&build)
        ))
        .await
        .with_context(|| format!("marking {build} as a template"))?;
    let rename = format!(
        "ALTER DATABASE {} RENAME TO {}",
        quote_ident(&build),
        quote_ident(template)
    );
    let mut attempt = 0;
    loop {
        attempt += 1;
        admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&build],
            )
            .await
            .context("terminating connections to the template")?;
        match admin.batch_execute(&rename).await {
            Ok(()) => break,
            Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 50 => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e).with_context(|| format!("renaming {build} to {template}")),
        }
    }
    eprintln!(
        "pakn tests: built template database {template} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Drops a database that may be marked as a template (those cannot be dropped directly).
async fn drop_template_database(admin: &tokio_postgres::Client, name: &str) -> Result<()> {
    let unmark = format!(
        "ALTER DATABASE {} WITH IS_TEMPLATE false",
        quote_ident(name)
    );
    match admin.batch_execute(&unmark).await {
        Ok(()) => {}
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_DATABASE) => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("unmarking template {name}")),
    }
    drop_database(admin, name).await
}

/// First 16 hex digits of a SHA-256 over the relative paths and contents of all files under
/// `<crate>/migrations` (an absent directory counts as empty).
fn migrations_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files = Vec::new();
        collect_files(&root, &root, &mut files)
            .unwrap_or_else(|e| panic!("reading {}: {e:#}", root.display()));
        files.sort();
        let mut hasher = Sha256::new();
        for (relative, path) in files {
            let contents =
                std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            hasher.update((relative.len() as u64).to_le_bytes());
            hasher.update(relative.as_bytes());
            hasher.update((contents.len() as u64).to_le_bytes());
            hasher.update(&contents);
        }
        let digest = hasher.finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    })
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir == root => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else {
            let relative = path
                .strip_prefix(root)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((relative, path));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

static SWEPT: AtomicBool = AtomicBool::new(false);

/// Once per process: drops test databases abandoned more than [`STALE_AFTER`] ago.
async fn sweep_stale_once(admin: &tokio_postgres::Client) {
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let rows = match admin
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'pakn\\_t\\_%'",
            &[],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("pakn tests: listing stale test databases: {e}");
            return;
        }
    };
    let cutoff = unix_secs().saturating_sub(STALE_AFTER.as_secs());
    for row in rows {
        let name: String = row.get(0);
        let created = name
            .strip_prefix(TEST_DB_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok());
        if created.is_some_and(|secs| secs < cutoff) {
            match drop_database(admin, &name).await {
                Ok(()) => eprintln!("pakn tests: dropped stale test database {name}"),
                Err(e) => eprintln!("pakn tests: dropping stale test database {name}: {e:#}"),
            }
        }
    }
}

async fn drop_database(admin: &tokio_postgres::Client, name: &str) -> Result<()> {
    admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(name)
        ))
        .await
        .with_context(|| format!("dropping database {name}"))
}

/// Connects with a timeout, driving the connection on the current runtime.
async fn connect(url: &str, timeout: Duration) -> Result<tokio_postgres::Client> {
    let (client, connection) = tokio::time::timeout(timeout, tokio_postgres::connect(url, NoTls))
        .await
        .map_err(|_| anyhow!("connecting to {} timed out after {timeout:?}", redact(url)))?
        .with_context(|| format!("connecting to {}", redact(url)))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The URL with its password replaced by `***`.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    match authority.rfind('@') {
        Some(at) => match authority[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &authority[..colon],
                &url[scheme_end + at..]
            ),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_url_parts_are_preserved() {
        let server = Server::parse("postgres://u:p%40ss@db.example:6543/app?sslmode=disable")
            .expect("valid URL");
        assert_eq!(
            server.url("x"),
            "postgres://u:p%40ss@db.example:6543/x?sslmode=disable"
        );
        let server = Server::parse("postgresql://postgres@127.0.0.1").expect("valid URL");
        assert_eq!(
            server.admin_url(),
            "postgresql://postgres@127.0.0.1/postgres"
        );
        assert!(Server::parse("host=localhost user=postgres").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:1/db"),
            "postgres://u:***@h:1/db"
        );
        assert_eq!(redact("postgres://u@h:1/db"), "postgres://u@h:1/db");
    }

    #[test]
    fn fresh_names_are_sweepable() {
        let name = fresh_db_name();
        let secs: u64 = name[TEST_DB_PREFIX.len()..]
            .split('_')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("seconds in name");
        assert!(secs.abs_diff(unix_secs()) < 5);
        assert!(name.len() <= 63);
    }
}
