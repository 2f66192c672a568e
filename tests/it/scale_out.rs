//! Issue 19, item 1: scale-out, proven. Three real `pakn serve` processes (the binary)
//! on one fresh database behind nginx (Debian's package, round-robin on loopback,
//! `proxy_next_upstream error timeout http_502 http_503`, which nginx applies to
//! idempotent requests only), with `[server] trusted_proxies = 127.0.0.1/32`.
//!
//! Which instance answered is read from a header the test's nginx adds
//! (`X-Upstream: $upstream_addr`): it costs pakn no code, and it is what nginx did,
//! retries included ("a, b" when the first upstream refused).
//!
//! Shown across instances: a staff session made on one works on all; a CSRF token
//! issued by one is accepted by another (and a wrong one refused); a rate limit counts
//! requests that landed on different instances; the visitor counter adds up in
//! Postgres; a reference edit made on one reaches the others' caches within the reload
//! interval; each mail is sent once; the daily digest (a periodic job under a lease,
//! once-keys per period) goes out once although three instances pass every second.
//! Then a rolling restart under load: each instance in turn gets SIGTERM and is started
//! again while clients GET pages and POST filings through nginx, which keeps its
//! connections to the instances alive (`keepalive`, idle for at most 4 s, as
//! `deploy/nginx-pakn.conf`); no request fails, and every PAKN answered 303 exists
//! exactly once.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::process::{Child, Command};
use tokio::sync::watch;

use crate::auth::value_of;
use crate::filing::valid_fields;
use crate::support::app::fresh_db;
use crate::support::pg::TestDb;
use crate::support::smtp::SmtpSink;

