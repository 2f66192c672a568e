//! Configuration: `config.toml` (or `--config PATH` / `PAKN_CONFIG`) overlaid by
//! `PAKN_<SECTION>__<KEY>` environment variables, then checked. Every problem is reported
//! as one line that names the key, so a wrong value stops start-up with a clear message.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::calendar::{DayCount, DeadlinePolicy};

mod operations;
mod webhooks;
pub use operations::{LogConfig, LogFormat, MetricsConfig};
pub use webhooks::WebhooksConfig;

/// A configuration problem, always naming the offending key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    fn new(key: &str, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub security: SecurityConfig,
    pub spam: SpamConfig,
    pub limits: LimitsConfig,
    pub uploads: UploadsConfig,
    pub mail: MailConfig,
    pub deadlines: DeadlinesConfig,
    pub privacy: PrivacyConfig,
    pub site: SiteConfig,
    pub seed: SeedConfig,
    pub auth: AuthConfig,
    pub digests: DigestsConfig,
    pub reminders: RemindersConfig,
    pub log: LogConfig,
    pub metrics: MetricsConfig,
    pub webhooks: WebhooksConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: String,
    pub public_url: String,
    pub trusted_proxies: Vec<String>,
    /// Seconds a request may still run after SIGTERM before the process exits.
    pub shutdown_grace_secs: u64,
    /// Requests served at once before new ones wait (protects Postgres and memory).
    pub max_concurrent_requests: usize,
    /// Seconds of idleness before a staff session ends.
    pub session_idle_secs: i64,
    /// Seconds after login when a staff session ends whatever happens.
    pub session_absolute_secs: i64,
    /// Seconds the counts beside the queue and on the overview are kept in memory per
    /// scope (0: counted on every page view). The pages show when they were counted.
    pub counts_cache_secs: u64,
    /// Connections held open at once; past it new ones wait in the listen backlog
    /// (security review, finding 7).
    pub max_connections: usize,
    /// Seconds a client may take to send a request's headers before its connection is
    /// closed (security review, finding 7).
    pub header_read_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub url: String,
    pub max_connections: usize,
    /// A streaming replica (optional, empty for none) for the reads that may be a
    /// little behind: the public answers, statistics and directory, and the reports.
    /// Writes and anything that reads its own writes always go to `url`.
    pub replica_url: String,
    /// The replica is left aside (reads go to `url`) while it is more than this many
    /// seconds behind, or does not answer.
    pub replica_max_lag_secs: u64,
    /// How often each instance measures the replica's lag, in milliseconds.
    pub replica_check_ms: u64,
    /// How many writers of each instance store the PAKN filed on the public form and
    /// through the API, each storing together the filings that arrived while it was
    /// storing the previous ones (issue 21's group commit,
    /// [`crate::handling::group_commit`]). About Postgres's CPU count: fewer make larger
    /// groups (less CPU per filing), more let Postgres use more cores at once.
    pub filing_writers: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// HMAC key shared by all instances; generated into the database when empty.
    pub secret: String,
    /// How long a public form stays valid before it is re-rendered with a fresh token.
    pub form_token_max_age_secs: i64,
    /// Whether a role that reads PAKN, given by an admin to themself or to another
    /// admin, waits for a second admin's approval (security review, finding 10). Turn
    /// off only where a single admin runs the system.
    pub role_grants_need_second_admin: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpamConfig {
    pub min_fill_secs: i64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub count: u32,
    pub window_secs: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    pub submit_per_ip: Limit,
    pub track_per_code_ip: Limit,
    /// Track lookups per address (IP), whatever the code: random codes would otherwise
    /// each start a bucket of their own (security review, finding 12).
    pub track_per_ip: Limit,
    pub login_per_ip: Limit,
    pub login_per_account: Limit,
    pub mail_per_address: Limit,
    /// "Quên mã PAKN?" requests per address (IP).
    pub forgot_per_ip: Limit,
    /// Personal-data requests from the privacy page per address (IP).
    pub privacy_per_ip: Limit,
    /// Times a public form's files are kept for the form shown again (after an error),
    /// per address (IP): each can hold `[uploads]` max_files × max_file_mb, so without a
    /// bound anyone could fill the database with forms that are never sent right.
    pub stash_per_ip: Limit,
    /// Wrong second-factor codes per account before they queue (`[auth]`).
    pub code_per_account: Limit,
    /// CIDR blocks never rate-limited (a load generator, an office NAT).
    pub exempt: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadsConfig {
    pub max_files: usize,
    pub max_file_mb: usize,
    /// Uploading requests parsed at once.
    pub concurrency: usize,
    /// Uploads parsed at once per client address (IPv4, or IPv6 /64; `[limits] exempt`
    /// has none): more from one address wait, so a few slow clients cannot hold every
    /// permit (security review, finding 6).
    pub per_address: usize,
    /// Seconds without any byte of an upload's body before it is cut (finding 6).
    pub idle_secs: u64,
    /// Seconds files are kept for a form that came back (finding 3).
    pub stash_ttl_secs: u64,
    /// MiB of kept files per client address (IPv4, or IPv6 /48); past it nothing more
    /// is kept and the form says to attach the files again (finding 3).
    pub stash_mb_per_address: usize,
    /// MiB of kept files on the whole site; past it nothing more is kept (finding 3).
    pub stash_mb_total: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    pub transport: MailTransport,
    pub dir: PathBuf,
    pub from: String,
    pub reply_to: String,
    pub max_attempts: i32,
    pub retry_base_secs: u64,
    pub retry_max_secs: u64,
    pub poll_interval_secs: u64,
    pub batch_size: i64,
    /// `/healthz` says "mail stuck" when a due mail has waited this long.
    pub stuck_after_secs: u64,
    /// Whether the new-PAKN mail to the handling unit's staff accounts carries the
    /// sender's name, phone, email and address (never to contacts without an account).
    pub staff_personal_data: bool,
    pub smtp: SmtpConfig,
    /// Mail that comes back in (`[mail.inbound]`).
    pub inbound: InboundConfig,
}

/// Mail that comes in: the reply addresses put on outgoing mail, the intake address,
/// the limits, and the IMAP poller (`[mail.inbound.imap]`). `pakn mail receive` (a pipe
/// transport of the MTA) works whenever `enabled` is on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InboundConfig {
    /// Reply addresses on outgoing mail, and the processing of what comes in.
    pub enabled: bool,
    /// The local part of the reply addresses: `<local>+<token>@<domain>`; also the
    /// intake address `<local>@<domain>` unless `intake` says otherwise.
    pub local: String,
    /// Default: the domain of `mail.from`.
    pub domain: String,
    /// The address citizens write new PAKN to (default `<local>@<domain>`).
    pub intake: String,
    /// The largest message stored whole; a larger one is refused with a clear reply.
    pub max_bytes: usize,
    /// The most files one message may carry (the filing's limit is also applied).
    pub max_attachments: usize,
    /// Seconds between the passes that process stored messages.
    pub poll_interval_secs: u64,
    /// Tries before a message that fails to process waits for staff.
    pub max_attempts: i32,
    /// Messages one sender may send in an hour before the rest are held (no loop).
    pub per_sender_per_hour: i64,
    /// Messages one PAKN may receive in an hour before the rest are held.
    pub per_ticket_per_hour: i64,
    /// A Unix socket where `pakn serve` takes messages from `pakn mail receive` (stored
    /// with its warm connections: the pipe then opens no database connection of its
    /// own). Empty: the pipe stores directly. Readable and writable by the owner and
    /// group only: run the MTA's pipe as a member of the group.
    pub socket: String,
    /// Days a processed message's raw text is kept (the retention job wipes it after;
    /// what it became stays on the PAKN). Held, failed and intake mail is kept.
    pub keep_days: u32,
    pub imap: ImapConfig,
}

