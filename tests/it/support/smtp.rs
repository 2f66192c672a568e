#![allow(dead_code)]
//! A real SMTP server for the mail tests: aiosmtpd as a child process running
//! `smtp_sink.py`, on a port fixed for the sink's lifetime so it can be stopped (killed)
//! and restarted. Each received message is read back decoded (headers, text, HTML).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// One message as the server received it.
#[derive(Debug, Clone, Deserialize)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    /// Lower-case names; values decoded (RFC 2047).
    pub headers: HashMap<String, Vec<String>>,
    /// The header block as sent, for checking the encoding.
    pub raw_headers: String,
    pub text: Option<String>,
    pub html: Option<String>,
    pub attachments: Vec<Option<String>>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    pub fn subject(&self) -> &str {
        self.header("subject").unwrap_or_default()
    }

    /// The addresses of a To or Cc header, lower-case, without display names.
    pub fn addresses(&self, name: &str) -> Vec<String> {
        self.header(name)
            .map(|v| {
                v.split(',')
                    .map(|a| {
                        let a = a.trim();
                        let a = match (a.rfind('<'), a.rfind('>')) {
                            (Some(l), Some(r)) if l < r => &a[l + 1..r],
                            _ => a,
                        };
                        a.to_ascii_lowercase()
                    })
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or_default()
    }

    pub fn html(&self) -> &str {
        self.html.as_deref().unwrap_or_default()
    }
}

pub struct SmtpSink {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl SmtpSink {
    /// Starts a sink on a free port.
    pub async fn start() -> SmtpSink {
        let dir = std::env::temp_dir().join(format!("pakn-smtp-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).expect("sink dir");
        let mut sink = SmtpSink {
            port: free_port(),
            dir,
            child: None,
        };
        sink.restart().await;
        sink
    }

    /// Starts the server again on the same port (after [`SmtpSink::stop`]).
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "the sink is already running");
        let support = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/support");
        let log = std::fs::File::create(self.dir.join("aiosmtpd.log")).expect("sink log");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let child = Command::new("python3")
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{}", self.port))
                .args(["-c", "smtp_sink.Sink"])
                .arg(self.dir.join("messages"))
                .env("PYTHONPATH", &support)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log.try_clone().expect("log handle"))
                .spawn()
                .expect("python3 -m aiosmtpd (pip install aiosmtpd)");
            self.child = Some(child);
            if self.wait_ready().await {
                return;
            }
            // The port may still be held by the previous server: try again.
            self.stop();
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start: {}",
                std::fs::read_to_string(self.dir.join("aiosmtpd.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn wait_ready(&mut self) -> bool {
        use tokio::io::AsyncReadExt;
        for _ in 0..100 {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(_)) = child.try_wait()
            {
                return false;
            }
            if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await {
                let mut buf = [0u8; 3];
                if let Ok(Ok(_)) =
                    tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut buf)).await
                    && &buf == b"220"
                {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    /// Kills the server (SIGKILL), as a crash or an outage would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Answers 550 to this recipient from now on.
    pub fn reject(&self, address: &str) {
        self.list("reject.txt", address);
    }

    /// Answers 450 (try again later) to this recipient from now on.
    pub fn tempfail(&self, address: &str) {
        self.list("tempfail.txt", address);
    }

    fn list(&self, name: &str, address: &str) {
        let path = self.dir.join("messages").join(name);
        let mut list = std::fs::read_to_string(&path).unwrap_or_default();
        list.push_str(address);
        list.push('\n');
        std::fs::write(path, list).expect("recipient list");
    }

    pub fn accept_all(&self) {
        for name in ["reject.txt", "tempfail.txt"] {
            let _ = std::fs::remove_file(self.dir.join("messages").join(name));
        }
    }

    /// Every message received so far, in arrival order.
    pub fn messages(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("messages")) else {
            return Vec::new();
        };
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort_by_key(|p| {
            let stem = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let ns: u128 = stem
                .split('-')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            (ns, stem)
        });
        names
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("message file");
                serde_json::from_str(&text).expect("message json")
            })
            .collect()
    }

    pub fn count(&self) -> usize {
        std::fs::read_dir(self.dir.join("messages"))
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Waits until at least `n` messages arrived; panics after `limit`.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let deadline = Instant::now() + limit;
        loop {
            if self.count() >= n {
                return self.messages();
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} messages, got {} after {limit:?}",
                self.count()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