const BIN: &str = env!("CARGO_BIN_EXE_pakn");
const SECRET: &str = "the scale-out test's own secret, 32+ bytes long";
const PASSWORD: &str = "mật khẩu đủ dài 2026";
/// A bound on waits, so a broken build fails instead of hanging; not a timing claim.
const PATIENCE: Duration = Duration::from_secs(60);
/// nginx's `fail_timeout`: how long an instance that refused a connection is skipped.
const FAIL_TIMEOUT_SECS: u64 = 1;
/// Made-up tracking codes one address may look up in the window.
const TRACK_LIMIT: usize = 5;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One `pakn serve` process; killed (SIGKILL) if dropped while running, so a failing
/// test leaves no process behind.
struct Instance {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

impl Instance {
    fn spawn(db: &TestDb, sink: &SmtpSink, port: u16, public_url: &str) -> Instance {
        let log = std::env::temp_dir().join(format!(
            "pakn-scale-out-{port}-{}.log",
            rand::random::<u32>()
        ));
        let file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(BIN)
            .arg("serve")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("DATABASE_URL")
            .env_remove("PAKN_CONFIG")
            .env("PAKN_DATABASE__URL", &db.url)
            .env("PAKN_DATABASE__MAX_CONNECTIONS", "6")
            .env("PAKN_SERVER__LISTEN", format!("127.0.0.1:{port}"))
            .env("PAKN_SERVER__PUBLIC_URL", public_url)
            .env("PAKN_SERVER__TRUSTED_PROXIES", "127.0.0.1/32")
            .env("PAKN_SERVER__SHUTDOWN_GRACE_SECS", "20")
            .env("PAKN_SECURITY__SECRET", SECRET)
            .env("PAKN_SPAM__MIN_FILL_SECS", "0")
            .env("PAKN_LIMITS__SUBMIT_PER_IP__COUNT", "100000")
            .env("PAKN_LIMITS__MAIL_PER_ADDRESS__COUNT", "100000")
            .env("PAKN_LIMITS__TRACK_PER_IP__COUNT", TRACK_LIMIT.to_string())
            .env("PAKN_AUTH__SECOND_FACTOR", "")
            .env("PAKN_MAIL__TRANSPORT", "smtp")
            .env("PAKN_MAIL__SMTP__HOST", "127.0.0.1")
            .env("PAKN_MAIL__SMTP__PORT", sink.port.to_string())
            .env("PAKN_MAIL__SMTP__SECURITY", "none")
            .env("PAKN_MAIL__RETRY_BASE_SECS", "1")
            .env("PAKN_MAIL__RETRY_MAX_SECS", "2")
            .env("PAKN_MAIL__POLL_INTERVAL_SECS", "1")
            // The daily digest is due at every pass, and every instance passes each second.
            .env("PAKN_DIGESTS__AT", "")
            .env("PAKN_DIGESTS__INTERVAL_SECS", "1")
            .env("PAKN_REMINDERS__ENABLED", "false")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .kill_on_drop(true)
            .spawn()
            .expect("spawn pakn serve");
        Instance {
            child: Some(child),
            port,
            log,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn upstream(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    async fn wait_healthy(&self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            if let Ok(res) = client.get(format!("{}/healthz", self.base())).send().await
                && res.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "pakn serve on {} did not come up: {}",
            self.port,
            self.log_text()
        );
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then waits for the process to drain and exit; returns how long it took.
    async fn terminate(&mut self) -> Duration {
        let mut child = self.child.take().expect("running");
        let pid = child.id().expect("a pid");
        let started = Instant::now();
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(ok.success());
        let status = tokio::time::timeout(PATIENCE, child.wait())
            .await
            .expect("pakn serve exits after SIGTERM")
            .expect("wait");
        assert!(
            status.success(),
            "pakn serve exited with {status} after SIGTERM: {}",
            self.log_text()
        );
        started.elapsed()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // A failed test keeps the log for a look.
        if std::thread::panicking() {
            eprintln!(
                "pakn serve on {}: log kept at {}",
                self.port,
                self.log.display()
            );
        } else {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// nginx in the foreground with a prefix of its own (`master_process off`: one process,
/// so the kill on drop leaves no worker behind).
struct Nginx {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Nginx {
    async fn start(upstreams: &[u16]) -> Nginx {
        let dir = tempfile::tempdir().expect("nginx dir");
        let port = free_port();
        let servers: String = upstreams
            .iter()
            .map(|p| {
                format!(
                    "        server 127.0.0.1:{p} max_fails=1 fail_timeout={FAIL_TIMEOUT_SECS}s;\n"
                )
            })
            .collect();
        let conf = format!(
            r#"master_process off;
daemon off;
pid nginx.pid;
error_log error.log info;
events {{ worker_connections 1024; }}
http {{
    access_log access.log;
    client_body_temp_path client_body;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    upstream pakn {{
{servers}        keepalive 32;
        keepalive_timeout 4s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 60m;
        location / {{
            proxy_pass http://pakn;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_buffer_size 16k;
            proxy_buffers 16 16k;
            proxy_busy_buffers_size 32k;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"#
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("nginx.conf");
        let child = Command::new(nginx_bin())
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf_path)
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn nginx (apt-get install nginx-light)");
        let nginx = Nginx { child, port, dir };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < PATIENCE,
                "nginx did not listen: {}",
                nginx.error_log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        nginx
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

/// Debian's nginx (`/usr/sbin` is not on every test runner's PATH).
pub fn nginx_bin() -> &'static str {
    if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    }
}

fn client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(cookies)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Which upstream nginx used, as its `X-Upstream` header says.
fn upstream_of(res: &reqwest::Response) -> String {
    res.headers()
        .get("x-upstream")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn location(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// GET through nginx; returns (status, upstream, body).
async fn get(c: &reqwest::Client, url: &str, ip: Option<&str>) -> (StatusCode, String, String) {
    let mut req = c.get(url);
    if let Some(ip) = ip {
        req = req.header("x-forwarded-for", ip);
    }
    let res = req.send().await.expect("GET");
    let status = res.status();
    let upstream = upstream_of(&res);
    (status, upstream, res.text().await.expect("body"))
}

/// Files a PAKN through `base`: the form (its token) and the POST, as a browser does.
/// Returns the POST's status, its upstream and the private link's token.
async fn file(c: &reqwest::Client, base: &str, n: usize) -> Result<(String, String), String> {
    let res = c
        .get(format!("{base}/feedback/new"))
        .send()
        .await
        .map_err(|e| format!("GET /feedback/new: {e}"))?;
    if res.status() != StatusCode::OK {
        return Err(format!("GET /feedback/new: {}", res.status()));
    }
    let html = res.text().await.map_err(|e| format!("form body: {e}"))?;
    let mut fields = valid_fields(&value_of(&html, "form_token"));
    for (name, value) in &mut fields {
        if *name == "title" {
            value.push_str(&format!(" (lần gửi {n})"));
        }
    }
    let form = fields
        .iter()
        .fold(reqwest::multipart::Form::new(), |f, (k, v)| {
            f.text(*k, v.clone())
        });
    let res = c
        .post(format!("{base}/feedback"))
        .multipart(form)
        .send()
        .await
        .map_err(|e| format!("POST /feedback: {e}"))?;
    if res.status() != StatusCode::SEE_OTHER {
        let status = res.status();
        return Err(format!(
            "POST /feedback: {status} via {}",
            upstream_of(&res)
        ));
    }
    let token = location(&res)
        .unwrap_or_default()
        .trim_start_matches("/t/")
        .to_string();
    Ok((upstream_of(&res), token))
}

async fn db_client(db: &TestDb) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test database");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

async fn count(db: &tokio_postgres::Client, sql: &str) -> i64 {
    db.query_one(sql, &[]).await.expect(sql).get(0)
}

async fn create_user(db: &tokio_postgres::Client, email: &str, role: &str, unit: Option<i32>) {
    let hash = pakn::auth::password::hash(PASSWORD).await.expect("hash");
    db.execute(
        "INSERT INTO users (email, name, password_hash, roles, unit_id) VALUES ($1, $2, $3, $4, $5)",
        &[&email, &format!("Cán bộ {role}"), &hash, &vec![role.to_string()], &unit],
    )
    .await
    .expect("insert user");
}

/// Logs in through `base`; the client keeps the session cookie.
async fn login(c: &reqwest::Client, base: &str, email: &str) {
    let html = c
        .get(format!("{base}/staff/login"))
        .send()
        .await
        .expect("GET login")
        .text()
        .await
        .expect("body");
    let token = value_of(&html, "form_token");
    let res = c
        .post(format!("{base}/staff/login"))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("form_token", &token),
        ])
        .send()
        .await
        .expect("POST login");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {email}");
}

/// Everything the test started; dropped (killed) on failure too.
struct Cluster {
    db: TestDb,
    sink: SmtpSink,
    instances: Vec<Instance>,
    nginx: Nginx,
}

impl Cluster {
    async fn start() -> Cluster {
        let db = fresh_db().await;
        let sink = SmtpSink::start().await;
        let ports = [free_port(), free_port(), free_port()];
        let nginx = Nginx::start(&ports).await;
        let public = nginx.base();
        // The first creates the reference data; the other two start together (the
        // migrations and the seed run under an advisory lock).
        let first = Instance::spawn(&db, &sink, ports[0], &public);
        first.wait_healthy().await;
        let mut instances = vec![first];
        for port in &ports[1..] {
            instances.push(Instance::spawn(&db, &sink, *port, &public));
        }
        for i in &instances[1..] {
            i.wait_healthy().await;
        }
        Cluster {
            db,
            sink,
            instances,
            nginx,
        }
    }

    fn upstreams(&self) -> BTreeSet<String> {
        self.instances.iter().map(Instance::upstream).collect()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.nginx.base())
    }

    /// Stops everything in order (instances drain with SIGTERM) and drops the database.
    async fn stop(mut self) {
        for i in &mut self.instances {
            i.terminate().await;
        }
        let _ = self.nginx.child.kill().await;
        self.db.clone().drop_db().await;
    }
}

/// Asserts that `seen` names every instance (each answered at least one request).
fn assert_all_instances(cluster: &Cluster, seen: &[String], what: &str) {
    let seen: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(seen, cluster.upstreams(), "{what}: landed on {seen:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn three_instances_behind_nginx_share_everything_and_restart_one_by_one_under_load() {
    let started = Instant::now();
    let mut cluster = Cluster::start().await;
    let db = db_client(&cluster.db).await;

    visitors_add_up(&cluster, &db).await;
    let filed = filings_land_everywhere(&cluster).await;
    staff_sessions_and_csrf_and_the_reference_cache(&cluster, &db).await;
    rate_limits_are_shared(&cluster).await;
    the_digest_goes_out_once(&cluster, &db).await;
    let (restarts, during) = rolling_restart_under_load(&mut cluster).await;
    every_filing_exists_once(&db, filed.iter().chain(during.iter())).await;
    every_mail_once(&cluster, &db).await;
    eprintln!(
        "scale-out: {} filings during the rolling restart, drains {restarts:?}, whole test {:?}",
        during.len(),
        started.elapsed()
    );
    cluster.stop().await;
}

async fn visitors_add_up(cluster: &Cluster, db: &tokio_postgres::Client) {
    let c = client(false);
    let ips = ["203.0.113.7", "198.51.100.23", "2001:db8::17"];
    let mut seen = Vec::new();
    for n in 0..9 {
        let (status, upstream, _) = get(&c, &cluster.url("/"), Some(ips[n % 3])).await;
        assert_eq!(status, StatusCode::OK);
        seen.push(upstream);
    }
    assert_all_instances(cluster, &seen, "home page views");
    // Each instance flushes its views every 2 s: the sum in Postgres is everyone's.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let views = count(db, "SELECT coalesce(sum(views), 0)::bigint FROM visit_days").await;
        let online = count(db, "SELECT count(*) FROM visitors_online").await;
        if views == 9 && online == 3 {
            break;
        }
        assert!(views <= 9, "views counted more than once: {views}");
        assert!(
            Instant::now() < deadline,
            "visits never added up: {views} views, {online} online"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Six filings through nginx, on every instance; returns their private-link tokens.
async fn filings_land_everywhere(cluster: &Cluster) -> Vec<String> {
    let c = client(false);
    let mut seen = Vec::new();
    let mut tokens = Vec::new();
    for n in 0..6 {
        let (upstream, token) = file(&c, &cluster.nginx.base(), n)
            .await
            .expect("a filing through nginx");
        seen.push(upstream);
        tokens.push(token);
    }
    assert_all_instances(cluster, &seen, "filings");
    tokens
}

/// A session made through nginx works on every instance; a CSRF token from one
/// instance is accepted by another; an admin's edit made on one instance reaches the
/// others' reference caches.
async fn staff_sessions_and_csrf_and_the_reference_cache(
    cluster: &Cluster,
    db: &tokio_postgres::Client,
) {
    let unit: i32 = db
        .query_one("SELECT unit_id FROM tickets LIMIT 1", &[])
        .await
        .expect("a routed PAKN")
        .get(0);
    create_user(db, "can.bo@scale.pakn.vn", "officer", Some(unit)).await;
    create_user(db, "quan.tri@scale.pakn.vn", "admin", None).await;

    // The officer's session, made through nginx, used for requests on every instance.
    let officer = client(true);
    login(&officer, &cluster.nginx.base(), "can.bo@scale.pakn.vn").await;
    let mut seen = Vec::new();
    for _ in 0..6 {
        let (status, upstream, body) = get(&officer, &cluster.url("/staff/tickets"), None).await;
        assert_eq!(status, StatusCode::OK, "the queue via {upstream}");
        assert!(
            body.contains("Cán bộ officer") && body.contains("action=\"/staff/logout\""),
            "the queue of the signed-in officer via {upstream}"
        );
        seen.push(upstream);
    }
    assert_all_instances(cluster, &seen, "the officer's queue");
    let anonymous = client(false);
    let (status, _, _) = get(&anonymous, &cluster.url("/staff/tickets"), None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "no session, no queue");

    // The admin logs in on instance 0 and reads the form's token there; instance 1
    // accepts it, instance 2 refuses a wrong one and accepts the right one.
    let [a, b, c] = [
        &cluster.instances[0],
        &cluster.instances[1],
        &cluster.instances[2],
    ];
    let admin = client(true);
    login(&admin, &a.base(), "quan.tri@scale.pakn.vn").await;
    let (status, _, page) = get(
        &admin,
        &format!("{}/staff/admin/fields/new", a.base()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let csrf = value_of(&page, "csrf");
    let field = |code: &'static str, name: &'static str, token: String| {
        vec![
            ("csrf", token),
            ("code", code.to_string()),
            ("name_vi", name.to_string()),
            ("name_en", "Scale-out".to_string()),
            ("keywords", String::new()),
            ("sort", "95".to_string()),
            ("active", "1".to_string()),
        ]
    };
    let post = async |base: String, form: Vec<(&'static str, String)>| {
        admin
            .post(format!("{base}/staff/admin/fields/new"))
            .form(&form)
            .send()
            .await
            .expect("POST a new field")
    };
    let res = post(
        c.base(),
        field("mo_rong_sai", "Sai mã", "0".repeat(csrf.len())),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a wrong token is refused"
    );
    let edited = Instant::now();
    let res = post(
        b.base(),
        field("mo_rong", "Lĩnh vực mở rộng ba máy", csrf.clone()),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "instance 1 takes instance 0's token"
    );
    let res = post(
        c.base(),
        field("mo_rong_2", "Lĩnh vực mở rộng thứ hai", csrf),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "so does instance 2");

    // The public form of every instance offers the new field within the reload interval.
    let public = client(false);
    for i in &cluster.instances {
        loop {
            let (_, _, form) = get(&public, &format!("{}/feedback/new", i.base()), None).await;
            if form.contains("Lĩnh vực mở rộng ba máy") {
                break;
            }
            assert!(
                edited.elapsed() < pakn::app::REFERENCE_REFRESH * 3,
                "instance {} still shows the old reference data",
                i.port
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Made-up codes looked up from one address through nginx: the limit counts them
/// whichever instance answered.
async fn rate_limits_are_shared(cluster: &Cluster) {
    let c = client(false);
    let stranger = "198.51.100.77";
    let mut seen = Vec::new();
    let lookup = async |code: String, ip: &str| {
        let (_, _, html) = get(&c, &cluster.url("/track"), None).await;
        let token = value_of(&html, "form_token");
        let res = c
            .post(cluster.url("/track"))
            .header("x-forwarded-for", ip)
            .form(&[
                ("code", code.as_str()),
                ("contact", "0983 570 009"),
                ("form_token", &token),
            ])
            .send()
            .await
            .expect("POST /track");
        (res.status(), upstream_of(&res))
    };
    for n in 0..TRACK_LIMIT {
        let (status, upstream) = lookup(format!("AAAA-AAAA-A{n}"), stranger).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "made-up code {n}");
        seen.push(upstream);
    }
    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert!(distinct.len() >= 2, "the lookups stayed on {distinct:?}");
    let (status, upstream) = lookup("AAAA-AAAA-B1".into(), stranger).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "one more from that address, on {upstream}, after {seen:?}"
    );
    let (status, _) = lookup("AAAA-AAAA-B2".into(), "203.0.113.99").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another address is not limited"
    );
}

/// Three instances pass the digest job every second; the officer's daily digest is
/// queued and delivered once.
async fn the_digest_goes_out_once(cluster: &Cluster, db: &tokio_postgres::Client) {
    let deadline = Instant::now() + PATIENCE;
    while count(
        db,
        "SELECT count(*) FROM outbox WHERE kind = 'digest.daily'",
    )
    .await
        == 0
    {
        assert!(Instant::now() < deadline, "no daily digest was queued");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let last_run = async || -> f64 {
        db.query_one(
            "SELECT extract(epoch FROM last_run_at)::float8 FROM job_leases \
             WHERE name = 'mail.digests'",
            &[],
        )
        .await
        .expect("the digests' lease")
        .get(0)
    };
    let first_run = last_run().await;
    // Several more passes of each instance.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(last_run().await > first_run, "the job kept passing");
    assert_eq!(
        count(
            db,
            "SELECT count(*) FROM outbox WHERE kind = 'digest.daily'"
        )
        .await,
        1,
        "one daily digest for the one officer"
    );
    let deadline = Instant::now() + PATIENCE;
    loop {
        let digests: Vec<_> = cluster
            .sink
            .messages()
            .into_iter()
            .filter(|m| m.rcpt_tos.iter().any(|r| r == "can.bo@scale.pakn.vn"))
            .collect();
        if !digests.is_empty() {
            assert_eq!(digests.len(), 1, "the digest was sent once");
            break;
        }
        assert!(Instant::now() < deadline, "the digest was never delivered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What the load saw.
#[derive(Default)]
struct Seen {
    ok: usize,
    failures: Vec<String>,
    filed: Vec<String>,
    upstreams: HashMap<String, usize>,
}

/// Clients GET pages and POST filings through nginx while each instance in turn is
/// stopped with SIGTERM and started again. Returns each drain's duration and the
/// tokens of the PAKN filed meanwhile.
async fn rolling_restart_under_load(cluster: &mut Cluster) -> (Vec<Duration>, Vec<String>) {
    // The instances are replaced in place: the cluster keeps the handles, so a failure
    // still kills them.
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (stop, stopped) = watch::channel(false);
    let base = cluster.nginx.base();
    let counter = Arc::new(std::sync::atomic::AtomicUsize::new(1000));
    let tasks: Vec<_> = (0..6)
        .map(|worker| {
            let (seen, stopped, base, counter) =
                (seen.clone(), stopped.clone(), base.clone(), counter.clone());
            tokio::spawn(async move {
                let c = client(false);
                while !*stopped.borrow() {
                    let result = if worker % 2 == 0 {
                        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        file(&c, &base, n).await.map(|(u, token)| (u, Some(token)))
                    } else {
                        match c.get(format!("{base}/")).send().await {
                            Ok(res) if res.status() == StatusCode::OK => {
                                Ok((upstream_of(&res), None))
                            }
                            Ok(res) => {
                                Err(format!("GET /: {} via {}", res.status(), upstream_of(&res)))
                            }
                            Err(e) => Err(format!("GET /: {e}")),
                        }
                    };
                    let mut seen = seen.lock().expect("seen");
                    match result {
                        Ok((upstream, token)) => {
                            seen.ok += 1;
                            *seen.upstreams.entry(upstream).or_default() += 1;
                            seen.filed.extend(token);
                        }
                        Err(e) => seen.failures.push(e),
                    }
                }
            })
        })
        .collect();
    let mut drains = Vec::new();
    tokio::time::sleep(Duration::from_secs(1)).await;
    for i in 0..cluster.instances.len() {
        let before = seen.lock().expect("seen").ok;
        drains.push(cluster.instances[i].terminate().await);
        let port = cluster.instances[i].port;
        cluster.instances[i] = Instance::spawn(&cluster.db, &cluster.sink, port, &base);
        cluster.instances[i].wait_healthy().await;
        // nginx skips an instance that refused a connection for `fail_timeout`: the next
        // one goes down only once this one is back in the rotation (as an operator
        // waits; docs/operations.md).
        tokio::time::sleep(Duration::from_secs(FAIL_TIMEOUT_SECS * 2)).await;
        let (after, failures) = {
            let seen = seen.lock().expect("seen");
            (seen.ok, seen.failures.clone())
        };
        assert!(
            after > before + 10,
            "the load stalled ({before} → {after}); failures {failures:?}; nginx: {}",
            cluster.nginx.error_log()
        );
    }
    let _ = stop.send(true);
    for t in tasks {
        t.await.expect("a client");
    }
    let seen = Arc::try_unwrap(seen)
        .ok()
        .expect("no other owner")
        .into_inner()
        .expect("seen");
    assert!(
        seen.failures.is_empty(),
        "{} of {} requests failed during the rolling restart: {:?}\nnginx: {}",
        seen.failures.len(),
        seen.ok + seen.failures.len(),
        seen.failures,
        cluster.nginx.error_log()
    );
    assert!(seen.filed.len() >= 10, "few filings: {}", seen.filed.len());
    let retried = seen.upstreams.keys().filter(|u| u.contains(',')).count();
    eprintln!(
        "scale-out rolling restart: {} requests ok, by upstream {:?} ({retried} retried by nginx)",
        seen.ok, seen.upstreams
    );
    (drains, seen.filed)
}

/// Every PAKN answered 303 exists exactly once.
async fn every_filing_exists_once<'a>(
    db: &tokio_postgres::Client,
    tokens: impl Iterator<Item = &'a String>,
) {
    let rows = db
        .query("SELECT access_token, idempotency_key FROM tickets", &[])
        .await
        .expect("tickets");
    let stored: HashSet<String> = rows.iter().map(|r| r.get::<_, String>(0)).collect();
    let mut keys: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        if let Some(k) = r.get::<_, Option<String>>(1) {
            *keys.entry(k).or_default() += 1;
        }
    }
    let tokens: Vec<&String> = tokens.collect();
    for t in &tokens {
        assert!(stored.contains(*t), "a PAKN answered 303 is missing: {t}");
    }
    assert_eq!(rows.len(), tokens.len(), "no PAKN besides those answered");
    assert!(keys.values().all(|n| *n == 1), "a form filed twice");
}

/// Every queued mail reaches the SMTP server exactly once.
async fn every_mail_once(cluster: &Cluster, db: &tokio_postgres::Client) {
    let deadline = Instant::now() + PATIENCE * 2;
    while count(
        db,
        "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .await
        > 0
    {
        assert!(Instant::now() < deadline, "mail still pending");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        count(
            db,
            "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL"
        )
        .await,
        0,
        "failed mail"
    );
    // The sink writes a message's file just after it answers: let the last ones land.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ids: Vec<String> = db
        .query("SELECT message_id FROM outbox", &[])
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in cluster.sink.messages() {
        let id = m.header("message-id").unwrap_or_default();
        let left = id
            .trim_start_matches('<')
            .split('@')
            .next()
            .unwrap_or_default();
        *seen.entry(left.to_string()).or_default() += 1;
    }
    let missing = ids.iter().filter(|id| !seen.contains_key(*id)).count();
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(ids.len() > 20, "the filings queued mail: {}", ids.len());
    assert_eq!(missing, 0, "mails never delivered, of {}", ids.len());
    assert!(twice.is_empty(), "mails delivered twice: {twice:?}");
}
