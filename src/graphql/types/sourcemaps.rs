//! Source maps in the API: how a frame was mapped (or why not), and the artifact bundles
//! `sentry-cli sourcemaps upload` stored.
use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};

use crate::event as model;

/// Why a frame is not (fully) source-mapped.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SourcemapErrorKind {
    /// The frame has no line and column to look up.
    MissingPosition,
    /// The event names no debug ID for the frame's file and has no release to look it up by.
    NoDebugId,
    /// No uploaded source map matches the frame (by debug ID, release + URL or
    /// `sourceMappingURL`). Mapped again when the event is read, so an upload fixes it.
    NoMap,
    /// The source map found could not be read.
    InvalidMap,
    /// The map has no mapping at the frame's line and column.
    OutOfRange,
    /// Mapped, but the map carries no source text (`sourcesContent`) for the file.
    MissingSourcesContent,
}

impl From<model::SourcemapErrorKind> for SourcemapErrorKind {
    fn from(kind: model::SourcemapErrorKind) -> Self {
        use model::SourcemapErrorKind as K;
        match kind {
            K::MissingPosition => SourcemapErrorKind::MissingPosition,
            K::NoDebugId => SourcemapErrorKind::NoDebugId,
            K::NoMap => SourcemapErrorKind::NoMap,
            K::InvalidMap => SourcemapErrorKind::InvalidMap,
            K::OutOfRange => SourcemapErrorKind::OutOfRange,
            K::MissingSourcesContent => SourcemapErrorKind::MissingSourcesContent,
        }
    }
}

#[derive(SimpleObject)]
pub struct SourcemapError {
    pub kind: SourcemapErrorKind,
    /// What was looked for, in words.
    pub message: String,
}

impl From<&model::SourcemapError> for SourcemapError {
    fn from(error: &model::SourcemapError) -> Self {
        SourcemapError {
            kind: error.kind.into(),
            message: error.detail.clone().unwrap_or_default(),
        }
    }
}

/// A frame's location in the minified file, as the SDK sent it.
#[derive(SimpleObject)]
pub struct MinifiedFrame {
    pub filename: Option<String>,
    pub abs_path: Option<String>,
    pub function: Option<String>,
    pub lineno: Option<u64>,
    pub colno: Option<u64>,
}

impl From<&model::MinifiedFrame> for MinifiedFrame {
    fn from(frame: &model::MinifiedFrame) -> Self {
        MinifiedFrame {
            filename: frame.filename.clone(),
            abs_path: frame.abs_path.clone(),
            function: frame.function.clone(),
            lineno: frame.lineno,
            colno: frame.colno,
        }
    }
}

/// An uploaded artifact bundle: minified sources and their source maps.
#[derive(SimpleObject)]
pub struct ArtifactBundle {
    pub id: ID,
    /// The bundle's own debug ID (from its manifest).
    pub bundle_id: String,
    pub release: Option<String>,
    pub dist: Option<String>,
    pub file_count: i32,
    /// Bytes of the uploaded archive.
    pub size: i64,
    pub created_at: DateTime<Utc>,
    /// When an event last used one of its files (retention keeps bundles in use).
    pub last_used_at: DateTime<Utc>,
    pub files: Vec<ArtifactFile>,
}

/// A file of an artifact bundle.
#[derive(SimpleObject)]
pub struct ArtifactFile {
    /// `~/static/app.min.js`: the URL frames are matched against.
    pub url: String,
    pub kind: ArtifactKind,
    pub debug_id: Option<String>,
    /// A minified file's map, relative to `url`.
    pub sourcemap: Option<String>,
    pub size: i64,
    /// Hex SHA-1 of the contents.
    pub checksum: String,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ArtifactKind {
    MinifiedSource,
    SourceMap,
    Source,
    IndexedRamBundle,
}

impl ArtifactBundle {
    pub fn new(
        bundle: entity::artifact_bundle::Model,
        files: Vec<entity::artifact_file::Model>,
    ) -> ArtifactBundle {
        ArtifactBundle {
            id: ID(bundle.id.to_string()),
            bundle_id: bundle.bundle_id,
            release: bundle.release,
            dist: bundle.dist,
            file_count: bundle.file_count,
            size: bundle.size,
            created_at: bundle.created_at,
            last_used_at: bundle.last_used_at,
            files: files.into_iter().filter_map(ArtifactFile::new).collect(),
        }
    }
}

impl ArtifactFile {
    pub fn new(file: entity::artifact_file::Model) -> Option<ArtifactFile> {
        use crate::sourcemaps::bundle::FileKind;
        let kind = match FileKind::parse(&file.kind)? {
            FileKind::MinifiedSource => ArtifactKind::MinifiedSource,
            FileKind::SourceMap => ArtifactKind::SourceMap,
            FileKind::Source => ArtifactKind::Source,
            FileKind::IndexedRamBundle => ArtifactKind::IndexedRamBundle,
        };
        Some(ArtifactFile {
            url: file.url,
            kind,
            debug_id: file.debug_id,
            sourcemap: file.sourcemap_ref,
            size: file.size,
            checksum: file.checksum,
        })
    }
}
