//! One frame through one source map: the minified line and column to the original file, line,
//! column, function and source lines. Pure: the maps come from `SourceMaps`, which finds and
//! caches them.
use sourcemap::{DecodedMap, SourceView};

use crate::event::SourcemapErrorKind;

/// Source lines shown before and after the frame's line.
const CONTEXT_LINES: u32 = 5;
/// Longest source line kept; longer ones are cut around the frame's column.
const MAX_LINE_CHARS: usize = 150;

/// Where a minified position came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Original {
    /// The source as the map names it (`webpack://shop/./src/cart.js`, `../src/cart.js`).
    pub abs_path: String,
    /// The same, shortened to the project's path (`src/cart.js`).
    pub filename: String,
    /// 1-based.
    pub lineno: u64,
    /// 1-based.
    pub colno: u64,
    /// The original name at this position (the callee, when the position is a call).
    pub name: Option<String>,
    /// The original name of the function the position is in, found through the minified source.
    pub enclosing_function: Option<String>,
    pub pre_context: Vec<String>,
    pub context_line: Option<String>,
    pub post_context: Vec<String>,
}

/// Maps a 1-based minified `line`/`column`. `minified_function` is the frame's function name
/// in the minified code, which the minified source (when uploaded) translates.
pub fn original_position(
    map: &DecodedMap,
    minified_source: Option<&SourceView>,
    line: u64,
    column: u64,
    minified_function: Option<&str>,
) -> Result<Original, SourcemapErrorKind> {
    let (Some(line0), Some(column0)) = (zero_based(line), zero_based(column)) else {
        return Err(SourcemapErrorKind::MissingPosition);
    };
    let token = map
        .lookup_token(line0, column0)
        .filter(|token| token.get_dst_line() == line0)
        .ok_or(SourcemapErrorKind::OutOfRange)?;
    let abs_path = token
        .get_source()
        .filter(|source| !source.is_empty())
        .ok_or(SourcemapErrorKind::OutOfRange)?
        .to_string();
    let source_line = token.get_src_line();
    let enclosing_function = match (minified_source, minified_function) {
        (Some(view), Some(name)) => view
            .get_original_function_name(token, name)
            .map(str::to_string),
        _ => None,
    };
    let mut original = Original {
        filename: project_path(&abs_path),
        abs_path,
        lineno: u64::from(source_line) + 1,
        colno: u64::from(token.get_src_col()) + 1,
        name: token.get_name().map(str::to_string),
        enclosing_function,
        pre_context: Vec::new(),
        context_line: None,
        post_context: Vec::new(),
    };
    if let Some(view) = source_view(map, token.get_src_id()) {
        let column = token.get_src_col() as usize;
        let line_at = |n: u32| view.get_line(n).map(|text| cut(text, column));
        original.pre_context = (source_line.saturating_sub(CONTEXT_LINES)..source_line)
            .filter_map(line_at)
            .collect();
        original.post_context = (source_line + 1..=source_line + CONTEXT_LINES)
            .map_while(line_at)
            .collect();
        original.context_line = view.get_line(source_line).map(|text| cut(text, column));
    }
    Ok(original)
}

fn zero_based(n: u64) -> Option<u32> {
    u32::try_from(n).ok()?.checked_sub(1)
}

/// The source text the map carries for a source (`sourcesContent`).
fn source_view(map: &DecodedMap, source_id: u32) -> Option<&SourceView> {
    match map {
        DecodedMap::Regular(map) => map.get_source_view(source_id),
        DecodedMap::Hermes(map) => map.get_source_view(source_id),
        // An index map's token already points into its section's own map; the view of a
        // section's source is looked up through the flattened map in `SourceMaps::load`.
        DecodedMap::Index(_) => None,
    }
}

/// A long line cut to `MAX_LINE_CHARS` around `column`, marked with `…` where cut.
fn cut(line: &str, column: usize) -> String {
    let line = line.trim_end_matches(['\r', '\n']);
    let count = line.chars().count();
    if count <= MAX_LINE_CHARS {
        return line.to_string();
    }
    let start = column
        .saturating_sub(MAX_LINE_CHARS / 2)
        .min(count - MAX_LINE_CHARS);
    let mut text: String = line.chars().skip(start).take(MAX_LINE_CHARS).collect();
    if start > 0 {
        text.insert(0, '…');
    }
    if start + MAX_LINE_CHARS < count {
        text.push('…');
    }
    text
}

/// A map's source name as a path in the project: bundler prefixes (`webpack://shop/`,
/// `webpack:///`), leading `./` and `../` removed.
pub fn project_path(source: &str) -> String {
    let mut path = source;
    if let Some((scheme, rest)) = path.split_once("://")
        && matches!(scheme, "webpack" | "webpack-internal" | "rollup" | "vite")
    {
        // `webpack://<namespace>/…`: the namespace is the project's name, not a directory.
        path = rest.split_once('/').map_or(rest, |(_, after)| after);
    }
    loop {
        if let Some(rest) = path.strip_prefix("./") {
            path = rest;
        } else if let Some(rest) = path.strip_prefix("../") {
            path = rest;
        } else if let Some(rest) = path.strip_prefix('/') {
            path = rest;
        } else {
            break;
        }
    }
    path.to_string()
}

/// Whether an original source is a library or the bundler's own code rather than the
/// application's.
pub fn is_library_source(abs_path: &str) -> bool {
    abs_path.contains("node_modules/")
        || abs_path.starts_with("webpack-internal:")
        || abs_path.contains("webpack/bootstrap")
        || abs_path.contains("webpack/runtime")
        || abs_path.contains("(webpack)")
        || abs_path.contains("/~/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundler_prefixes_and_relative_steps_are_removed() {
        assert_eq!(project_path("webpack://shop/./src/cart.js"), "src/cart.js");
        assert_eq!(project_path("webpack:///src/cart.js"), "src/cart.js");
        assert_eq!(project_path("../src/cart.js"), "src/cart.js");
        assert_eq!(
            project_path("../../node_modules/a/b.js"),
            "node_modules/a/b.js"
        );
    }

    #[test]
    fn libraries_and_bundler_code_are_not_the_application() {
        assert!(is_library_source("../node_modules/lodash/lodash.js"));
        assert!(is_library_source("webpack://shop/webpack/bootstrap"));
        assert!(is_library_source("webpack-internal:///./src/x.js"));
        assert!(!is_library_source("webpack://shop/./src/cart.js"));
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = "x".repeat(400);
        let cut_line = cut(&line, 200);
        assert_eq!(cut_line.chars().count(), MAX_LINE_CHARS + 2);
        assert!(cut_line.starts_with('…') && cut_line.ends_with('…'));
        assert_eq!(cut("short", 0), "short");
    }
}
