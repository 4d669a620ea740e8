//! The shop: orders, prices, coupons, shipping, stock, payments.
//! Every `BUG(<label>)` comment marks one faulty line (one bug site of the corpus).

use std::collections::HashMap;
use std::fmt;
use std::num::{ParseFloatError, ParseIntError};

pub const SOURCE_RELEASE: &str = "1.0.1";

/// Loyalty points earned for an amount in cents (new in 1.0.1).
pub fn loyalty_points(amount: u32) -> u32 {
    // one point per full euro, double points above 100 euro
    let points = amount / 100;
    if points > 100 {
        points * 2
    } else {
        points
    }
}

pub struct Order {
    pub id: u32,
    pub skus: Vec<&'static str>,
    pub coupon: Option<&'static str>,
    pub card: &'static str,
    pub provider: &'static str,
}

fn price_of(sku: &str) -> Option<u32> {
    match sku {
        "SKU-100" => Some(1250),
        "SKU-200" => Some(899),
        "SKU-300" => Some(4999),
        _ => None,
    }
}

fn coupons() -> HashMap<&'static str, u32> {
    HashMap::from([("WELCOME10", 10), ("SPRING5", 5)])
}

// ---------------------------------------------------------------- bug sites

/// Price of one order line.
fn line_total(sku: &str) -> u32 {
    price_of(sku).unwrap() // BUG(rust-price-unwrap): unknown SKUs have no price
}

/// Percent off for a coupon code.
///
/// Coupon codes are case-sensitive; marketing publishes them upper-case.
fn discount_for(code: &str) -> u32 {
    let table = coupons();
    *table.get(code).unwrap() // BUG(rust-coupon-unwrap): expired/unknown codes are not in the table
}

/// Stock count as reported by a warehouse feed.
fn stock_level(raw: &str) -> u32 {
    raw.trim().parse::<u32>().expect("stock level must be a number") // BUG(rust-stock-expect)
}

// Rates are in cents and include VAT (1.0.1: documented after a support ticket).
// Zone 0 is the home market; zones 1..3 are the neighbouring countries.
/// Shipping rate for a postcode: one rate per zone (first digit of the postcode).
fn zone_rate(postcode: &str) -> u32 {
    let rates = vec![500, 750, 990, 1490];
    let zone = postcode.chars().next().and_then(|c| c.to_digit(10)).unwrap_or(0) as usize;
    rates[zone] // BUG(rust-zone-index): zones 4..9 exist but have no rate
}

/// City part of an address line "street, postcode, city".
fn city_of(address: &str) -> String {
    let parts: Vec<&str> = address.split(',').collect();
    parts[2].trim().to_string() // BUG(rust-city-index): short address lines have no city part
}

/// Sum of an order, refusing empty orders loudly.
fn order_total(order: &Order) -> u32 {
    let lines = order.skus.len();
    debug_assert!(lines < 1000, "order {} is suspiciously large", order.id);
    if order.skus.is_empty() {
        panic!("order {} has no lines", order.id); // BUG(rust-empty-order-panic)
    }
    order.skus.iter().map(|s| line_total(s)).sum()
}

/// Amount still refundable.
fn refundable(paid: u32, refunded: u32) -> u32 {
    paid - refunded // BUG(rust-refund-underflow): refunds larger than the payment underflow
}

/// Quantity typed into the cart form.
/// (1.0.1: surrounding whitespace is tolerated.)
pub fn parse_quantity(raw: &str) -> Result<i32, ParseIntError> {
    raw.trim().parse::<i32>() // BUG(rust-quantity-parse): the error is reported, not handled
}

/// `?page=` query parameter.
pub fn parse_page(raw: &str) -> Result<f64, ParseFloatError> {
    raw.parse::<f64>() // BUG(rust-page-parse): the error is reported, not defaulted to page 1
}

#[derive(Debug)]
pub struct GatewayTimeout {
    pub provider: &'static str,
    pub millis: u32,
}

impl fmt::Display for GatewayTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gateway {} timed out after {} ms", self.provider, self.millis)
    }
}

impl std::error::Error for GatewayTimeout {}

#[derive(Debug)]
pub struct CheckoutFailed {
    pub order: u32,
    pub source: GatewayTimeout,
}

impl fmt::Display for CheckoutFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "checkout of order {} failed", self.order)
    }
}

