//! Digests (issue 15, part 4): which digest, which period it reports, when the weekly
//! one goes out, and the signed one-click unsubscribe token (RFC 8058) a digest carries.
//!
//! The token is the URL-safe base64 (no padding) of 22 bytes: version `1`, the kind
//! ([`DigestKind::byte`]), the user id (`i32` big-endian), then the first 16 bytes of
//! HMAC-SHA256 under a key derived from `[security] secret` of those 6 bytes. It never
//! expires (a digest read weeks later must still unsubscribe) and can only ever turn
//! one digest of one user off, so it carries no nonce and nothing is stored.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::calendar::WorkCalendar;

crate::text_code! {
    /// Which digest (`digests_sent.kind`).
    pub enum DigestKind {
        /// Per officer: their open PAKN and their unit's unassigned ones.
        Daily = "daily",
        /// Per leader: the previous week per unit.
        Weekly = "weekly",
    }
}

impl DigestKind {
    /// The outbox kind of its mail.
    pub fn mail_kind(self) -> &'static str {
        match self {
            DigestKind::Daily => "digest.daily",
            DigestKind::Weekly => "digest.weekly",
        }
    }

    fn byte(self) -> u8 {
        match self {
            DigestKind::Daily => 1,
            DigestKind::Weekly => 2,
        }
    }

    fn from_byte(b: u8) -> Option<DigestKind> {
        DigestKind::ALL.iter().copied().find(|k| k.byte() == b)
    }
}

/// The Monday of the week holding `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

/// The Monday of the week before the one holding `today`: the week a weekly digest
/// sent on `today` reports.
pub fn previous_week(today: NaiveDate) -> NaiveDate {
    week_start(today) - Days::new(7)
}

/// The day of `today`'s week the weekly digest goes out: `on`, or, when it is not a
/// working day, the first working day after it in the same week (`None` when the rest
/// of the week has none).
pub fn weekly_send_day(
    today: NaiveDate,
    on: Weekday,
    calendar: &WorkCalendar,
) -> Option<NaiveDate> {
    let monday = week_start(today);
    (u64::from(on.num_days_from_monday())..7)
        .map(|i| monday + Days::new(i))
        .find(|d| calendar.is_working_day(*d))
}

/// Whether the weekly digest of `today`'s week may go out on `today` (the send day or
/// any day after it in the week: a pass missed on the day catches up).
pub fn weekly_due(today: NaiveDate, on: Weekday, calendar: &WorkCalendar) -> bool {
    weekly_send_day(today, on, calendar).is_some_and(|day| today >= day)
}

type HmacSha256 = Hmac<Sha256>;
const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 6;
const TAG_LEN: usize = 16;

/// Signs and checks unsubscribe tokens, under a key derived from the shared secret.
#[derive(Clone)]
pub struct UnsubscribeKey([u8; 32]);

impl std::fmt::Debug for UnsubscribeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsubscribeKey")
    }
}

impl UnsubscribeKey {
    pub fn new(secret: &[u8]) -> UnsubscribeKey {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(b"pakn-digest-unsubscribe");
        UnsubscribeKey(mac.finalize().into_bytes().into())
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(payload);
        mac
    }

    /// The token naming `user_id` and `kind`.
    pub fn token(&self, user_id: i32, kind: DigestKind) -> String {
        let mut bytes = Vec::with_capacity(PAYLOAD_LEN + TAG_LEN);
        bytes.push(VERSION);
        bytes.push(kind.byte());
        bytes.extend_from_slice(&user_id.to_be_bytes());
        let tag = self.mac(&bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The user and digest a token names; `None` for anything forged, altered or cut.
    pub fn verify(&self, token: &str) -> Option<(i32, DigestKind)> {
        if token.len() > 64 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        if bytes.len() != PAYLOAD_LEN + TAG_LEN || bytes[0] != VERSION {
            return None;
        }
        let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
        self.mac(payload).verify_truncated_left(tag).ok()?;
        let kind = DigestKind::from_byte(payload[1])?;
        let user_id = i32::from_be_bytes(payload[2..6].try_into().ok()?);
        Some((user_id, kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::DayKind;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn tokens_round_trip_and_refuse_changes() {
        let key = UnsubscribeKey::new(b"0123456789abcdef0123456789abcdef");
        let t = key.token(42, DigestKind::Weekly);
        assert_eq!(key.verify(&t), Some((42, DigestKind::Weekly)));
        assert_eq!(
            key.verify(&key.token(7, DigestKind::Daily)),
            Some((7, DigestKind::Daily))
        );
        // Another secret, one character changed, cut, empty: refused.
        let other = UnsubscribeKey::new(b"another secret of thirty-two chars!!");
        assert_eq!(other.verify(&t), None);
        for i in 0..t.len() {
            let mut altered: Vec<char> = t.chars().collect();
            altered[i] = if altered[i] == 'A' { 'B' } else { 'A' };
            let altered: String = altered.into_iter().collect();
            if altered != t {
                assert_eq!(key.verify(&altered), None, "{altered}");
            }
        }
        assert_eq!(key.verify(&t[..t.len() - 2]), None);
        assert_eq!(key.verify(""), None);
    }

    #[test]
    fn the_weekly_digest_goes_on_the_first_working_day_from_the_set_one() {
        let cal = WorkCalendar::new([]);
        // Thursday 10/12/2026: the week began on Monday 07/12; it reports 30/11–06/12.
        assert_eq!(week_start(date(2026, 12, 10)), date(2026, 12, 7));
        assert_eq!(previous_week(date(2026, 12, 10)), date(2026, 11, 30));
        assert_eq!(previous_week(date(2026, 12, 7)), date(2026, 11, 30));
        // Sunday 06/12 is past Monday 30/11 of its own week.
        assert!(weekly_due(date(2026, 12, 6), Weekday::Mon, &cal));
        assert!(weekly_due(date(2026, 12, 7), Weekday::Mon, &cal));
        assert!(!weekly_due(date(2026, 12, 8), Weekday::Wed, &cal));
        assert!(weekly_due(date(2026, 12, 9), Weekday::Wed, &cal));
        // Monday a holiday: Tuesday.
        let cal = WorkCalendar::new([(date(2026, 12, 7), DayKind::Holiday)]);
        assert_eq!(
            weekly_send_day(date(2026, 12, 7), Weekday::Mon, &cal),
            Some(date(2026, 12, 8))
        );
        assert!(!weekly_due(date(2026, 12, 7), Weekday::Mon, &cal));
        assert!(weekly_due(date(2026, 12, 8), Weekday::Mon, &cal));
        // Set on Saturday, no make-up working day: none that week.
        assert_eq!(weekly_send_day(date(2026, 12, 7), Weekday::Sat, &cal), None);
    }
}
