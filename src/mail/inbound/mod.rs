//! Mail that comes in.

pub mod parse;
