//! URL arithmetic of source-map look-ups: the names an uploaded file may carry for the file a
//! frame names, and where a minified file's `sourceMappingURL` points.
//!
//! `sentry-cli sourcemaps upload` names files `~/path` (any scheme and host); a frame names its
//! file as the browser or Node.js saw it (`https://shop.example/static/app.min.js?v=3`,
//! `/srv/app/dist/app.min.js`, `app:///dist/app.js`). A frame's file matches an upload at its
//! full URL, or `~` + its path, or `~/` + a shorter tail of its path (a Node.js app deployed
//! under another directory than it was built in), most specific first.

/// How many path tails are tried after `~` + the whole path.
const MAX_TAILS: usize = 8;

/// The URLs to look a frame's file up under, most specific first.
pub fn candidates(file: &str) -> Vec<String> {
    let file = file.trim();
    let mut urls = vec![file.to_string()];
    let without_query = file.split(['?', '#']).next().unwrap_or(file);
    if without_query != file {
        urls.push(without_query.to_string());
    }
    let path = path_of(without_query);
    if path.is_empty() {
        return urls;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for start in 0..segments.len().min(MAX_TAILS + 1) {
        let tail = format!("~/{}", segments[start..].join("/"));
        if !urls.contains(&tail) {
            urls.push(tail);
        }
    }
    urls
}

/// The path of a URL or file name, without scheme and host (`https://h/a/b.js` → `/a/b.js`,
/// `app:///a.js` → `/a.js`, `/srv/a.js` as it is, `C:\app\a.js` → `/app/a.js`).
fn path_of(file: &str) -> String {
    let file = file.replace('\\', "/");
    if let Some((_, rest)) = file.split_once("://") {
        return match rest.find('/') {
            Some(slash) => rest[slash..].to_string(),
            None => String::new(),
        };
    }
    if let Some(rest) = file.strip_prefix("~/") {
        return format!("/{rest}");
    }
    match file.split_once(':') {
        // A Windows drive letter.
        Some((drive, rest)) if drive.len() == 1 => rest.to_string(),
        _ => file,
    }
}

/// Where `reference` (a `sourceMappingURL` or a bundle's `sourcemap` header) points, relative to
/// the minified file's URL: `app.min.js.map` beside `~/static/app.min.js` is
/// `~/static/app.min.js.map`.
pub fn join(base: &str, reference: &str) -> String {
    let reference = reference.trim();
    if reference.contains("://") || reference.starts_with("~/") {
        return reference.to_string();
    }
    let (prefix, base_path) = match base.split_once("://") {
        Some((scheme, rest)) => match rest.find('/') {
            Some(slash) => (format!("{scheme}://{}", &rest[..slash]), &rest[slash..]),
            None => (format!("{scheme}://{rest}"), "/"),
        },
        None => match base.strip_prefix('~') {
            Some(path) => ("~".to_string(), path),
            None => (String::new(), base),
        },
    };
    let mut segments: Vec<&str> = if reference.starts_with('/') {
        Vec::new()
    } else {
        let directory = base_path.rsplit_once('/').map_or("", |(dir, _)| dir);
        directory.split('/').filter(|s| !s.is_empty()).collect()
    };
    for segment in reference.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    format!("{prefix}/{}", segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_url_matches_its_path_and_shorter_tails() {
        assert_eq!(
            candidates("https://shop.example/static/js/app.min.js?v=3"),
            [
                "https://shop.example/static/js/app.min.js?v=3",
                "https://shop.example/static/js/app.min.js",
                "~/static/js/app.min.js",
                "~/js/app.min.js",
                "~/app.min.js",
            ]
        );
    }

    #[test]
    fn a_node_path_and_an_app_url_match_their_tails() {
        assert_eq!(
            candidates("/srv/shop/dist/app.min.js"),
            [
                "/srv/shop/dist/app.min.js",
                "~/srv/shop/dist/app.min.js",
                "~/shop/dist/app.min.js",
                "~/dist/app.min.js",
                "~/app.min.js",
            ]
        );
        assert_eq!(
            candidates("app:///dist/app.js"),
            ["app:///dist/app.js", "~/dist/app.js", "~/app.js"]
        );
        assert_eq!(
            candidates(r"C:\shop\app.js"),
            [r"C:\shop\app.js", "~/shop/app.js", "~/app.js"]
        );
    }

    #[test]
    fn references_resolve_beside_the_minified_file() {
        assert_eq!(
            join("~/static/app.min.js", "app.min.js.map"),
            "~/static/app.min.js.map"
        );
        assert_eq!(
            join("~/static/js/app.js", "../maps/app.js.map"),
            "~/static/maps/app.js.map"
        );
        assert_eq!(
            join("~/static/app.js", "/maps/app.js.map"),
            "~/maps/app.js.map"
        );
        assert_eq!(
            join("https://cdn.example/a/app.js", "app.js.map"),
            "https://cdn.example/a/app.js.map"
        );
        assert_eq!(
            join("~/app.js", "https://cdn.example/app.js.map"),
            "https://cdn.example/app.js.map"
        );
    }
}
