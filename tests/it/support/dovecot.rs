#![allow(dead_code)]
//! A real IMAP server for the poller's tests: a private Dovecot (`/usr/sbin/dovecot`,
//! Debian package `dovecot-imapd`; `scripts/test` installs it) started in the
//! foreground (`dovecot -F -c <config>`) in a temp dir, on free loopback ports, with a
//! certificate signed by a throwaway CA (made with the `openssl` CLI), one passwd-file
//! user and maildir storage in the temp dir. The system's Dovecot service is not used
//! and need not run. Killed (its whole process group) on drop.
//!
//! Run as root, Dovecot's own unprivileged users (`dovenull` for logins, `dovecot` for
//! the rest and for the mail) do the work; otherwise everything runs as the current
//! user.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use pakn::config::{ImapConfig, ImapSecurity};
use pakn::mail::inbound::imap::{self, ImapSession};

pub const USER: &str = "pakn-inbox";
pub const PASSWORD: &str = "imap-test-secret";
/// The test's own sessions log in under this name, to the same mailbox as [`USER`], so
/// that the log tells the pollers' logins from the test's.
const TESTER: &str = "pakn-tester";
pub const DONE: &str = "pakn-done";

pub struct Dovecot {
    /// The implicit-TLS port.
    pub port: u16,
    /// A plain port (readiness checks).
    pub plain_port: u16,
    pub dir: PathBuf,
    /// The PEM of the CA that signed the server's certificate.
    pub ca_file: PathBuf,
    /// The PEM of another CA, which signed nothing the server uses.
    pub other_ca_file: PathBuf,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run a command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn id_of(flag: &str, user: &str) -> u32 {
    let mut cmd = Command::new("id");
    cmd.arg(flag);
    if !user.is_empty() {
        cmd.arg(user);
    }
    let out = cmd.output().expect("id");
    assert!(out.status.success(), "id {flag} {user}: no such user");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a numeric id")
}

/// A CA (`<name>.pem`, `<name>.key`) in `dir`.
fn make_ca(dir: &Path, name: &str) {
    run(Command::new("openssl")
        .current_dir(dir)
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
        .args([
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ])
        .args(["-subj", &format!("/CN=pakn test {name}")])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]));
}

/// The server's key and certificate (for 127.0.0.1 and localhost), signed by `ca`.
fn make_server_cert(dir: &Path) {
    run(Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-keyout", "server.key", "-out", "server.csr"])
        .args(["-subj", "/CN=localhost"]));
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n",
    )
    .expect("ext.cnf");
    run(Command::new("openssl")
        .current_dir(dir)
        .args(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem"])
        .args(["-CAkey", "ca.key", "-CAcreateserial", "-days", "2"])
        .args(["-out", "server.pem", "-extfile", "ext.cnf"]));
}

/// Who runs what: (login user, internal user and group, mail uid and gid).
fn users(home: &Path) -> (String, String, String, u32, u32) {
    if id_of("-u", "") == 0 {
        let (uid, gid) = (id_of("-u", "dovecot"), id_of("-g", "dovecot"));
        std::os::unix::fs::chown(home, Some(uid), Some(gid)).expect("chown the mail home");
        return (
            "dovenull".into(),
            "dovecot".into(),
            "dovecot".into(),
            uid,
            gid,
        );
    }
    let name = String::from_utf8_lossy(
        &Command::new("id")
            .arg("-un")
            .output()
            .expect("id -un")
            .stdout,
    )
    .trim()
    .to_string();
    let group = String::from_utf8_lossy(
        &Command::new("id")
            .arg("-gn")
            .output()
            .expect("id -gn")
            .stdout,
    )
    .trim()
    .to_string();
    (name.clone(), name, group, id_of("-u", ""), id_of("-g", ""))
}

fn config(dir: &Path, port: u16, plain_port: u16) -> String {
    let d = dir.display();
    let home = dir.join("home");
    std::fs::create_dir_all(&home).expect("mail home");
    let (login, internal, group, uid, gid) = users(&home);
    format!(
        "instance_name = pakn-test-{port}\nbase_dir = {d}/run\nstate_dir = {d}/state\n\
         log_path = {d}/dovecot.log\nprotocols = imap\nlisten = 127.0.0.1\n\
         ssl = yes\nssl_cert = <{d}/server.pem\nssl_key = <{d}/server.key\n\
         disable_plaintext_auth = no\nauth_mechanisms = plain login\n\
         default_login_user = {login}\ndefault_internal_user = {internal}\n\
         default_internal_group = {group}\nfirst_valid_uid = 1\nfirst_valid_gid = 1\n\
         mail_location = maildir:~/Maildir\n\
         passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
         userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/home/{USER}\n}}\n\
         service imap-login {{\n  chroot =\n\
           inet_listener imap {{\n    address = 127.0.0.1\n    port = {plain_port}\n  }}\n\
           inet_listener imaps {{\n    address = 127.0.0.1\n    port = {port}\n    ssl = yes\n  }}\n}}\n\
         service anvil {{\n  chroot =\n}}\nservice stats {{\n  chroot =\n}}\n"
    )
}

