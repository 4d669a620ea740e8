//! Source maps: readable JavaScript stack traces from minified bundles.
//!
//! `sentry-cli sourcemaps upload` sends an artifact bundle (`bundle`) in chunks; the Sentry API
//! endpoints (`http::sentry_api`) store the chunks and assemble them (`assembly`) into bundles
//! whose files are indexed by debug ID and by release + URL (`store`). At ingest, before
//! grouping, every JavaScript frame is looked up (`SourceMaps::apply`): by the debug ID the SDK
//! lists for the frame's file in `debug_meta`, else by the event's release and the file's URL
//! (`urls`), following a minified file's `sourcemap` header or `sourceMappingURL` comment; and
//! mapped (`resolve`) to its original file, line, column, function and source lines. The
//! minified location stays in `frame.data.minified`; a frame that could not be mapped says why
//! in `frame.data.sourcemap_error`. An event that arrived before its map is mapped again when
//! it is read (`Pass::Read`), so it reads right once the map is uploaded.
//!
//! Parsed maps are cached by content checksum in a size-bounded cache (`MAX_CACHE_WEIGHT`), and
//! the look-ups that find them for a minute, so a map is parsed once, not per event.
pub mod assembly;
pub mod bundle;
mod resolve;
pub mod store;
mod urls;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sea_orm::{ConnectionTrait, DbErr};
use sourcemap::{DecodedMap, SourceView};

use crate::event::{Event, Frame, FrameData, MinifiedFrame, SourcemapError, SourcemapErrorKind};
use bundle::FileKind;
use store::FoundFile;

/// Weight (about the bytes held) of parsed maps and sources kept in memory.
const MAX_CACHE_WEIGHT: u64 = 256 * 1024 * 1024;
/// How long a look-up's answer (which file, or none) is trusted. Uploads through this process
/// clear the answers at once; this bounds how stale they get when another server took the
/// upload.
const LOOKUP_TTL: Duration = Duration::from_secs(60);
/// A bundle's `last_used_at` is written at most this often (retention reads it in days).
const TOUCH_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::hours(12);

/// When frames are mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// At ingest: every JavaScript frame not mapped yet.
    Ingest,
    /// When a stored event is read: only frames that had no map at ingest.
    Read,
}

/// The source-map service: finds maps for frames and keeps parsed ones in memory.
pub struct SourceMaps {
    parsed: Cache<(i64, String), Arc<Parsed>, ParsedWeight>,
    lookups: Cache<Lookup, (Instant, u64, Option<FoundFile>)>,
    /// Bumped whenever a bundle is stored or deleted: earlier look-ups are void.
    generation: AtomicU64,
}

impl Default for SourceMaps {
    fn default() -> Self {
        SourceMaps {
            parsed: Cache::with_weighter(1_024, MAX_CACHE_WEIGHT, ParsedWeight),
            lookups: Cache::new(16_384),
            generation: AtomicU64::new(0),
        }
    }
}

/// A file's contents, parsed for mapping.
enum Parsed {
    Map(Box<DecodedMap>),
    Minified(SourceView),
    Invalid(String),
}

#[derive(Clone)]
struct ParsedWeight;

impl Weighter<(i64, String), Arc<Parsed>> for ParsedWeight {
    fn weight(&self, _: &(i64, String), parsed: &Arc<Parsed>) -> u64 {
        match parsed.as_ref() {
            // Tokens (24 bytes each) and source texts are what a map holds in memory; index maps
            // are flattened when parsed, Hermes maps get a flat estimate.
            Parsed::Map(map) => match map.as_ref() {
                DecodedMap::Regular(map) => {
                    64 + 24 * u64::from(map.get_token_count())
                        + map
                            .source_contents()
                            .flatten()
                            .map(|s| s.len() as u64)
                            .sum::<u64>()
                }
                _ => 1024 * 1024,
            },
            Parsed::Minified(view) => 64 + view.source().len() as u64,
            Parsed::Invalid(reason) => 64 + reason.len() as u64,
        }
    }
}

/// What a look-up asked for.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Lookup {
    DebugId {
        project_id: i64,
        debug_id: String,
        kind: FileKind,
    },
    Url {
        project_id: i64,
        release: String,
        dist: Option<String>,
        file: String,
    },
    Sibling {
        bundle_id: i64,
        url: String,
    },
}

/// A map found for a file, with what else the mapping can use.
#[derive(Clone)]
struct FileMaps {
    map: Arc<Parsed>,
    minified: Option<Arc<Parsed>>,
    map_url: String,
    resolved_with: &'static str,
}

