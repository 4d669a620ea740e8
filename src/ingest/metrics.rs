//! Ingest counters (accepted events, skipped item types, refusals by status), served as
//! Prometheus text at `/metrics`.
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), u64>>,
}

impl Metrics {
    /// Adds `n` to the counter `name{label}`.
    pub fn add(&self, name: &'static str, label: &str, n: u64) {
        *self
            .counters
            .lock()
            .expect("metrics lock")
            .entry((name, label.to_string()))
            .or_default() += n;
    }

    pub fn get(&self, name: &'static str, label: &str) -> u64 {
        self.counters
            .lock()
            .expect("metrics lock")
            .get(&(name, label.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let counters = self.counters.lock().expect("metrics lock");
        let mut out = String::new();
        let mut last = "";
        for ((name, label), value) in counters.iter() {
            if *name != last {
                out.push_str(&format!("# TYPE larder_{name} counter\n"));
                last = name;
            }
            let label = label.replace('\\', "\\\\").replace('"', "\\\"");
            out.push_str(&format!("larder_{name}{{kind=\"{label}\"}} {value}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_add_up_and_render() {
        let metrics = Metrics::default();
        metrics.add("items_skipped_total", "session", 2);
        metrics.add("items_skipped_total", "session", 1);
        metrics.add("events_total", "accepted", 1);
        assert_eq!(metrics.get("items_skipped_total", "session"), 3);
        let text = metrics.render();
        assert!(
            text.contains("larder_items_skipped_total{kind=\"session\"} 3"),
            "{text}"
        );
        assert!(text.contains("# TYPE larder_events_total counter"));
    }
}
