//! Login throttling. Every attempt is counted before the password is checked (a success
//! is then taken back), so parallel attempts see one another. Above `[limits]
//! login_per_account` or `login_per_ip` in a window, attempts queue per account (or per
//! address): each takes the next slot, [`STEP`] after the previous one, and waits for
//! it, so the rate of guesses stays bounded whatever the number of connections
//! (security review, finding 4). When the queue already reaches [`QUEUE`] ahead, the
//! attempt is answered "try again shortly" without checking the password. No account
//! is ever locked for good: the queue drains at one slot a step.

use std::time::Duration;

/// The spacing of the queue's slots: past the limit, one guess per step per account.
pub const STEP: Duration = Duration::from_millis(500);
/// How far ahead the queue of one account may reach.
pub const QUEUE: Duration = Duration::from_secs(10);

/// The first spacing of the queue of wrong second-factor codes of one account, past
/// `[limits] code_per_account`; it doubles with each further failure in the window, up
/// to `[auth] code_delay_max_secs`. A six-digit code has a million values (three of
/// them accepted at a time), so guesses must be far rarer than passwords'.
pub const CODE_STEP: Duration = Duration::from_secs(1);

/// The spacing after `over` failures past the limit, at most `max`.
pub fn code_step(over: u32, max: Duration) -> Duration {
    CODE_STEP
        .checked_mul(1u32 << over.min(30))
        .unwrap_or(max)
        .min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_step_doubles_up_to_its_bound() {
        let max = Duration::from_secs(900);
        assert_eq!(code_step(0, max), Duration::from_secs(1));
        assert_eq!(code_step(3, max), Duration::from_secs(8));
        assert_eq!(code_step(10, max), max);
        assert_eq!(code_step(u32::MAX, max), max);
    }
}
