#![allow(dead_code)]
//! A whole pakn instance per test, in-process on port 0 with its own database.

use std::net::SocketAddr;
use std::sync::Arc;

use pakn::app::Application;
use pakn::config::Config;
use pakn::web::SharedState;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::outbox::{self, Ledger, MailLog};
use super::pg::{TestDb, test_db};

/// Runs migrations into a template database (called once per migrations hash).
pub async fn prepare_template(url: String) -> anyhow::Result<()> {
    pakn::db::setup::migrate(&url).await?;
    Ok(())
}

/// A fresh database cloned from the migrated template.
pub async fn fresh_db() -> TestDb {
    test_db(prepare_template).await
}

/// A configuration for tests: the given database, port 0, no rate limits in the way
/// unless a test sets them, mail to files under a temp dir.
pub fn test_config(db_url: &str) -> Config {
    let mut cfg = Config::default();
    cfg.database.url = db_url.to_string();
    cfg.database.max_connections = 8;
    cfg.server.listen = "127.0.0.1:0".into();
    cfg.spam.min_fill_secs = 0;
    // Tests file many PAKN with one email; the one testing the limit sets its own.
    cfg.limits.mail_per_address.count = 1000;
    cfg.mail.dir = std::env::temp_dir().join(format!("pakn-mail-{}", rand::random::<u64>()));
    // No second factor required unless a test asks (`tests/it/totp.rs`): the other
    // tests sign admins and leaders in with the password alone.
    cfg.auth.second_factor = Vec::new();
    // Digests: due at any pass (tests pass their own clock to `handling::digests::run`),
    // and no periodic pass of their own, so no test gets a digest it did not ask for.
    cfg.digests.at = String::new();
    cfg.digests.interval_secs = 0;
    // Reminders at any moment (no hour, any day) when a test runs a pass; the periodic
    // job's own pass stays off, so no test gets reminders of the PAKN it backdates
    // (`tests/it/reminders.rs` runs the pass with a test clock).
    cfg.reminders.at = String::new();
    cfg.reminders.enabled = false;
    cfg
}