/// The IMAP poller (`[mail.inbound.imap]`): one instance polls at a time, by lease.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImapConfig {
    /// Empty: no poller.
    pub host: String,
    pub port: u16,
    /// `tls` (implicit TLS, port 993) or `none` (tests on loopback only).
    pub security: ImapSecurity,
    /// A PEM file of extra trusted roots (a private CA); empty: the system's roots.
    pub ca_file: String,
    pub username: String,
    pub password: String,
    /// Where new mail arrives.
    pub folder: String,
    /// Where handled messages are moved (created when missing).
    pub done_folder: String,
    /// Wait with IDLE when the server offers it (else poll every `poll_secs`).
    pub idle: bool,
    pub poll_secs: u64,
}

/// How the IMAP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImapSecurity {
    None,
    Tls,
}

/// Where mail goes: files in `mail.dir` (development, tests) or an SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    File,
    Smtp,
}

impl MailTransport {
    pub fn as_str(self) -> &'static str {
        match self {
            MailTransport::File => "file",
            MailTransport::Smtp => "smtp",
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub password: String,
    pub timeout_secs: u64,
    pub pool_size: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeadlinesConfig {
    pub accept_working_days: u32,
    pub forward_working_days: u32,
    pub reply_days: u32,
    /// "calendar" or "working".
    pub reply_count: DayCount,
    pub due_soon_working_days: u32,
    pub needs_info_expiry_days: u32,
    pub pause_on_needs_info: bool,
    pub rating_window_days: u32,
    pub reopen_window_days: u32,
    pub progress_note_days: u32,
    pub publish_working_days: u32,
    /// How often the automatic moves (expired requests for information, closing after
    /// the rating window) run, in seconds.
    pub job_interval_secs: u64,
}

/// The reminders and escalation of the periodic job (issue 15, part 3).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RemindersConfig {
    /// Whether `pakn serve` sends reminders at all.
    pub enabled: bool,
    /// When they go out, `HH:MM` in Vietnam on working days; empty: at the job's next
    /// run on any day (tests).
    pub at: String,
    /// Working days before each deadline when its due-soon reminder goes.
    pub due_soon_classify: u32,
    pub due_soon_forward: u32,
    pub due_soon_reply: u32,
    pub due_soon_publication: u32,
    pub due_soon_privacy: u32,
    /// A draft pending approval longer than this many working days is reminded to the
    /// unit's leaders.
    pub draft_wait_working_days: u32,
}

impl Default for RemindersConfig {
    fn default() -> Self {
        RemindersConfig {
            enabled: true,
            at: "07:30".into(),
            due_soon_classify: 1,
            due_soon_forward: 2,
            due_soon_reply: 3,
            due_soon_publication: 1,
            due_soon_privacy: 1,
            draft_wait_working_days: 2,
        }
    }
}

impl RemindersConfig {
    /// The sending time (checked when the configuration loaded).
    pub fn send_at(&self) -> crate::domain::schedule::SendAt {
        crate::domain::schedule::SendAt::parse(&self.at).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacyConfig {
    /// Version of the processing notice the citizen consents to (stored with the consent).
    pub notice_version: String,
    /// Years after a PAKN ends (closed, rejected, out of scope, transferred, withdrawn)
    /// when its personal data is anonymised by the retention job.
    pub retention_years: u32,
    /// How often the retention job runs, in seconds (it takes a lease, so one instance
    /// runs it at a time).
    pub retention_interval_secs: u64,
    /// Whether the citizen's track page names the staff members in its timeline
    /// (otherwise it says "the handling officer").
    pub show_staff_names: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    pub name_vi: String,
    pub name_en: String,
    pub address: String,
    /// The place printed before the date on paper ("An Giang, ngày … tháng … năm …").
    pub place: String,
    /// Where khiếu nại, tố cáo and legal-advice requests go instead (shown before the form).
    pub elsewhere: Vec<ElsewhereLink>,
    /// The seed page's visitor counter on the home page (visits, today, online now).
    pub visitor_counter: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElsewhereLink {
    pub label_vi: String,
    pub label_en: String,
    pub url: String,
}

/// The staff's second factor (TOTP and recovery codes, `auth::second_factor`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Roles that must sign in with a second factor (`"all"`: every role). A user holding
    /// one of them who has not enrolled is sent to enrolment after the password.
    pub second_factor: Vec<String>,
    /// Seconds the half-signed-in state (password right, code not yet given) lasts.
    pub second_step_secs: i64,
    /// Seconds a user required to enrol, and signed in halfway, has to do it.
    pub enrol_secs: i64,
    /// The longest spacing, in seconds, between two checked codes of one account past
    /// `[limits] code_per_account` (the spacing doubles with each failure up to it).
    pub code_delay_max_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            second_factor: vec!["admin".into(), "leader".into()],
            second_step_secs: 300,
            enrol_secs: 900,
            code_delay_max_secs: 900,
        }
    }
}

impl AuthConfig {
    /// Whether a user holding `roles` must sign in with a second factor.
    pub fn requires_second_factor(&self, roles: &[crate::domain::access::Role]) -> bool {
        self.second_factor
            .iter()
            .any(|r| r.trim() == "all" || roles.iter().any(|role| role.as_str() == r.trim()))
    }
}

/// The digests (issue 15, part 4): a daily one per officer, a weekly one per leader.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestsConfig {
    /// When they go out, Vietnam time, on working days (`"HH:MM"`; empty: at the job's
    /// next run on any day). Checked when the config loads ([`DigestsConfig::send_at`]).
    pub at: String,
    /// The day of the week the weekly digest goes out (when it is not a working day,
    /// the first working day after it in the same week).
    pub weekly_on: DayOfWeek,
    /// How often `pakn serve` looks whether digests are due, in seconds; 0: never
    /// (only `pakn digests` sends them).
    pub interval_secs: u64,
    /// The most PAKN one list of a daily digest shows (the rest are counted, with a
    /// link to the queue).
    pub max_items: u32,
}

