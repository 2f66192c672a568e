//! Mail that comes in: the raw message's key and header ([`raw`]), its parsing
//! ([`parse`]), and the IMAP client side of the poller ([`imap`]). What a message
//! becomes is decided in `handling::inbound`.

pub mod imap;
pub mod parse;
pub mod raw;