/// A running instance for one test. End every test with [`TestApp::stop`]: it checks
/// the outbox (see [`super::outbox`]) and fails the test on mail left pending or failed
/// that the test did not declare, or mail the test never looked at. Dropping an app
/// without stopping it fails the test too, so no test can skip the check.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub db: TestDb,
    pub state: SharedState,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
    worker: Option<pakn::mail::worker::WorkerHandle>,
    ledger: Arc<Ledger>,
    /// Set once stopped (and checked, or left to the instance that drops the database).
    stopped: bool,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let db = fresh_db().await;
        Self::spawn_on(db, tweak).await
    }

    /// An instance on an existing database (a second instance, for example), with its
    /// mail worker running as in `pakn serve`.
    pub async fn spawn_on(db: TestDb, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_on_opts(db, true, tweak).await
    }

    /// An instance without a mail worker (`pakn serve --no-worker`).
    pub async fn spawn_without_worker(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let db = fresh_db().await;
        Self::spawn_on_opts(db, false, tweak).await
    }

    pub async fn spawn_on_opts(
        db: TestDb,
        mail_worker: bool,
        tweak: impl FnOnce(&mut Config),
    ) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let mut cfg = test_config(&db.url);
        cfg.server.public_url = format!("http://{addr}");
        tweak(&mut cfg);
        let app = Application::build_on(cfg, listener)
            .await
            .expect("build the app");
        let state = app.state();
        app.spawn_background();
        let worker = mail_worker.then(|| app.spawn_mail_worker().expect("mail worker"));
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("http client");
        TestApp {
            addr,
            base: format!("http://{addr}"),
            ledger: outbox::ledger(&db.name),
            db,
            state,
            client,
            stop: Some(tx),
            handle: Some(handle),
            worker,
            stopped: false,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn conn(&self) -> diesel_async::AsyncPgConnection {
        pakn::db::connect(&self.db.url)
            .await
            .expect("test connection")
    }

    /// A second instance on this one's database (its own pool, cache and mail worker),
    /// as behind a load balancer. Stop it with [`TestApp::stop_keeping_db`] before
    /// stopping the first.
    pub async fn second_instance(&self) -> TestApp {
        Self::spawn_on(self.db.clone(), |_| {}).await
    }

    /// Declares that the test ends with `n` mails pending (not sent, not given up):
    /// mail of an instance without a worker, or waiting for a retry. The end-of-test
    /// check fails on any other number.
    pub fn expect_pending_mail(&self, n: usize) {
        self.ledger.expect_pending(n);
    }

    /// Declares that the test ends with `n` mails given up (`failed_at`). The
    /// end-of-test check fails on any other number.
    pub fn expect_failed_mail(&self, n: usize) {
        self.ledger.expect_failed(n);
    }

    /// The mail queued since the last call (on any instance of this database), oldest
    /// first, whatever its status: assert who it goes to. Every mail must pass through
    /// here (or [`TestApp::all_mail`]) before the test ends.
    #[must_use = "assert who the mail goes to"]
    pub async fn take_mail(&self) -> MailLog {
        let rows = outbox::all_rows(&mut self.conn().await).await;
        self.ledger.take_unseen(rows)
    }

    /// The whole outbox, oldest first (every row counts as looked at).
    #[must_use = "assert who the mail goes to"]
    pub async fn all_mail(&self) -> MailLog {
        let rows = outbox::all_rows(&mut self.conn().await).await;
        self.ledger.mark_seen(&rows);
        rows
    }

    /// Delivers every mail due now, with a worker of this instance's configuration
    /// (also for an instance started without one); returns what it did.
    pub async fn deliver_mail(&self) -> pakn::mail::worker::BatchReport {
        let worker = pakn::mail::worker::Worker::new(
            self.state.pool.clone(),
            Arc::clone(&self.state.cfg),
            Arc::clone(&self.state.reference),
        )
        .expect("a mail worker");
        worker.drain().await.expect("deliver the mail due")
    }

    /// Stops the server and its mail worker (which first delivers what is due), checks
    /// the outbox and drops the database. Panics, once everything is cleaned up, when
    /// the outbox check fails.
    pub async fn stop(mut self) {
        self.halt().await;
        let verdict = {
            let mut conn = self.conn().await;
            outbox::check(&mut conn, &self.ledger).await
        };
        self.release();
        outbox::forget_ledger(&self.db.name);
        self.db.clone().drop_db().await;
        if let Err(problem) = verdict {
            panic!("{problem}");
        }
    }

    /// Stops the server and its mail worker (which first delivers what is due), leaving
    /// the database, and its outbox check, to the instance that drops it.
    pub async fn stop_keeping_db(mut self) {
        self.halt().await;
        self.release();
    }

    /// Stops serving and the mail worker; an instance that had a worker then delivers
    /// what is due, as its worker would have, so what the check sees does not depend
    /// on how far the worker got.
    async fn halt(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        if let Some(w) = self.worker.take() {
            w.stop().await;
            self.deliver_mail().await;
        }
    }

    /// Removes the mail directory and closes the pool; the app may then be dropped.
    fn release(&mut self) {
        let mail_dir = &self.state.cfg.mail.dir;
        if mail_dir.starts_with(std::env::temp_dir())
            && mail_dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("pakn-mail-"))
        {
            let _ = std::fs::remove_dir_all(mail_dir);
        }
        self.state.pool.close();
        self.stopped = true;
    }

    pub fn state(&self) -> Arc<pakn::web::AppState> {
        Arc::clone(&self.state)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // A test that already fails is not failed again (a panic while panicking
        // aborts the whole test binary).
        if !self.stopped && !std::thread::panicking() {
            panic!(
                "a TestApp on {} was dropped without `app.stop().await` (or \
                 `stop_keeping_db` for a second instance): the outbox was not checked",
                self.db.name
            );
        }
    }
}
