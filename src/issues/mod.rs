//! Issue workflow: status changes and the activity log that records them.
mod activity;
mod status;

pub use activity::record as record_activity;
pub use status::set_status;
