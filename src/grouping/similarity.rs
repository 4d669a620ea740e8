//! Similarity between issues: MinHash signatures over an event's features (exception type,
//! in-app frames and frame pairs, shingles of the message), indexed by LSH bands so that the
//! nearest issues of a new hash are found by probing a few buckets instead of scanning.
use serde::Serialize;

/// Hash functions in a signature.
const PERMUTATIONS: usize = 64;
/// Rows per LSH band: two signatures share a bucket in some band with probability
/// `1 - (1 - J^ROWS)^BANDS` for Jaccard similarity J (J=0.8 → 0.9996, J=0.3 → 0.12).
const ROWS: usize = 4;
const BANDS: usize = PERMUTATIONS / ROWS;
/// Characters per message shingle.
const SHINGLE: usize = 5;

/// The feature set of an event (strings; order does not matter).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SimilarityFeatures(pub Vec<String>);

#[derive(Clone, Debug, PartialEq)]
pub struct Signature(pub Vec<u32>);

impl SimilarityFeatures {
    pub fn add(&mut self, kind: &str, value: &str) {
        self.push(kind, value.chars(), value.len());
    }

    /// Adds `kind:value` of `value_bytes` bytes, built in one allocation (a message has many
    /// shingles).
    fn push(&mut self, kind: &str, value: impl Iterator<Item = char>, value_bytes: usize) {
        let mut feature = String::with_capacity(kind.len() + 1 + value_bytes);
        feature.push_str(kind);
        feature.push(':');
        feature.extend(value);
        self.0.push(feature);
    }

    /// Character shingles of a (parameterised) message.
    pub fn add_shingles(&mut self, kind: &str, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() <= SHINGLE {
            self.add(kind, text);
            return;
        }
        for window in chars.windows(SHINGLE) {
            let bytes = window.iter().map(|c| c.len_utf8()).sum();
            self.push(kind, window.iter().copied(), bytes);
        }
    }
}

/// FNV-1a, seeded: stable across platforms and Rust versions (signatures are stored).
fn hash(seed: u64, text: &str) -> u64 {
    let mut h = 0xcbf29ce484222325u64 ^ seed.wrapping_mul(0x9e3779b97f4a7c15);
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    // Final avalanche (splitmix64) so nearby seeds give independent permutations.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58476d1ce4e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d049bb133111eb);
    h ^ (h >> 31)
}

pub fn signature(features: &SimilarityFeatures) -> Signature {
    if features.0.is_empty() {
        return Signature(Vec::new());
    }
    let values = (0..PERMUTATIONS as u64)
        .map(|seed| {
            features
                .0
                .iter()
                .map(|f| hash(seed, f) as u32)
                .min()
                .unwrap_or(u32::MAX)
        })
        .collect();
    Signature(values)
}

/// The (band, bucket) keys a signature is filed under.
pub fn band_keys(signature: &Signature) -> Vec<(u16, i64)> {
    if signature.0.len() != PERMUTATIONS {
        return Vec::new();
    }
    signature
        .0
        .chunks(ROWS)
        .enumerate()
        .take(BANDS)
        .map(|(band, rows)| {
            let text: String = rows.iter().map(|r| format!("{r:08x}")).collect();
            (band as u16, hash(band as u64, &text) as i64)
        })
        .collect()
}

/// First band number of shape keys (signature bands are 0..BANDS): band `SHAPE_BANDS` files
/// the template with its value words masked, band `SHAPE_BANDS + i` the template without its
/// word `i`, so two messages differing in values, or in one word, share a bucket; band
/// `SHAPE_BANDS - 1` files a specific exception type alone.
pub const SHAPE_BANDS: u16 = 1000;
/// Words of a template given a key of their own (longer templates: the first ones).
const SHAPE_WORDS: usize = 24;

/// The (band, bucket) keys a stack-less event's shape is filed under (`grouping::Shape`).
pub fn shape_keys(kind: Option<&str>, template: &str) -> Vec<(u16, i64)> {
    let words = super::message::words(template);
    let kind = kind.unwrap_or("");
    let key = |band: u16, text: &str| {
        (
            band,
            hash(u64::from(band), &format!("{kind}\n{}\n{text}", words.len())) as i64,
        )
    };
    let masked: Vec<&str> = words
        .iter()
        .map(|w| {
            if super::message::is_value(w) {
                "<value>"
            } else {
                w
            }
        })
        .collect();
    let mut keys = vec![key(SHAPE_BANDS, &masked.join(" "))];
    if let Some(kind) = super::specific_type(Some(kind)) {
        keys.push((
            SHAPE_BANDS - 1,
            hash(u64::from(SHAPE_BANDS - 1), kind) as i64,
        ));
    }
    for skipped in 1..words.len().min(SHAPE_WORDS) {
        let rest: Vec<&str> = words
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skipped)
            .map(|(_, w)| *w)
            .collect();
        keys.push(key(SHAPE_BANDS + skipped as u16, &rest.join(" ")));
    }
    keys
}

/// 1 − the estimated Jaccard similarity of the two feature sets.
pub fn distance(a: &Signature, b: &Signature) -> f64 {
    if a.0.is_empty() || a.0.len() != b.0.len() {
        return 1.0;
    }
    let equal = a.0.iter().zip(&b.0).filter(|(x, y)| x == y).count();
    1.0 - equal as f64 / a.0.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(items: &[&str]) -> SimilarityFeatures {
        SimilarityFeatures(items.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn identical_sets_are_at_distance_zero_and_disjoint_near_one() {
        let a = signature(&features(&[
            "type:KeyError",
            "frame:posts get_post",
            "frame:feeds build",
        ]));
        let b = signature(&features(&[
            "frame:feeds build",
            "type:KeyError",
            "frame:posts get_post",
        ]));
        let c = signature(&features(&[
            "type:ValueError",
            "frame:auth parse",
            "frame:auth split",
        ]));
        assert_eq!(distance(&a, &b), 0.0);
        assert!(distance(&a, &c) > 0.8);
        assert_eq!(band_keys(&a), band_keys(&b));
        assert_eq!(band_keys(&a).len(), BANDS);
    }

    #[test]
    fn distance_estimates_jaccard() {
        let common: Vec<String> = (0..80).map(|i| format!("f{i}")).collect();
        let mut a = common.clone();
        let mut b = common;
        a.extend((0..20).map(|i| format!("a{i}")));
        b.extend((0..20).map(|i| format!("b{i}")));
        // Jaccard = 80 / 120 ≈ 0.667 → distance ≈ 0.333.
        let d = distance(
            &signature(&SimilarityFeatures(a)),
            &signature(&SimilarityFeatures(b)),
        );
        assert!((d - 0.333).abs() < 0.15, "{d}");
    }

    #[test]
    fn empty_features_are_not_indexed() {
        let empty = signature(&SimilarityFeatures::default());
        assert!(empty.0.is_empty());
        assert!(band_keys(&empty).is_empty());
        assert_eq!(distance(&empty, &empty), 1.0);
    }
}