impl Dovecot {
    /// Starts a Dovecot with one user and an empty INBOX.
    pub async fn start() -> Dovecot {
        Self::start_with("").await
    }

    /// Starts a Dovecot with `extra` added to its configuration (`imap_capability =
    /// …` to hide MOVE or IDLE, for example).
    pub async fn start_with(extra: &str) -> Dovecot {
        assert!(
            Path::new("/usr/sbin/dovecot").exists(),
            "/usr/sbin/dovecot is missing: apt-get install dovecot-imapd (scripts/test does)"
        );
        let dir = std::env::temp_dir().join(format!("pakn-dovecot-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).expect("dovecot dir");
        make_ca(&dir, "ca");
        make_ca(&dir, "other-ca");
        make_server_cert(&dir);
        std::fs::write(
            dir.join("passwd"),
            format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n{TESTER}:{{PLAIN}}{PASSWORD}::::::\n"),
        )
        .expect("passwd file");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut dovecot = Dovecot {
                port: free_port(),
                plain_port: free_port(),
                ca_file: dir.join("ca.pem"),
                other_ca_file: dir.join("other-ca.pem"),
                dir: dir.clone(),
                child: None,
            };
            dovecot.spawn(extra);
            if dovecot.wait_ready().await {
                return dovecot;
            }
            let log = std::fs::read_to_string(dir.join("dovecot.log")).unwrap_or_default();
            dovecot.stop();
            assert!(Instant::now() < deadline, "dovecot did not start: {log}");
        }
    }

    fn spawn(&mut self, extra: &str) {
        let conf = self.dir.join("dovecot.conf");
        let text = config(&self.dir, self.port, self.plain_port) + extra + "\n";
        std::fs::write(&conf, text).expect("dovecot.conf");
        let out = std::fs::File::create(self.dir.join("stderr.log")).expect("stderr log");
        let child = Command::new("/usr/sbin/dovecot")
            .arg("-F")
            .arg("-c")
            .arg(&conf)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(out)
            .spawn()
            .expect("start dovecot");
        self.child = Some(child);
    }

    /// Whether the plain port greets (`* OK`) within a few seconds.
    async fn wait_ready(&mut self) -> bool {
        use tokio::io::AsyncReadExt;
        for _ in 0..100 {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(_)) = child.try_wait()
            {
                return false;
            }
            if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", self.plain_port)).await
            {
                let mut buf = [0u8; 4];
                if let Ok(Ok(_)) =
                    tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut buf)).await
                    && &buf == b"* OK"
                {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    /// Stops Dovecot and every process it started (its process group).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let group = format!("-{}", child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = child.wait();
    }

    /// The poller's configuration for this server: implicit TLS trusting the test CA,
    /// INBOX, done folder [`DONE`], IDLE on, and a poll interval long enough that only
    /// IDLE wakes a poller within a test.
    pub fn imap_config(&self) -> ImapConfig {
        ImapConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security: ImapSecurity::Tls,
            ca_file: self.ca_file.display().to_string(),
            username: USER.into(),
            password: PASSWORD.into(),
            folder: "INBOX".into(),
            done_folder: DONE.into(),
            idle: true,
            poll_secs: 600,
        }
    }

    /// A logged-in session of the test's own (over TLS).
    pub async fn session(&self) -> ImapSession {
        let own = ImapConfig {
            username: TESTER.into(),
            ..self.imap_config()
        };
        imap::login(&own).await.expect("a test imap session")
    }

    /// Puts a message into `folder` (IMAP APPEND).
    pub async fn append(&self, folder: &str, raw: &[u8]) {
        let mut s = self.session().await;
        s.append(folder, None, None, raw).await.expect("append");
        let _ = s.logout().await;
    }

    /// The messages in `folder` (0 when it does not exist), as raw bytes, in UID order.
    pub async fn messages(&self, folder: &str) -> Vec<Vec<u8>> {
        let mut s = self.session().await;
        if s.select(folder).await.is_err() {
            let _ = s.logout().await;
            return Vec::new();
        }
        let mut out: Vec<(u32, Vec<u8>)> = s
            .uid_fetch("1:*", "(UID BODY.PEEK[])")
            .await
            .expect("fetch")
            .try_collect::<Vec<_>>()
            .await
            .expect("fetch results")
            .iter()
            .map(|f| (f.uid.unwrap_or(0), f.body().unwrap_or_default().to_vec()))
            .collect();
        let _ = s.logout().await;
        out.sort_by_key(|(uid, _)| *uid);
        out.into_iter().map(|(_, raw)| raw).collect()
    }

    pub async fn count(&self, folder: &str) -> usize {
        self.messages(folder).await.len()
    }

    /// The pollers' logins, as [`USER`] (Dovecot's log, which may lag a little
    /// behind; the test's own sessions log in under another name).
    pub fn poller_logins(&self) -> usize {
        let log = std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default();
        let poller = format!("Login: user=<{USER}>");
        log.lines()
            .filter(|l| l.contains("imap-login: Info:") && l.contains(&poller))
            .count()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