impl Default for DigestsConfig {
    fn default() -> Self {
        DigestsConfig {
            at: "07:30".into(),
            weekly_on: DayOfWeek::Monday,
            interval_secs: 300,
            max_items: 50,
        }
    }
}

impl DigestsConfig {
    /// The parsed `at` (validated when the config loads; an unparsable one, only
    /// possible in a config built by hand, means "at any run").
    pub fn send_at(&self) -> crate::domain::schedule::SendAt {
        crate::domain::schedule::SendAt::parse(&self.at).unwrap_or_default()
    }
}

/// A day of the week as written in the config (`monday` … `sunday`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayOfWeek {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl DayOfWeek {
    pub fn weekday(self) -> chrono::Weekday {
        match self {
            DayOfWeek::Monday => chrono::Weekday::Mon,
            DayOfWeek::Tuesday => chrono::Weekday::Tue,
            DayOfWeek::Wednesday => chrono::Weekday::Wed,
            DayOfWeek::Thursday => chrono::Weekday::Thu,
            DayOfWeek::Friday => chrono::Weekday::Fri,
            DayOfWeek::Saturday => chrono::Weekday::Sat,
            DayOfWeek::Sunday => chrono::Weekday::Sun,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SeedConfig {
    /// A reference-data file to use instead of the one embedded at build time.
    pub reference_file: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxies: Vec::new(),
            shutdown_grace_secs: 30,
            max_concurrent_requests: 512,
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 3600,
            counts_cache_secs: 5,
            max_connections: 1024,
            header_read_timeout_secs: 10,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "postgres://postgres@127.0.0.1:5432/pakn".into(),
            max_connections: 16,
            replica_url: String::new(),
            replica_max_lag_secs: 10,
            replica_check_ms: 1000,
            filing_writers: 2,
        }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            secret: String::new(),
            form_token_max_age_secs: 24 * 3600,
            role_grants_need_second_admin: true,
        }
    }
}

