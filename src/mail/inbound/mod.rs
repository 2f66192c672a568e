//! Mail that comes in: the raw message's key and header ([`raw`]), and its parsing
//! ([`parse`]). What a message becomes is decided in `handling::inbound`.

pub mod parse;
pub mod raw;
