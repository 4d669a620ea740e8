//! Corpus app for the Rust `sentry` SDK: `corpus-rust <scenario> <dsn> <release>`.
//!
//! Each scenario walks one group of call paths (storefront, backoffice, warehouse, boot) and fires
//! bug sites in `src/shop.rs` / `src/config.rs`. Those two files are copies of
//! `releases/<release>/{shop,config}.rs` made by `run.sh` before each build, so the file names and
//! module paths are the same in both releases and only the line numbers move.
//! Every event the SDK sends is noted in `before_send`; after each step the app prints
//! `LABEL <event_id>,<label>` for it (the label is the bug site the step was written to reach).

mod config;
mod shop;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shop::Order;

static SENT: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Step {
    label: &'static str,
    /// events this step must produce (one per bug hit)
    events: usize,
    /// whether the step ends in a panic (caught here after the SDK's panic hook reported it)
    panics: bool,
    run: Box<dyn Fn()>,
}

fn step(label: &'static str, panics: bool, run: impl Fn() + 'static) -> Step {
    Step { label, events: 1, panics, run: Box::new(run) }
}

fn order(id: u32, skus: &[&'static str], coupon: Option<&'static str>, card: &'static str, provider: &'static str) -> Order {
    Order { id, skus: skus.to_vec(), coupon, card, provider }
}

const GOOD_ADDRESS: &str = "Main St 5, 10115, Berlin";

/// The steps of one scenario; `r` is 0 for release 1.0.0 and 1 for 1.0.1 (inputs vary with it).
fn steps(scenario: &str, r: u32) -> Option<Vec<Step>> {
    let pick = move |a: &'static str, b: &'static str| if r == 0 { a } else { b };
    let n = move |base: u32| base + 100 * r;
    let steps = match scenario {
        "storefront" => vec![
            step("rust-price-unwrap", true, move || shop::checkout(&order(n(1001), &["SKU-100", pick("SKU-404", "SKU-999")], None, "ok", "stripe"))),
            step("rust-price-unwrap", true, move || shop::checkout(&order(n(1002), &[pick("GIFT-CARD", "SAMPLE-1")], None, "ok", "adyen"))),
            step("rust-coupon-unwrap", true, move || shop::checkout(&order(n(1003), &["SKU-200"], Some(pick("SUMMER20", "XMAS15")), "ok", "stripe"))),
            step("rust-coupon-unwrap", true, move || shop::checkout(&order(n(1004), &["SKU-300", "SKU-100"], Some(pick("BLACKFRIDAY", "OLD-50")), "ok", "paypal"))),
            step("rust-payment-declined", false, move || shop::checkout(&order(n(1005), &["SKU-100"], None, "declined", pick("stripe", "paypal")))),
            step("rust-payment-declined", false, move || shop::checkout(&order(n(1006), &["SKU-200"], Some("WELCOME10"), "declined", pick("adyen", "stripe")))),
            step("rust-gateway-timeout", false, move || shop::checkout(&order(n(1007), &["SKU-300"], None, "timeout", pick("adyen", "stripe")))),
            step("rust-gateway-timeout", false, move || shop::checkout(&order(n(1008), &["SKU-100", "SKU-200"], None, "timeout", pick("paypal", "adyen")))),
            step("rust-quantity-parse", false, move || shop::add_to_cart("SKU-100", pick("", " "))),
            step("rust-quantity-parse", false, move || shop::add_to_cart("SKU-200", pick("two", "3x"))),
            step("rust-quantity-parse", false, move || shop::add_to_cart("SKU-300", pick("99999999999", "-99999999999"))),
            step("rust-page-parse", false, move || shop::list_orders(pick("", "last"))),
            step("rust-page-parse", false, move || shop::list_orders(pick("2a", "1.2.3"))),
            step("rust-zone-index", true, move || shop::ship_order(n(1009), GOOD_ADDRESS, pick("70115", "40210"))),
            step("rust-zone-index", true, move || shop::ship_order(n(1010), GOOD_ADDRESS, pick("90210", "55555"))),
            step("rust-city-index", true, move || shop::ship_order(n(1011), pick("Main St 5", "Hauptstr. 1"), "10115")),
            step("rust-city-index", true, move || shop::ship_order(n(1012), pick("Elm Rd 9, 20095", "Via Roma 3, 00184"), "20095")),
            step("rust-empty-order-panic", true, move || shop::submit_order(&order(n(1013), &[], None, "ok", "stripe"))),
            step("rust-empty-order-panic", true, move || shop::submit_order(&order(n(1014), &[], Some("WELCOME10"), "ok", "adyen"))),
            step("rust-refund-underflow", true, move || shop::refund(n(1015), 1000, if r == 0 { 1500 } else { 1001 })),
            step("rust-refund-underflow", true, move || shop::refund(n(1016), 250, 400 + r)),
        ],
        "backoffice" => vec![
            step("rust-price-unwrap", true, move || { shop::quote(&[pick("SKU-404", "SKU-500")]); }),
            step("rust-price-unwrap", true, move || { shop::quote(&["SKU-200", pick("SKU-9", "MUG-RED")]); }),
            step("rust-coupon-unwrap", true, move || { shop::preview_discount(pick("SPRING50", "EASTER"), 1000); }),
            step("rust-coupon-unwrap", true, move || { shop::preview_discount(pick("VIP", "STAFF"), 2500); }),
            step("rust-payment-declined", false, move || shop::retry_payment(&order(n(2001), &["SKU-100"], None, "declined", pick("paypal", "adyen")))),
            step("rust-payment-declined", false, move || shop::retry_payment(&order(n(2002), &["SKU-300"], None, "declined", pick("stripe", "stripe")))),
            step("rust-gateway-timeout", false, move || shop::retry_payment(&order(n(2003), &["SKU-200"], None, "timeout", pick("stripe", "paypal")))),
            step("rust-gateway-timeout", false, move || shop::retry_payment(&order(n(2004), &["SKU-100"], None, "timeout", pick("adyen", "adyen")))),
            step("rust-quantity-parse", false, move || shop::bulk_import(&[("SKU-100", pick("12 pcs", "1,5"))])),
            step("rust-quantity-parse", false, move || shop::bulk_import(&[("SKU-300", pick("", "2147483648"))])),
            step("rust-page-parse", false, move || shop::search_products(pick("mug", "lamp"), pick("", "-"))),
            step("rust-page-parse", false, move || shop::search_products(pick("chair", "desk"), pick("9e9e9", "page2"))),
            step("rust-zone-index", true, move || { shop::estimate_shipping(pick("80331", "60311")); }),
            step("rust-zone-index", true, move || { shop::estimate_shipping(pick("40210", "99084")); }),
            step("rust-city-index", true, move || shop::update_profile(n(31), pick("Baker St 221b", "Rue de Rivoli 1, 75001"))),
            step("rust-city-index", true, move || shop::update_profile(n(32), pick("Elm Rd 9, 20095", "Kings Rd 4"))),
            step("rust-empty-order-panic", true, move || shop::reorder(&order(n(2005), &[], None, "ok", "stripe"))),
            step("rust-empty-order-panic", true, move || shop::reorder(&order(n(2006), &[], None, "ok", "paypal"))),
            step("rust-refund-underflow", true, move || shop::cancel_order(n(2007), 1000, if r == 0 { 500 } else { 700 })),
            step("rust-refund-underflow", true, move || shop::cancel_order(n(2008), 80, 40 + r)),
            step("rust-unknown-setting", false, move || {
                let mut settings = config::load_file("currency = EUR\npage_size = 50\n");
                config::apply_override(&mut settings, pick("log_level", "max_connections"), "debug");
            }),
            step("rust-unknown-setting", false, move || {
                let mut settings = config::load_file("currency = USD\n");
                config::apply_override(&mut settings, pick("cache_ttl", "theme"), "300");
            }),
        ],
        "warehouse" => vec![
            step("rust-stock-expect", true, move || shop::restock(pick("berlin", "lyon"), &["12", pick("x7", "")], 300)),
            step("rust-stock-expect", true, move || shop::restock(pick("hamburg", "porto"), &[pick("99999999999", "1 2")], 450)),
            step("rust-stock-expect", true, move || shop::audit_inventory(pick("berlin", "lyon"), &["3", pick("", "seven")], 800)),
            step("rust-stock-expect", true, move || shop::audit_inventory(pick("madrid", "oslo"), &[pick("-4", "4294967296")], 120)),
            step("rust-slow-sync", false, move || shop::restock(pick("berlin", "lyon"), &["12", "4"], 2500 + 700 * r)),
            step("rust-slow-sync", false, move || shop::restock(pick("hamburg", "porto"), &["1"], 4100 + 300 * r)),
            step("rust-slow-sync", false, move || shop::audit_inventory(pick("madrid", "oslo"), &["8"], 3300 + 100 * r)),
            step("rust-slow-sync", false, move || shop::audit_inventory(pick("berlin", "turin"), &[], 2050 + 900 * r)),
        ],
        "boot" => {
            let mut s = vec![step("rust-unknown-setting", false, move || {
                config::load_file(pick(
                    "currency = EUR\ncache_ttl = 300\npage_size = 20\nlog_level = info\n",
                    "currency = EUR\ncache_ttl = 600\nfeature_flags = beta\n",
                ));
            })];
            s[0].events = 2;
            s
        }
        _ => return None,
    };
    Some(steps)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: corpus-rust <storefront|backoffice|warehouse|boot> <dsn> <release>");
        return ExitCode::from(2);
    }
    let (scenario, dsn, release) = (&args[1], &args[2], &args[3]);
    if release != shop::SOURCE_RELEASE {
        eprintln!("this binary was built from the {} sources, not {release}", shop::SOURCE_RELEASE);
        return ExitCode::from(2);
    }
    let r = if release == "1.0.0" { 0 } else { 1 };
    let Some(steps) = steps(scenario, r) else {
        eprintln!("unknown scenario {scenario}");
        return ExitCode::from(2);
    };

    // Replace the default "thread 'main' panicked at ..." printer with a one-liner; the SDK's
    // panic integration installs its hook in front of this one (it reports, then calls it).
    std::panic::set_hook(Box::new(|info| eprintln!("  (panic caught: {info})")));
    let mut options = sentry::ClientOptions::default();
    options.dsn = Some(dsn.parse().expect("a valid DSN"));
    options.release = Some(release.clone().into());
    options.environment = Some("production".into());
    // No sessions, no tracing: only error/message events go out.
    options.auto_session_tracking = false;
    options.before_send = Some(Arc::new(|event| {
        SENT.lock().unwrap().push(event.event_id.to_string().replace('-', ""));
        Some(event)
    }));
    let guard = sentry::init(options);

    let mut ok = true;
    for (i, s) in steps.iter().enumerate() {
        let result = catch_unwind(AssertUnwindSafe(|| (s.run)()));
        let sent: Vec<String> = std::mem::take(&mut *SENT.lock().unwrap());
        if result.is_err() != s.panics || sent.len() != s.events {
            eprintln!(
                "step {i} ({}) of {scenario}: panicked={} (expected {}), events={} (expected {})",
                s.label,
                result.is_err(),
                s.panics,
                sent.len(),
                s.events
            );
            ok = false;
        }
        for id in sent {
            println!("LABEL {id},{}", s.label);
        }
    }

    if let Some(client) = sentry::Hub::current().client() {
        client.flush(Some(Duration::from_secs(5)));
    }
    drop(guard);
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
