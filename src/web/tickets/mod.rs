//! Staff pages about PAKN: the queue with search, the ticket page, staff entry of
//! off-line PAKN, the overview. Who may see what is decided in [`access`].

pub mod access;
pub mod overview;
pub mod page;
pub mod queue;
