#![allow(dead_code)]
//! A Postgres cluster of its own for the fault suite and the replica test (a standby
//! of another in streaming replication): durable settings (`fsync`,
//! `synchronous_commit` and `full_page_writes` on, unlike the shared test server), and
//! crashed, restarted or stopped at will with `pg_ctl`. It is removed when dropped, and
//! by a watchdog shell when the test process dies first.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;

use super::pg::{as_postgres_user, postgres_bin_dir};

pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    pub port: u16,
    runuser: Option<&'static str>,
}

const DURABLE: &[&str] = &[
    "-c listen_addresses=127.0.0.1",
    "-c fsync=on",
    "-c synchronous_commit=on",
    "-c full_page_writes=on",
    "-c max_connections=100",
];

impl Cluster {
    /// initdb and start; panics with the log when it cannot.
    pub async fn start() -> Cluster {
        let cluster = Cluster::empty().await;
        let data = cluster.dir.join("data");
        cluster
            .run(
                "initdb",
                &[
                    "-D",
                    data.to_str().expect("utf-8 path"),
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                ],
            )
            .await;
        cluster.pg_ctl(&["start", "-w", "-t", "60"]).await;
        cluster
    }

    /// A hot standby of `primary` in streaming replication (`pg_basebackup -R`: the
    /// default `pg_hba.conf` of initdb lets local replication connections in), started.
    pub async fn standby_of(primary: &Cluster) -> Cluster {
        let cluster = Cluster::empty().await;
        let data = cluster.dir.join("data");
        let port = primary.port.to_string();
        cluster
            .run(
                "pg_basebackup",
                &[
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port,
                    "-U",
                    "postgres",
                    "-D",
                    data.to_str().expect("utf-8 path"),
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                ],
            )
            .await;
        cluster.pg_ctl(&["start", "-w", "-t", "60"]).await;
        cluster
    }

    /// Stops (`true`) or resumes replaying the WAL on this standby.
    pub async fn pause_replay(&self, pause: bool) {
        let query = if pause {
            "SELECT pg_wal_replay_pause()"
        } else {
            "SELECT pg_wal_replay_resume()"
        };
        self.client("postgres")
            .await
            .simple_query(query)
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"));
    }

    /// A directory and a port for a cluster, not yet created.
    async fn empty() -> Cluster {
        let bin = postgres_bin_dir().expect("Postgres binaries");
        let dir = std::env::temp_dir().join(format!("pakn-faults-{:016x}", rand::random::<u64>()));
        std::fs::create_dir(&dir).expect("cluster dir");
        let runuser = as_postgres_user(&dir)
            .await
            .expect("the cluster dir for postgres");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let cluster = Cluster {
            bin,
            dir,
            port,
            runuser,
        };
        cluster.watchdog();
        cluster
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// A client of database `db` (its connection runs until the client is dropped).
    pub async fn client(&self, db: &str) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url(db), tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("connecting to {db}: {e}"));
        tokio::spawn(connection);
        client
    }

    /// `pg_ctl stop -m immediate`: every backend quits at once, as in a crash; the next
    /// start replays the WAL.
    pub async fn crash(&self) {
        self.pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "60"])
            .await;
    }

    /// `pg_ctl stop -m fast`: a clean shutdown (transactions in flight are cancelled).
    pub async fn stop_fast(&self) {
        self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", "60"]).await;
    }

    pub async fn start_again(&self) {
        self.pg_ctl(&["start", "-w", "-t", "60"]).await;
    }

    /// Kills one backend with SIGKILL, as the kernel's OOM killer does: the postmaster
    /// then ends every backend and recovers, as after a crash. Returns once the recovery
    /// has begun (the postmaster notices the death a moment later: a connection opened
    /// in that moment works, then dies in the recovery); [`Cluster::wait_accepting`]
    /// waits for its end.
    pub async fn kill_a_backend(&self) {
        let client = self.client("postgres").await;
        let pid: i32 = client
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .expect("its pid")
            .get(0);
        let checkpointer = self.checkpointer_pid().await;
        let ok = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(ok.success(), "kill -9 {pid}");
        drop(client);
        // The recovery starts new auxiliary processes: a new checkpointer (or none
        // reachable yet) says it has begun.
        let started = Instant::now();
        while self.checkpointer_pid().await == checkpointer {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no recovery after kill -9 {pid}: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The checkpointer's pid; `None` when no connection answers.
    async fn checkpointer_pid(&self) -> Option<i32> {
        let (client, connection) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
                .await
                .ok()?;
        let conn = tokio::spawn(connection);
        let pid = client
            .query_opt(
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'",
                &[],
            )
            .await
            .ok()
            .flatten()
            .map(|row| row.get(0));
        drop(client);
        let _ = conn.await;
        pid
    }

    /// Waits until a new connection can run a query; how long that took.
    pub async fn wait_accepting(&self, limit: Duration) -> Duration {
        let started = Instant::now();
        loop {
            if let Ok(Ok((client, connection))) = tokio::time::timeout(
                Duration::from_secs(2),
                tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls),
            )
            .await
            {
                let conn = tokio::spawn(connection);
                let ok = client.simple_query("SELECT 1").await.is_ok();
                drop(client);
                let _ = conn.await;
                if ok {
                    return started.elapsed();
                }
            }
            assert!(
                started.elapsed() < limit,
                "Postgres did not come back: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn log(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    async fn pg_ctl(&self, args: &[&str]) {
        let data = self.dir.join("data");
        let log = self.dir.join("log");
        let options = format!(
            "-p {} -k {} {}",
            self.port,
            self.dir.display(),
            DURABLE.join(" ")
        );
        let mut all: Vec<&str> = vec!["-D", data.to_str().expect("utf-8 path")];
        all.extend(["-l", log.to_str().expect("utf-8 path"), "-o", &options]);
        all.extend(args);
        self.run("pg_ctl", &all).await;
    }

    async fn run(&self, program: &str, args: &[&str]) {
        let exe = self.bin.join(program);
        let mut cmd = match self.runuser {
            Some(runuser) => {
                let mut cmd = Command::new(runuser);
                cmd.args(["-u", "postgres", "--"]).arg(&exe);
                cmd
            }
            None => Command::new(&exe),
        };
        let out = cmd
            .args(args)
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
    }

    /// Stops the cluster and removes its directory once this process is gone.
    fn watchdog(&self) {
        let script = r#"
dir=$1; pid=$2; runuser=$3; bin=$4
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
if [ -n "$runuser" ]; then
  "$runuser" -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop
else
  "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop
fi >/dev/null 2>&1
rm -rf "$dir"
"#;
        let _ = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("pakn-faults-watchdog")
            .arg(&self.dir)
            .arg(std::process::id().to_string())
            .arg(self.runuser.unwrap_or(""))
            .arg(&self.bin)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let exe = self.bin.join("pg_ctl");
        let mut cmd = match self.runuser {
            Some(runuser) => {
                let mut cmd = std::process::Command::new(runuser);
                cmd.args(["-u", "postgres", "--"]).arg(&exe);
                cmd
            }
            None => std::process::Command::new(&exe),
        };
        let _ = cmd
            .arg("-D")
            .arg(&data)
            .args(["stop", "-m", "immediate", "-w", "-t", "10"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