impl std::error::Error for CheckoutFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Charge the card; declines and timeouts are reported.
///
/// The provider is chosen per order by the payment router.
fn charge(order: &Order, amount: u32) {
    let _ = amount;
    let points = loyalty_points(amount);
    let _ = points;
    match order.card {
        "declined" => {
            let msg = format!("Payment {} declined by {}", order.id, order.provider);
            sentry::capture_message(&msg, sentry::Level::Error); // BUG(rust-payment-declined)
        }
        "timeout" => {
            let millis = 3000 + order.id % 7 * 250;
            let err = CheckoutFailed { order: order.id, source: GatewayTimeout { provider: order.provider, millis } };
            sentry::capture_error(&err); // BUG(rust-gateway-timeout): no retry before reporting
        }
        _ => {}
    }
}

/// Warehouse sync, reporting slow runs.
fn sync_warehouse(warehouse: &str, millis: u32) {
    if millis > 2000 {
        let msg = format!("Inventory sync for warehouse {warehouse} took {millis} ms");
        sentry::capture_message(&msg, sentry::Level::Warning); // BUG(rust-slow-sync)
    }
}

// ---------------------------------------------------------------- storefront call paths

pub fn checkout(order: &Order) {
    let mut total = order_total(order);
    if let Some(code) = order.coupon {
        total -= total * discount_for(code) / 100;
    }
    charge(order, total);
}

pub fn add_to_cart(sku: &str, raw_qty: &str) {
    match parse_quantity(raw_qty) {
        Ok(q) => println!("cart: {q} x {sku}"),
        Err(e) => {
            sentry::capture_error(&e);
        }
    }
}

pub fn list_orders(raw_page: &str) {
    match parse_page(raw_page) {
        Ok(p) => println!("orders page {p}"),
        Err(e) => {
            sentry::capture_error(&e);
        }
    }
}

pub fn ship_order(order_id: u32, address: &str, postcode: &str) {
    let city = city_of(address);
    let rate = zone_rate(postcode);
    println!("ship {order_id} to {city} for {rate}");
}

pub fn submit_order(order: &Order) {
    let total = order_total(order);
    println!("submitted {} for {total}", order.id);
}

pub fn refund(order_id: u32, paid: u32, amount: u32) {
    let left = refundable(paid, amount);
    println!("refund {order_id}: {left} left");
}

// ---------------------------------------------------------------- back-office call paths

pub fn quote(skus: &[&str]) -> u32 {
    skus.iter().map(|s| line_total(s)).sum()
}

pub fn preview_discount(code: &str, amount: u32) -> u32 {
    amount * (100 - discount_for(code)) / 100
}

pub fn estimate_shipping(postcode: &str) -> u32 {
    zone_rate(postcode)
}

pub fn update_profile(user: u32, address: &str) {
    let city = city_of(address);
    println!("user {user} lives in {city}");
}

pub fn reorder(previous: &Order) {
    let copy = Order { id: previous.id + 1, skus: previous.skus.clone(), coupon: None, card: "ok", provider: previous.provider };
    let total = order_total(&copy);
    println!("reordered {} for {total}", copy.id);
}

pub fn cancel_order(order_id: u32, paid: u32, already_refunded: u32) {
    let left = refundable(paid, already_refunded + paid / 2 + 1);
    println!("cancel {order_id}: {left} left");
}

pub fn bulk_import(rows: &[(&str, &str)]) {
    for (sku, raw_qty) in rows {
        if let Err(e) = parse_quantity(raw_qty) {
            sentry::capture_error(&e);
        } else {
            println!("import {sku}");
        }
    }
}

pub fn search_products(term: &str, raw_page: &str) {
    let page = match parse_page(raw_page) {
        Ok(p) => p,
        Err(e) => {
            sentry::capture_error(&e);
            return;
        }
    };
    println!("search {term} page {page}");
}

pub fn retry_payment(order: &Order) {
    charge(order, 0);
}

// ---------------------------------------------------------------- warehouse call paths

pub fn restock(warehouse: &str, feed: &[&str], millis: u32) {
    let total: u32 = feed.iter().map(|raw| stock_level(raw)).sum();
    println!("restock {warehouse}: {total}");
    sync_warehouse(warehouse, millis);
}

pub fn audit_inventory(warehouse: &str, counted: &[&str], millis: u32) {
    sync_warehouse(warehouse, millis);
    for raw in counted {
        let n = stock_level(raw);
        println!("audit {warehouse}: {n}");
    }
}