impl SourceMaps {
    /// Forgets every look-up answer (a bundle was stored or deleted).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// Maps the event's JavaScript frames (see the module's documentation). Database errors
    /// leave the frames as they are.
    pub async fn apply<C: ConnectionTrait>(
        &self,
        db: &C,
        project_id: i64,
        event: &mut Event,
        pass: Pass,
    ) {
        if let Err(error) = self.try_apply(db, project_id, event, pass).await {
            tracing::warn!(%error, "source maps: look-up failed; frames left minified");
        }
    }

    async fn try_apply<C: ConnectionTrait>(
        &self,
        db: &C,
        project_id: i64,
        event: &mut Event,
        pass: Pass,
    ) -> Result<(), DbErr> {
        if !has_javascript(event) {
            return Ok(()); // most events: nothing to look up, nothing to copy
        }
        let platform = event.platform.clone().unwrap_or_default();
        let debug_ids = debug_ids(event);
        let release = event.release.clone();
        let dist = event.dist.clone();
        let mut per_file: HashMap<String, Result<FileMaps, SourcemapError>> = HashMap::new();
        for stacktrace in event.stacktraces_mut() {
            // The callee's original name, from the call site in the frame before (its caller).
            let mut callee_name: Option<String> = None;
            for frame in &mut stacktrace.frames {
                let called = callee_name.take();
                if !wants_mapping(frame, &platform, &debug_ids, pass) {
                    continue;
                }
                let file = frame_file(frame).to_string();
                if !per_file.contains_key(&file) {
                    let found = self
                        .find(
                            db,
                            project_id,
                            &file,
                            &debug_ids,
                            release.as_deref(),
                            dist.as_deref(),
                        )
                        .await?;
                    per_file.insert(file.clone(), found);
                }
                match &per_file[&file] {
                    Ok(maps) => callee_name = map_frame(frame, maps, called),
                    Err(error) => set_error(frame, error.clone()),
                }
            }
        }
        Ok(())
    }

    /// The map for a frame's file, or why there is none.
    async fn find<C: ConnectionTrait>(
        &self,
        db: &C,
        project_id: i64,
        file: &str,
        debug_ids: &HashMap<String, String>,
        release: Option<&str>,
        dist: Option<&str>,
    ) -> Result<Result<FileMaps, SourcemapError>, DbErr> {
        let debug_id = debug_ids.get(file);
        if let Some(debug_id) = debug_id {
            let map = self
                .lookup(
                    db,
                    Lookup::DebugId {
                        project_id,
                        debug_id: debug_id.clone(),
                        kind: FileKind::SourceMap,
                    },
                )
                .await?;
            if let Some(map) = map {
                let minified = self
                    .lookup(
                        db,
                        Lookup::DebugId {
                            project_id,
                            debug_id: debug_id.clone(),
                            kind: FileKind::MinifiedSource,
                        },
                    )
                    .await?;
                return self.maps(db, map, minified, "debug-id").await;
            }
        }
        let Some(release) = release else {
            return Ok(Err(match debug_id {
                Some(id) => error(
                    SourcemapErrorKind::NoMap,
                    format!("no source map with debug ID {id} was uploaded to this project"),
                ),
                None => error(
                    SourcemapErrorKind::NoDebugId,
                    format!(
                        "the event names no debug ID for {file} and has no release to look it \
                         up by: run `sentry-cli sourcemaps inject` on the build, or set a release"
                    ),
                ),
            }));
        };
        let found = self
            .lookup(
                db,
                Lookup::Url {
                    project_id,
                    release: release.to_string(),
                    dist: dist.map(str::to_string),
                    file: file.to_string(),
                },
            )
            .await?;
        let no_map = || {
            error(
                SourcemapErrorKind::NoMap,
                format!(
                    "no source map for {file} in release {release}{}{}",
                    dist.map(|d| format!(" (dist {d})")).unwrap_or_default(),
                    debug_id
                        .map(|id| format!(", nor with debug ID {id}"))
                        .unwrap_or_default()
                ),
            )
        };
        let Some(found) = found else {
            return Ok(Err(no_map()));
        };
        if found.file.kind == FileKind::SourceMap.as_str() {
            return self.maps(db, found, None, "release").await;
        }
        // A minified file: its map is where its `sourcemap` header or comment points.
        let minified = found;
        let (reference, resolved_with) = match &minified.file.sourcemap_ref {
            Some(reference) => (Some(reference.clone()), "release"),
            None => {
                let parsed = self.parsed(db, &minified, FileKind::MinifiedSource).await?;
                let reference = match parsed.as_deref() {
                    Some(Parsed::Minified(view)) => view
                        .sourcemap_reference()
                        .ok()
                        .flatten()
                        .map(|r| r.get_url().to_string()),
                    _ => None,
                };
                (reference, "source-mapping-url")
            }
        };
        let Some(reference) = reference else {
            return Ok(Err(no_map()));
        };
        let map_url = urls::join(&minified.file.url, &reference);
        let map = self
            .lookup(
                db,
                Lookup::Sibling {
                    bundle_id: minified.file.bundle_id,
                    url: map_url,
                },
            )
            .await?;
        match map {
            Some(map) => self.maps(db, map, Some(minified), resolved_with).await,
            None => Ok(Err(no_map())),
        }
    }