impl Default for SpamConfig {
    fn default() -> Self {
        SpamConfig { min_fill_secs: 3 }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            submit_per_ip: Limit {
                count: 20,
                window_secs: 3600,
            },
            track_per_code_ip: Limit {
                count: 10,
                window_secs: 900,
            },
            track_per_ip: Limit {
                count: 60,
                window_secs: 900,
            },
            login_per_ip: Limit {
                count: 30,
                window_secs: 900,
            },
            login_per_account: Limit {
                count: 10,
                window_secs: 900,
            },
            mail_per_address: Limit {
                count: 3,
                window_secs: 3600,
            },
            forgot_per_ip: Limit {
                count: 10,
                window_secs: 3600,
            },
            privacy_per_ip: Limit {
                count: 5,
                window_secs: 3600,
            },
            stash_per_ip: Limit {
                count: 10,
                window_secs: 3600,
            },
            code_per_account: Limit {
                count: 5,
                window_secs: 86400,
            },
            exempt: Vec::new(),
        }
    }
}

impl Default for UploadsConfig {
    fn default() -> Self {
        UploadsConfig {
            max_files: 5,
            max_file_mb: 10,
            concurrency: 8,
            per_address: 2,
            idle_secs: 10,
            stash_ttl_secs: 3600,
            stash_mb_per_address: 64,
            stash_mb_total: 1024,
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            transport: MailTransport::File,
            dir: PathBuf::from("var/mail"),
            from: "PAKN Sở Nội vụ <pakn@localhost>".into(),
            reply_to: String::new(),
            max_attempts: 12,
            retry_base_secs: 25,
            retry_max_secs: 3600,
            poll_interval_secs: 5,
            batch_size: 50,
            stuck_after_secs: 600,
            staff_personal_data: true,
            smtp: SmtpConfig::default(),
            inbound: InboundConfig::default(),
        }
    }
}

impl Default for InboundConfig {
    fn default() -> Self {
        InboundConfig {
            enabled: false,
            local: "pakn".into(),
            domain: String::new(),
            intake: String::new(),
            max_bytes: 25 * 1024 * 1024,
            max_attachments: 10,
            poll_interval_secs: 5,
            max_attempts: 5,
            per_sender_per_hour: 20,
            per_ticket_per_hour: 30,
            socket: String::new(),
            keep_days: 30,
            imap: ImapConfig::default(),
        }
    }
}

impl Default for ImapConfig {
    fn default() -> Self {
        ImapConfig {
            host: String::new(),
            port: 993,
            security: ImapSecurity::Tls,
            ca_file: String::new(),
            username: String::new(),
            password: String::new(),
            folder: "INBOX".into(),
            done_folder: "pakn-done".into(),
            idle: true,
            poll_secs: 60,
        }
    }
}

impl InboundConfig {
    /// The domain of the reply and intake addresses.
    pub fn domain_or<'a>(&'a self, from_domain: &'a str) -> &'a str {
        if self.domain.trim().is_empty() {
            from_domain
        } else {
            self.domain.trim()
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 25,
            security: SmtpSecurity::None,
            username: String::new(),
            password: String::new(),
            timeout_secs: 15,
            pool_size: 4,
        }
    }
}

impl Default for DeadlinesConfig {
    fn default() -> Self {
        DeadlinesConfig {
            accept_working_days: 3,
            forward_working_days: 5,
            reply_days: 20,
            reply_count: DayCount::Calendar,
            due_soon_working_days: 3,
            needs_info_expiry_days: 15,
            pause_on_needs_info: false,
            rating_window_days: 30,
            reopen_window_days: 30,
            progress_note_days: 7,
            publish_working_days: 2,
            job_interval_secs: 60,
        }
    }
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            notice_version: "2026-12".into(),
            retention_years: 5,
            retention_interval_secs: 3600,
            show_staff_names: false,
        }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            name_vi: "Sở Nội vụ tỉnh An Giang".into(),
            name_en: "An Giang Department of Home Affairs".into(),
            address: "Số 18 Tôn Đức Thắng, phường Rạch Giá, tỉnh An Giang".into(),
            place: "An Giang".into(),
            elsewhere: Vec::new(),
            visitor_counter: true,
        }
    }
}

/// Environment variables starting with `PAKN_` that are not configuration keys.
const NOT_CONFIG_KEYS: &[&str] = &["PAKN_CONFIG", "PAKN_PASSWORD", "PAKN_LOG"];

