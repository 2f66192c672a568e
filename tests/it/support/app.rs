#![allow(dead_code)]
//! A whole pakn instance per test, in-process on port 0 with its own database.

use std::net::SocketAddr;
use std::sync::Arc;

use pakn::app::Application;
use pakn::config::Config;
use pakn::web::SharedState;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

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
    cfg.mail.dir = std::env::temp_dir().join(format!("pakn-mail-{}", rand::random::<u64>()));
    cfg
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub db: TestDb,
    pub state: SharedState,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
    worker: Option<pakn::mail::worker::WorkerHandle>,
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
            db,
            state,
            client,
            stop: Some(tx),
            handle: Some(handle),
            worker,
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

    /// Stops the server and its mail worker and drops the database.
    pub async fn stop(self) {
        self.shutdown().await.drop_db().await;
    }

    /// Stops the server and its mail worker, leaving the database to another instance.
    pub async fn stop_keeping_db(self) {
        self.shutdown().await;
    }

    /// Stops the server and its mail worker and returns the database, left in place (for
    /// a second instance on a database that another instance drops).
    pub async fn shutdown(self) -> TestDb {
        let TestApp {
            db,
            state,
            stop,
            handle,
            worker,
            ..
        } = self;
        if let Some(tx) = stop {
            let _ = tx.send(());
        }
        if let Some(h) = handle {
            let _ = h.await;
        }
        if let Some(w) = worker {
            w.stop().await;
        }
        let mail_dir = &state.cfg.mail.dir;
        if mail_dir.starts_with(std::env::temp_dir())
            && mail_dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("pakn-mail-"))
        {
            let _ = std::fs::remove_dir_all(mail_dir);
        }
        state.pool.close();
        drop(state);
        db
    }

    pub fn state(&self) -> Arc<pakn::web::AppState> {
        Arc::clone(&self.state)
    }
}