    /// The parsed map and minified source of files found.
    async fn maps<C: ConnectionTrait>(
        &self,
        db: &C,
        map: FoundFile,
        minified: Option<FoundFile>,
        resolved_with: &'static str,
    ) -> Result<Result<FileMaps, SourcemapError>, DbErr> {
        let Some(parsed_map) = self.parsed(db, &map, FileKind::SourceMap).await? else {
            return Ok(Err(error(
                SourcemapErrorKind::NoMap,
                format!("the source map {} was deleted", map.file.url),
            )));
        };
        if let Parsed::Invalid(reason) = parsed_map.as_ref() {
            return Ok(Err(error(
                SourcemapErrorKind::InvalidMap,
                format!("{}: {reason}", map.file.url),
            )));
        }
        let minified = match &minified {
            Some(file) => self.parsed(db, file, FileKind::MinifiedSource).await?,
            None => None,
        };
        Ok(Ok(FileMaps {
            map: parsed_map,
            minified,
            map_url: map.file.url.clone(),
            resolved_with,
        }))
    }

    /// Answers a look-up from memory when the answer is fresh, else from the database.
    async fn lookup<C: ConnectionTrait>(
        &self,
        db: &C,
        lookup: Lookup,
    ) -> Result<Option<FoundFile>, DbErr> {
        let generation = self.generation.load(Ordering::Relaxed);
        if let Some((at, seen_generation, found)) = self.lookups.get(&lookup)
            && seen_generation == generation
            && at.elapsed() < LOOKUP_TTL
        {
            return Ok(found);
        }
        let found = match &lookup {
            Lookup::DebugId {
                project_id,
                debug_id,
                kind,
            } => store::file_by_debug_id(db, *project_id, debug_id, *kind).await?,
            Lookup::Url {
                project_id,
                release,
                dist,
                file,
            } => {
                let candidates = urls::candidates(file);
                store::file_by_url(db, *project_id, release, dist.as_deref(), &candidates).await?
            }
            Lookup::Sibling { bundle_id, url } => {
                store::sibling_by_url(db, *bundle_id, url).await?
            }
        };
        if let Some(found) = &found
            && Utc::now() - found.bundle_last_used > TOUCH_INTERVAL
        {
            store::touch_bundle(db, found.file.bundle_id).await?;
        }
        self.lookups
            .insert(lookup, (Instant::now(), generation, found.clone()));
        Ok(found)
    }

    /// A file's contents parsed as `kind`, from memory or the database; `None` when the file's
    /// contents are gone.
    async fn parsed<C: ConnectionTrait>(
        &self,
        db: &C,
        found: &FoundFile,
        kind: FileKind,
    ) -> Result<Option<Arc<Parsed>>, DbErr> {
        let key = (found.organization_id, found.file.checksum.clone());
        if let Some(parsed) = self.parsed.get(&key) {
            return Ok(Some(parsed));
        }
        let Some(contents) =
            store::contents(db, found.organization_id, &found.file.checksum).await?
        else {
            return Ok(None);
        };
        let parsed = Arc::new(parse(&contents, kind));
        self.parsed.insert(key, parsed.clone());
        Ok(Some(parsed))
    }
}

fn parse(contents: &[u8], kind: FileKind) -> Parsed {
    if kind != FileKind::SourceMap {
        return Parsed::Minified(SourceView::from_string(
            String::from_utf8_lossy(contents).into_owned(),
        ));
    }
    match sourcemap::decode_slice(contents) {
        // An index map is flattened once, so every token points into one map with its sources.
        Ok(DecodedMap::Index(index)) => match index.flatten() {
            Ok(map) => Parsed::Map(Box::new(DecodedMap::Regular(map))),
            Err(e) => Parsed::Invalid(e.to_string()),
        },
        Ok(map) => Parsed::Map(Box::new(map)),
        Err(e) => Parsed::Invalid(e.to_string()),
    }
}

fn error(kind: SourcemapErrorKind, detail: String) -> SourcemapError {
    SourcemapError {
        kind,
        detail: Some(detail),
    }
}

/// Whether the event or any of its frames is JavaScript.
fn has_javascript(event: &mut Event) -> bool {
    let javascript = |platform: Option<&str>| matches!(platform, Some("javascript" | "node"));
    javascript(event.platform.as_deref())
        || event
            .stacktraces_mut()
            .any(|s| s.frames.iter().any(|f| javascript(f.platform.as_deref())))
}

