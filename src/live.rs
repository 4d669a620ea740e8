//! Live issue changes for GraphQL subscriptions: the ingest writer (after each commit) and the
//! issue mutations publish here; each subscriber filters for its project. A slow subscriber that
//! falls behind the buffer skips ahead rather than slowing anyone down.
use tokio::sync::broadcast;

/// Changes buffered per subscriber before the oldest are dropped for it.
const BUFFER: usize = 1_024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// A new issue was created by an event.
    Created,
    /// New events arrived in an existing issue.
    NewEvents,
    /// A resolved issue regressed.
    Regressed,
    /// A person changed it (status, assignment, merge).
    Updated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueChange {
    pub project_id: i64,
    pub issue_id: i64,
    pub kind: ChangeKind,
}

#[derive(Clone)]
pub struct LiveIssues {
    sender: broadcast::Sender<IssueChange>,
}

impl Default for LiveIssues {
    fn default() -> Self {
        LiveIssues {
            sender: broadcast::channel(BUFFER).0,
        }
    }
}

impl LiveIssues {
    /// Publishes a change; nobody listening is fine.
    pub fn publish(&self, change: IssueChange) {
        let _ = self.sender.send(change);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<IssueChange> {
        self.sender.subscribe()
    }
}
