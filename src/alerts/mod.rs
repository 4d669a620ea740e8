//! Issue alerts: rules evaluated inside the ingest transaction write delivery rows (the outbox);
//! the dispatcher delivers them through `larder_integrations` with retries, so ingest never
//! waits on a notifier and an acknowledged alert is never lost.
pub mod defaults;
pub mod deliveries;
pub mod dispatcher;
pub mod evaluate;
pub mod integrations;
pub mod notification;
pub mod rule_store;
pub mod rules;
pub mod tickets;
