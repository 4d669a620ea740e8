//! Issue workflow: status changes, merge and unmerge, and the activity log that records them.
mod activity;
mod merge;
mod status;
pub mod tag_counts;

pub use activity::record as record_activity;
pub use merge::{MergeError, merge_issues, unmerge_hash};
pub use status::set_status;