/// The debug IDs the SDK listed, by the file name its frames use.
fn debug_ids(event: &Event) -> HashMap<String, String> {
    let Some(meta) = &event.debug_meta else {
        return HashMap::new();
    };
    meta.images
        .iter()
        .filter(|image| image.kind.as_deref() == Some("sourcemap"))
        .filter_map(|image| {
            let id = bundle::normalize_debug_id(image.debug_id.as_deref()?)?;
            Some((image.code_file.clone()?, id))
        })
        .collect()
}

/// The file a frame names: its `abs_path` (the URL in browsers), else its `filename` (Node.js).
fn frame_file(frame: &Frame) -> &str {
    frame
        .abs_path
        .as_deref()
        .filter(|path| !path.is_empty())
        .or(frame.filename.as_deref())
        .unwrap_or_default()
}

/// Whether this pass should try to map the frame.
fn wants_mapping(
    frame: &Frame,
    event_platform: &str,
    debug_ids: &HashMap<String, String>,
    pass: Pass,
) -> bool {
    let platform = frame.platform.as_deref().unwrap_or(event_platform);
    if !matches!(platform, "javascript" | "node") {
        return false;
    }
    let file = frame_file(frame);
    if file.is_empty() || file.starts_with("node:") || file == "<anonymous>" || file == "native" {
        return false;
    }
    let data = frame.data.as_ref();
    if data.is_some_and(|d| d.minified.is_some()) {
        return false; // mapped already
    }
    let had_no_map = data
        .and_then(|d| d.sourcemap_error.as_ref())
        .is_some_and(|e| e.kind == SourcemapErrorKind::NoMap);
    match pass {
        Pass::Read => had_no_map,
        // Installed packages a Node.js app loads unbundled have no maps: only frames whose
        // file has a debug ID are tried among them.
        Pass::Ingest => frame.in_app != Some(false) || debug_ids.contains_key(file),
    }
}

/// Rewrites a frame with its original location; returns the original name at its position
/// (the function it calls, which names the next frame's function).
fn map_frame(frame: &mut Frame, maps: &FileMaps, called: Option<String>) -> Option<String> {
    let Parsed::Map(map) = maps.map.as_ref() else {
        return None;
    };
    let minified_source = match maps.minified.as_deref() {
        Some(Parsed::Minified(view)) => Some(view),
        _ => None,
    };
    let (Some(line), Some(column)) = (frame.lineno, frame.colno) else {
        set_error(
            frame,
            error(
                SourcemapErrorKind::MissingPosition,
                "the frame has no line and column to look up".to_string(),
            ),
        );
        return None;
    };
    let minified_function = frame.function.clone();
    let original = match resolve::original_position(
        map,
        minified_source,
        line,
        column,
        minified_function.as_deref().filter(|f| *f != "?"),
    ) {
        Ok(original) => original,
        Err(kind) => {
            set_error(
                frame,
                error(
                    kind,
                    format!(
                        "{}:{line}:{column} is not covered by {}",
                        frame_file(frame),
                        maps.map_url
                    ),
                ),
            );
            return None;
        }
    };
    let data = frame.data.get_or_insert_with(FrameData::default);
    data.minified = Some(MinifiedFrame {
        filename: frame.filename.take(),
        abs_path: frame.abs_path.take(),
        module: frame.module.take(),
        function: frame.function.take(),
        lineno: frame.lineno,
        colno: frame.colno,
    });
    data.sourcemap = Some(maps.map_url.clone());
    data.resolved_with = Some(maps.resolved_with.to_string());
    data.sourcemap_error = (original.context_line.is_none()).then(|| {
        error(
            SourcemapErrorKind::MissingSourcesContent,
            format!(
                "{} has no source text for {}: build with sourcesContent to see the code",
                maps.map_url, original.abs_path
            ),
        )
    });
    frame.in_app = Some(!resolve::is_library_source(&original.abs_path));
    frame.function = called.or(original.enclosing_function).or(minified_function);
    frame.filename = Some(original.filename);
    frame.abs_path = Some(original.abs_path);
    frame.lineno = Some(original.lineno);
    frame.colno = Some(original.colno);
    frame.context_line = original.context_line;
    frame.pre_context = Some(original.pre_context).filter(|c| !c.is_empty());
    frame.post_context = Some(original.post_context).filter(|c| !c.is_empty());
    original.name
}

fn set_error(frame: &mut Frame, error: SourcemapError) {
    frame
        .data
        .get_or_insert_with(FrameData::default)
        .sourcemap_error = Some(error);
}
