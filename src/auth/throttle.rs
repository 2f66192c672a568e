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
