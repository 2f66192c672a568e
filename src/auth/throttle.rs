//! Login throttling: above `[limits] login_per_account` or `login_per_ip` failed
//! attempts in a window, the answer is delayed, more the further above; a correct
//! password is never refused and no account is ever locked.

use std::time::Duration;

/// Extra delay per attempt above the limit.
pub const STEP: Duration = Duration::from_millis(500);
/// The longest delay.
pub const MAX: Duration = Duration::from_secs(5);

/// How many failures above the limit, of either count.
pub fn excess(account_hits: i32, account_limit: u32, ip_hits: i32, ip_limit: u32) -> u32 {
    let over = |hits: i32, limit: u32| (i64::from(hits) - i64::from(limit)).max(0);
    u32::try_from(over(account_hits, account_limit).max(over(ip_hits, ip_limit)))
        .unwrap_or(u32::MAX)
}

/// The delay for an attempt `excess` failures above the limit.
pub fn delay(excess: u32) -> Duration {
    STEP.saturating_mul(excess).min(MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(excess(3, 10, 5, 30), 0);
        assert_eq!(excess(12, 10, 5, 30), 2);
        assert_eq!(excess(12, 10, 35, 30), 5);
        assert_eq!(delay(0), Duration::ZERO);
        assert_eq!(delay(1), STEP);
        assert_eq!(delay(3), STEP * 3);
        assert_eq!(delay(1000), MAX);
        assert_eq!(delay(u32::MAX), MAX);
    }
}