impl Config {
    /// Loads the file (missing is fine only when no path was given explicitly), overlays
    /// the environment and checks the result.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::load_with_env(path, &env)
    }

    /// As [`Config::load`], with an explicit environment (for tests).
    pub fn load_with_env(
        path: Option<&Path>,
        env: &HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let explicit = path
            .map(Path::to_path_buf)
            .or_else(|| env.get("PAKN_CONFIG").map(PathBuf::from));
        let file_path = explicit
            .clone()
            .unwrap_or_else(|| PathBuf::from("config.toml"));
        if explicit.is_some() && !file_path.exists() {
            return Err(ConfigError::new(
                "--config",
                format!("file {} does not exist", file_path.display()),
            ));
        }
        let pakn_env: config::Map<String, String> = env
            .iter()
            .filter(|(k, _)| k.starts_with("PAKN_") && !NOT_CONFIG_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut builder = config::Config::builder();
        if file_path.exists() {
            builder = builder.add_source(
                config::File::from(file_path.as_path()).format(config::FileFormat::Toml),
            );
        }
        builder = builder.add_source(
            config::Environment::with_prefix("PAKN")
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("limits.exempt")
                .with_list_parse_key("server.trusted_proxies")
                .with_list_parse_key("auth.second_factor")
                .source(Some(pakn_env)),
        );
        // DATABASE_URL sits between the file and PAKN_DATABASE__URL.
        if !env.contains_key("PAKN_DATABASE__URL")
            && let Some(url) = env.get("DATABASE_URL")
        {
            builder = builder
                .set_override("database.url", url.clone())
                .map_err(|e| ConfigError::new("DATABASE_URL", e.to_string()))?;
        }
        let raw = builder
            .build()
            .map_err(|e| config_crate_error(&file_path, e))?;
        let cfg: Config = raw
            .try_deserialize()
            .map_err(|e| config_crate_error(&file_path, e))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Semantic checks that serde cannot do.
    /// The bounds of the connection, upload and stash limits (security review, findings
    /// 3, 6 and 7).
    fn validate_edge(&self) -> Result<(), ConfigError> {
        let at_least_one = [
            ("server.max_connections", self.server.max_connections as u64),
            (
                "server.header_read_timeout_secs",
                self.server.header_read_timeout_secs,
            ),
            ("uploads.per_address", self.uploads.per_address as u64),
            ("uploads.idle_secs", self.uploads.idle_secs),
            ("uploads.stash_ttl_secs", self.uploads.stash_ttl_secs),
        ];
        for (key, value) in at_least_one {
            if value == 0 {
                return Err(ConfigError::new(key, "must be at least 1"));
            }
        }
        Ok(())
    }

    /// `[mail.inbound]`: an address that can be built, limits that let mail in.
    fn validate_inbound(&self) -> Result<(), ConfigError> {
        let i = &self.mail.inbound;
        let local_ok = !i.local.is_empty()
            && i.local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !local_ok {
            return Err(ConfigError::new(
                "mail.inbound.local",
                "letters, digits, '.', '-' or '_' only (the token follows a '+')",
            ));
        }
        if !i.intake.is_empty() {
            crate::domain::mailbox::parse_mailbox(&i.intake)
                .map_err(|m| ConfigError::new("mail.inbound.intake", m))?;
        }
        for (key, value) in [
            ("mail.inbound.max_bytes", i.max_bytes as u64),
            ("mail.inbound.poll_interval_secs", i.poll_interval_secs),
            ("mail.inbound.max_attempts", i.max_attempts.max(0) as u64),
            (
                "mail.inbound.per_sender_per_hour",
                i.per_sender_per_hour.max(0) as u64,
            ),
            (
                "mail.inbound.per_ticket_per_hour",
                i.per_ticket_per_hour.max(0) as u64,
            ),
            ("mail.inbound.imap.poll_secs", i.imap.poll_secs),
        ] {
            if value == 0 {
                return Err(ConfigError::new(key, "must be at least 1"));
            }
        }
        Ok(())
    }

    /// The separate metrics listener's address, if one is set.
    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        let listen = self.metrics.listen.trim();
        if listen.is_empty() {
            return Ok(None);
        }
        listen
            .parse()
            .map(Some)
            .map_err(|e| ConfigError::new("metrics.listen", format!("not an address: {e}")))
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.listen_addr()?;
        self.validate_inbound()?;
        self.metrics_addr()?;
        let token = self.metrics.token.trim();
        if !token.is_empty() && token.len() < 24 {
            return Err(ConfigError::new(
                "metrics.token",
                "at least 24 characters (a random secret)",
            ));
        }
        let public = url::Url::parse(&self.server.public_url)
            .map_err(|e| ConfigError::new("server.public_url", format!("not a URL: {e}")))?;
        if !matches!(public.scheme(), "http" | "https") {
            return Err(ConfigError::new(
                "server.public_url",
                "must start with http:// or https://",
            ));
        }
        for (i, p) in self.server.trusted_proxies.iter().enumerate() {
            parse_cidr(p)
                .map_err(|m| ConfigError::new(&format!("server.trusted_proxies[{i}]"), m))?;
        }
        for (i, p) in self.limits.exempt.iter().enumerate() {
            parse_cidr(p).map_err(|m| ConfigError::new(&format!("limits.exempt[{i}]"), m))?;
        }
        let url = url::Url::parse(&self.database.url)
            .map_err(|e| ConfigError::new("database.url", format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(ConfigError::new(
                "database.url",
                "must be a postgres:// URL",
            ));
        }
        if url.path().trim_start_matches('/').is_empty() {
            return Err(ConfigError::new("database.url", "names no database"));
        }
        if !self.database.replica_url.trim().is_empty() {
            let replica = url::Url::parse(self.database.replica_url.trim())
                .map_err(|e| ConfigError::new("database.replica_url", format!("not a URL: {e}")))?;
            if !matches!(replica.scheme(), "postgres" | "postgresql") {
                return Err(ConfigError::new(
                    "database.replica_url",
                    "must be a postgres:// URL",
                ));
            }
            if self.database.replica_check_ms == 0 {
                return Err(ConfigError::new(
                    "database.replica_check_ms",
                    "must be at least 1",
                ));
            }
        }
        if self.database.max_connections == 0 {
            return Err(ConfigError::new(
                "database.max_connections",
                "must be at least 1",
            ));
        }
        if !self.security.secret.is_empty() && self.security.secret.len() < 32 {
            return Err(ConfigError::new(
                "security.secret",
                "must be at least 32 characters (or empty to generate one)",
            ));
        }
        if self.security.form_token_max_age_secs < 60 {
            return Err(ConfigError::new(
                "security.form_token_max_age_secs",
                "must be at least 60",
            ));
        }
        if self.spam.min_fill_secs < 0 {
            return Err(ConfigError::new(
                "spam.min_fill_secs",
                "must not be negative",
            ));
        }
        for (key, limit) in [
            ("limits.submit_per_ip", self.limits.submit_per_ip),
            ("limits.track_per_code_ip", self.limits.track_per_code_ip),
            ("limits.track_per_ip", self.limits.track_per_ip),
            ("limits.login_per_ip", self.limits.login_per_ip),
            ("limits.login_per_account", self.limits.login_per_account),
            ("limits.mail_per_address", self.limits.mail_per_address),
            ("limits.forgot_per_ip", self.limits.forgot_per_ip),
            ("limits.privacy_per_ip", self.limits.privacy_per_ip),
            ("limits.stash_per_ip", self.limits.stash_per_ip),
            ("limits.code_per_account", self.limits.code_per_account),
        ] {
            if limit.count == 0 || limit.window_secs == 0 {
                return Err(ConfigError::new(
                    key,
                    "count and window_secs must be at least 1",
                ));
            }
        }
        if self.uploads.max_files > 20 {
            return Err(ConfigError::new("uploads.max_files", "must be at most 20"));
        }
        if self.uploads.max_file_mb == 0 || self.uploads.max_file_mb > 50 {
            return Err(ConfigError::new(
                "uploads.max_file_mb",
                "must be between 1 and 50",
            ));
        }
        if self.uploads.concurrency == 0 {
            return Err(ConfigError::new(
                "uploads.concurrency",
                "must be at least 1",
            ));
        }
        self.validate_edge()?;
        if self.mail.transport == MailTransport::Smtp && self.mail.smtp.host.is_empty() {
            return Err(ConfigError::new(
                "mail.smtp.host",
                "is required with transport smtp",
            ));
        }
        crate::domain::mailbox::parse_mailbox(&self.mail.from)
            .map_err(|m| ConfigError::new("mail.from", m))?;
        if !self.mail.reply_to.is_empty() {
            crate::domain::mailbox::parse_mailbox(&self.mail.reply_to)
                .map_err(|m| ConfigError::new("mail.reply_to", m))?;
        }
        if self.mail.max_attempts < 1 {
            return Err(ConfigError::new("mail.max_attempts", "must be at least 1"));
        }
        if self.mail.retry_base_secs == 0 || self.mail.retry_max_secs < self.mail.retry_base_secs {
            return Err(ConfigError::new(
                "mail.retry_base_secs",
                "must be at least 1 and not above mail.retry_max_secs",
            ));
        }
        if self.mail.poll_interval_secs == 0 {
            return Err(ConfigError::new(
                "mail.poll_interval_secs",
                "must be at least 1",
            ));
        }
        if self.mail.batch_size < 1 {
            return Err(ConfigError::new("mail.batch_size", "must be at least 1"));
        }
        if self.deadlines.reply_days == 0 {
            return Err(ConfigError::new(
                "deadlines.reply_days",
                "must be at least 1",
            ));
        }
        if self.privacy.notice_version.trim().is_empty() {
            return Err(ConfigError::new(
                "privacy.notice_version",
                "must not be empty",
            ));
        }
        if self.privacy.retention_years == 0 {
            return Err(ConfigError::new(
                "privacy.retention_years",
                "must be at least 1",
            ));
        }
        self.validate_auth()?;
        crate::domain::schedule::SendAt::parse(&self.digests.at)
            .map_err(|m| ConfigError::new("digests.at", m))?;
        if self.digests.max_items == 0 {
            return Err(ConfigError::new("digests.max_items", "must be at least 1"));
        }
        self.validate_reminders()?;
        if self.privacy.retention_interval_secs == 0 {
            return Err(ConfigError::new(
                "privacy.retention_interval_secs",
                "must be at least 1",
            ));
        }
        for (i, link) in self.site.elsewhere.iter().enumerate() {
            url::Url::parse(&link.url).map_err(|e| {
                ConfigError::new(
                    &format!("site.elsewhere[{i}].url"),
                    format!("not a URL: {e}"),
                )
            })?;
        }
        Ok(())
    }

    fn validate_reminders(&self) -> Result<(), ConfigError> {
        crate::domain::schedule::SendAt::parse(&self.reminders.at)
            .map_err(|m| ConfigError::new("reminders.at", m))?;
        let r = &self.reminders;
        for (key, days) in [
            ("reminders.due_soon_classify", r.due_soon_classify),
            ("reminders.due_soon_forward", r.due_soon_forward),
            ("reminders.due_soon_reply", r.due_soon_reply),
            ("reminders.due_soon_publication", r.due_soon_publication),
            ("reminders.due_soon_privacy", r.due_soon_privacy),
            (
                "reminders.draft_wait_working_days",
                r.draft_wait_working_days,
            ),
        ] {
            if days > 60 {
                return Err(ConfigError::new(key, "must be at most 60 working days"));
            }
        }
        if self.deadlines.progress_note_days == 0 {
            return Err(ConfigError::new(
                "deadlines.progress_note_days",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// The rules of the reminders, from `[reminders]` and `[deadlines]`.
    pub fn reminder_rules(&self) -> crate::domain::reminders::ReminderRules {
        let r = &self.reminders;
        crate::domain::reminders::ReminderRules {
            soon_classify: r.due_soon_classify,
            soon_forward: r.due_soon_forward,
            soon_reply: r.due_soon_reply,
            soon_publication: r.due_soon_publication,
            soon_privacy: r.due_soon_privacy,
            progress_note_days: self.deadlines.progress_note_days,
            draft_wait_working_days: r.draft_wait_working_days,
            publish_working_days: self.deadlines.publish_working_days,
            pause_on_needs_info: self.deadlines.pause_on_needs_info,
        }
    }

    fn validate_auth(&self) -> Result<(), ConfigError> {
        for (i, r) in self.auth.second_factor.iter().enumerate() {
            let r = r.trim();
            if !r.is_empty() && r != "all" && crate::domain::access::Role::parse(r).is_none() {
                return Err(ConfigError::new(
                    &format!("auth.second_factor[{i}]"),
                    format!("unknown role {r:?} (a role name or \"all\")"),
                ));
            }
        }
        if self.auth.second_step_secs < 30 || self.auth.enrol_secs < 60 {
            return Err(ConfigError::new(
                "auth.second_step_secs",
                "must be at least 30 (and auth.enrol_secs at least 60)",
            ));
        }
        if self.auth.code_delay_max_secs == 0 {
            return Err(ConfigError::new(
                "auth.code_delay_max_secs",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.server.listen.parse().map_err(|_| {
            ConfigError::new(
                "server.listen",
                format!(
                    "{:?} is not an address like 127.0.0.1:8080",
                    self.server.listen
                ),
            )
        })
    }

    /// The deadline rules of `[deadlines]` (their day count parsed when the config loaded).
    pub fn deadline_policy(&self) -> DeadlinePolicy {
        DeadlinePolicy {
            accept_working_days: self.deadlines.accept_working_days,
            forward_working_days: self.deadlines.forward_working_days,
            reply_days: self.deadlines.reply_days,
            reply_count: self.deadlines.reply_count,
            due_soon_working_days: self.deadlines.due_soon_working_days,
        }
    }

    /// Whether the session cookie must be `Secure` (exactly when served over https).
    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }

    pub fn exempt_networks(&self) -> Vec<Cidr> {
        self.limits
            .exempt
            .iter()
            .filter_map(|c| parse_cidr(c).ok())
            .collect()
    }

    pub fn trusted_proxy_networks(&self) -> Vec<Cidr> {
        self.server
            .trusted_proxies
            .iter()
            .filter_map(|c| parse_cidr(c).ok())
            .collect()
    }
}

/// Turns an error of the `config` crate into one line naming the key.
fn config_crate_error(file: &Path, e: config::ConfigError) -> ConfigError {
    let text = e.to_string();
    // The crate words its messages as "... for key `section.key` in FILE" or
    // "unknown field `x`, expected ..."; keep its text and pull the key out when present.
    let key = text
        .split("for key `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string)
        .or_else(|| {
            text.split("unknown field `")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
                .map(str::to_string)
        })
        .unwrap_or_else(|| file.display().to_string());
    ConfigError { key, message: text }
}

/// An IP network, for `limits.exempt` and `server.trusted_proxies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6
                .to_ipv4_mapped()
                .map(IpAddr::V4)
                .unwrap_or(IpAddr::V6(v6)),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Parses `10.0.0.0/8`, `::1/128` or a bare address (a single host).
pub fn parse_cidr(s: &str) -> Result<Cidr, String> {
    let s = s.trim();
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("{s:?} is not an IP network like 10.0.0.0/8"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) => p
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= max)
            .ok_or_else(|| format!("{s:?} has an invalid prefix length"))?,
        None => max,
    };
    Ok(Cidr { addr, prefix })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().expect("defaults validate");
    }

    #[test]
    fn env_overrides_nested_keys() {
        let cfg = Config::load_with_env(
            Some(Path::new("config.toml")),
            &env(&[
                ("PAKN_MAIL__TRANSPORT", "smtp"),
                ("PAKN_MAIL__SMTP__PORT", "2525"),
                ("PAKN_CONFIG", "ignored"),
                ("PAKN_PASSWORD", "ignored"),
            ]),
        )
        .expect("loads");
        assert_eq!(cfg.mail.transport, MailTransport::Smtp);
        assert_eq!(cfg.mail.smtp.port, 2525);
    }

    #[test]
    fn reminders_at_from_the_environment() {
        let path = Some(Path::new("config.toml"));
        let cfg = Config::load_with_env(path, &env(&[("PAKN_REMINDERS__AT", "")])).expect("loads");
        assert_eq!(cfg.reminders.send_at().time(), None);
        let cfg =
            Config::load_with_env(path, &env(&[("PAKN_REMINDERS__AT", "06:45")])).expect("loads");
        assert_eq!(
            cfg.reminders.send_at().time(),
            chrono::NaiveTime::from_hms_opt(6, 45, 0)
        );
        assert_eq!(Config::default().reminders.at, "07:30");
        for (var, value, key) in [
            ("PAKN_REMINDERS__AT", "7h30", "reminders.at"),
            (
                "PAKN_REMINDERS__DUE_SOON_REPLY",
                "99",
                "reminders.due_soon_reply",
            ),
        ] {
            let err = Config::load_with_env(path, &env(&[(var, value)])).expect_err(var);
            assert_eq!(err.key, key, "{err}");
        }
    }

    #[test]
    fn database_url_precedence() {
        let path = Some(Path::new("config.toml"));
        let cfg = Config::load_with_env(path, &env(&[("DATABASE_URL", "postgres://a@h/x")]))
            .expect("loads");
        assert_eq!(cfg.database.url, "postgres://a@h/x");
        let cfg = Config::load_with_env(
            path,
            &env(&[
                ("DATABASE_URL", "postgres://a@h/x"),
                ("PAKN_DATABASE__URL", "postgres://b@h/y"),
            ]),
        )
        .expect("loads");
        assert_eq!(cfg.database.url, "postgres://b@h/y");
    }

    #[test]
    fn errors_name_the_key() {
        let path = Some(Path::new("config.toml"));
        for (var, value, key) in [
            ("PAKN_SERVER__LISTEN", "nonsense", "server.listen"),
            ("PAKN_MAIL__TRANSPORT", "pigeon", "mail.transport"),
            ("PAKN_SPAM__MIN_FILL_SECS", "abc", "spam.min_fill_secs"),
            ("PAKN_MAIL__SMTP__PORT", "99999", "mail.smtp.port"),
            ("PAKN_DATABASE__URL", "mysql://x/y", "database.url"),
            ("PAKN_LIMITS__EXEMPT", "10.0.0.0/99", "limits.exempt[0]"),
            (
                "PAKN_DEADLINES__REPLY_COUNT",
                "lunar",
                "deadlines.reply_count",
            ),
        ] {
            let err = Config::load_with_env(path, &env(&[(var, value)]))
                .expect_err(&format!("{var}={value} must be refused"));
            assert!(
                err.to_string().contains(key),
                "{var}={value}: {err} does not name {key}"
            );
            assert_eq!(err.to_string().lines().count(), 1, "one line: {err}");
        }
    }

    #[test]
    fn cidr_matching() {
        let net = parse_cidr("10.1.0.0/16").expect("parses");
        assert!(net.contains("10.1.2.3".parse().expect("ip")));
        assert!(!net.contains("10.2.0.1".parse().expect("ip")));
        let host = parse_cidr("127.0.0.1").expect("parses");
        assert!(host.contains("::ffff:127.0.0.1".parse().expect("ip")));
        assert!(
            parse_cidr("::1/128")
                .expect("parses")
                .contains("::1".parse().expect("ip"))
        );
        assert!(parse_cidr("nope").is_err());
    }

    #[test]
    fn the_second_factor_is_required_by_role() {
        use crate::domain::access::Role;
        let path = Some(Path::new("config.toml"));
        let cfg = Config::load_with_env(path, &env(&[])).expect("loads");
        assert!(
            cfg.auth
                .requires_second_factor(&[Role::Officer, Role::Leader])
        );
        assert!(cfg.auth.requires_second_factor(&[Role::Admin]));
        assert!(
            !cfg.auth
                .requires_second_factor(&[Role::Officer, Role::Inspector])
        );
        let cfg = Config::load_with_env(path, &env(&[("PAKN_AUTH__SECOND_FACTOR", "all")]))
            .expect("loads");
        assert!(cfg.auth.requires_second_factor(&[Role::Inspector]));
        let cfg =
            Config::load_with_env(path, &env(&[("PAKN_AUTH__SECOND_FACTOR", "")])).expect("loads");
        assert!(!cfg.auth.requires_second_factor(&[Role::Admin]), "nobody");
        let err = Config::load_with_env(path, &env(&[("PAKN_AUTH__SECOND_FACTOR", "admin,boss")]))
            .expect_err("an unknown role");
        assert!(err.to_string().contains("auth.second_factor[1]"), "{err}");
    }

    #[test]
    fn the_digests_section_is_checked_at_load() {
        let path = Some(Path::new("config.toml"));
        let cfg = Config::load_with_env(path, &env(&[])).expect("loads");
        assert_eq!(cfg.digests.weekly_on, DayOfWeek::Monday);
        assert!(cfg.digests.send_at().time().is_some());
        let cfg = Config::load_with_env(
            path,
            &env(&[
                ("PAKN_DIGESTS__AT", ""),
                ("PAKN_DIGESTS__WEEKLY_ON", "wednesday"),
            ]),
        )
        .expect("loads");
        assert_eq!(cfg.digests.send_at().time(), None);
        assert_eq!(cfg.digests.weekly_on.weekday(), chrono::Weekday::Wed);
        for (var, value, key) in [
            ("PAKN_DIGESTS__AT", "7h30", "digests.at"),
            ("PAKN_DIGESTS__WEEKLY_ON", "funday", "digests.weekly_on"),
            ("PAKN_DIGESTS__MAX_ITEMS", "0", "digests.max_items"),
        ] {
            let err = Config::load_with_env(path, &env(&[(var, value)]))
                .expect_err(&format!("{var}={value} must be refused"));
            assert!(err.to_string().contains(key), "{err}");
            assert_eq!(err.to_string().lines().count(), 1, "one line: {err}");
        }
    }
}
