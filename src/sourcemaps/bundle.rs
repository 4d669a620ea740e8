//! Reading an artifact bundle: the zip archive `sentry-cli sourcemaps upload` builds (symbolic's
//! source bundle format: an optional `SYSB` header, `manifest.json`, files under `files/`).
//!
//! Everything is checked before anything is stored: the archive is a zip, the manifest parses,
//! every file it lists is in the archive, no file and not the whole bundle inflates beyond its
//! cap (read with a limit, so a zip that lies about its sizes or a zip bomb stops at the cap),
//! debug IDs are UUIDs, and every source map parses.
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use serde::Deserialize;
use sha1::{Digest, Sha1};

/// Largest file of a bundle, uncompressed.
pub const MAX_FILE_SIZE: u64 = 32 * 1024 * 1024;
/// Largest bundle, all files uncompressed.
pub const MAX_BUNDLE_SIZE: u64 = 256 * 1024 * 1024;
/// Most files in one bundle.
pub const MAX_FILES: usize = 20_000;
/// Largest `manifest.json`.
const MAX_MANIFEST_SIZE: u64 = 16 * 1024 * 1024;

/// What a file of the bundle is (the manifest's `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    MinifiedSource,
    SourceMap,
    Source,
    IndexedRamBundle,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::MinifiedSource => "minified_source",
            FileKind::SourceMap => "source_map",
            FileKind::Source => "source",
            FileKind::IndexedRamBundle => "indexed_ram_bundle",
        }
    }

    pub fn parse(text: &str) -> Option<FileKind> {
        [
            FileKind::MinifiedSource,
            FileKind::SourceMap,
            FileKind::Source,
            FileKind::IndexedRamBundle,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// One file of a bundle, read and checked.
#[derive(Debug, Clone)]
pub struct BundleFile {
    pub kind: FileKind,
    /// `~/static/app.min.js` or a full URL.
    pub url: String,
    /// Lowercase UUID with dashes.
    pub debug_id: Option<String>,
    /// The `sourcemap` header of a minified source: its map, relative to `url`.
    pub sourcemap_ref: Option<String>,
    pub contents: Vec<u8>,
    /// Hex SHA-1 of `contents`.
    pub checksum: String,
}

/// A bundle's manifest attributes and its files.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The bundle's own id (`debug_id` attribute), or a new one when the manifest has none.
    pub bundle_id: String,
    pub release: Option<String>,
    pub dist: Option<String>,
    pub files: Vec<BundleFile>,
}

/// Why a bundle was refused; each says what to fix.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BundleError {
    #[error("the upload is not a zip archive: {0}")]
    NotZip(String),
    #[error("the archive has no manifest.json")]
    NoManifest,
    #[error("manifest.json is invalid: {0}")]
    BadManifest(String),
    #[error("manifest.json lists {0}, which is not in the archive")]
    MissingFile(String),
    #[error("{path} is larger than {limit} bytes uncompressed")]
    FileTooLarge { path: String, limit: u64 },
    #[error("the bundle is larger than {limit} bytes uncompressed")]
    BundleTooLarge { limit: u64 },
    #[error("the bundle has more than {limit} files")]
    TooManyFiles { limit: usize },
    #[error("{path} has an invalid debug-id header: {value}")]
    BadDebugId { path: String, value: String },
    #[error("{path} is not a valid source map: {reason}")]
    BadSourceMap { path: String, reason: String },
    #[error("{path} could not be read from the archive: {reason}")]
    Unreadable { path: String, reason: String },
}

impl BundleError {
    /// Whether the refusal is about size (answered 413) rather than content (400).
    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            BundleError::FileTooLarge { .. }
                | BundleError::BundleTooLarge { .. }
                | BundleError::TooManyFiles { .. }
        )
    }
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    files: BTreeMap<String, ManifestFile>,
    #[serde(default)]
    debug_id: Option<String>,
    #[serde(default)]
    release: Option<String>,
    #[serde(default)]
    dist: Option<String>,
}

#[derive(Deserialize)]
struct ManifestFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

impl ManifestFile {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }
}

/// Reads and checks a bundle archive.
pub fn read(archive: &[u8]) -> Result<Bundle, BundleError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(archive))
        .map_err(|e| BundleError::NotZip(e.to_string()))?;
    let manifest: Manifest = {
        let entry = zip
            .by_name("manifest.json")
            .map_err(|_| BundleError::NoManifest)?;
        let text = read_capped(entry, "manifest.json", MAX_MANIFEST_SIZE)?;
        serde_json::from_slice(&text).map_err(|e| BundleError::BadManifest(e.to_string()))?
    };
    if manifest.files.len() > MAX_FILES {
        return Err(BundleError::TooManyFiles { limit: MAX_FILES });
    }
    let mut total = 0u64;
    let mut files = Vec::with_capacity(manifest.files.len());
    for (path, info) in &manifest.files {
        let Some(kind) = info.kind.as_deref().and_then(FileKind::parse) else {
            // Files of kinds Larder does not use (none are written today) are skipped.
            continue;
        };
        if info.url.trim().is_empty() {
            return Err(BundleError::BadManifest(format!("{path} has no url")));
        }
        let entry = zip
            .by_name(path)
            .map_err(|_| BundleError::MissingFile(path.clone()))?;
        let room = MAX_BUNDLE_SIZE - total;
        let contents =
            read_capped(entry, path, MAX_FILE_SIZE.min(room)).map_err(|error| match error {
                BundleError::FileTooLarge { .. } if room < MAX_FILE_SIZE => {
                    BundleError::BundleTooLarge {
                        limit: MAX_BUNDLE_SIZE,
                    }
                }
                other => other,
            })?;
        total += contents.len() as u64;
        let debug_id = match info.header("debug-id") {
            Some(value) => {
                Some(
                    normalize_debug_id(value).ok_or_else(|| BundleError::BadDebugId {
                        path: path.clone(),
                        value: value.to_string(),
                    })?,
                )
            }
            None => None,
        };
        if kind == FileKind::SourceMap {
            sourcemap::decode_slice(&contents).map_err(|e| BundleError::BadSourceMap {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        }
        files.push(BundleFile {
            kind,
            url: info.url.trim().to_string(),
            debug_id,
            sourcemap_ref: info
                .header("sourcemap")
                .or_else(|| info.header("x-sourcemap"))
                .map(str::to_string),
            checksum: hex::encode(Sha1::digest(&contents)),
            contents,
        });
    }
    Ok(Bundle {
        bundle_id: manifest
            .debug_id
            .as_deref()
            .and_then(normalize_debug_id)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        release: manifest.release.filter(|r| !r.is_empty()),
        dist: manifest.dist.filter(|d| !d.is_empty()),
        files,
    })
}

/// Reads one entry, refusing it once it inflates beyond `limit` (whatever its header claims).
fn read_capped(entry: impl Read, path: &str, limit: u64) -> Result<Vec<u8>, BundleError> {
    let mut contents = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut contents)
        .map_err(|e| BundleError::Unreadable {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
    if contents.len() as u64 > limit {
        return Err(BundleError::FileTooLarge {
            path: path.to_string(),
            limit,
        });
    }
    Ok(contents)
}

/// A debug ID in its canonical form (lowercase UUID with dashes); SDKs and the CLI send it so,
/// some tools in upper case or without dashes.
pub fn normalize_debug_id(text: &str) -> Option<String> {
    uuid::Uuid::parse_str(text.trim())
        .ok()
        .map(|id| id.hyphenated().to_string())
}
