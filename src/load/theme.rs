//! The theme: templates, static files and UI strings, from themes/<name>/
//! (or the default theme built into the binary) with the site's own
//! templates/, static/ and i18n/ laid over it.

use super::{LoadedTheme, TemplateSource, read_text};
use crate::config::SiteConfig;
use crate::diagnostics::{Code, Diagnostics, Location};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// The theme folder, and the site's own override folders, in the order
/// they are applied (later wins).
pub fn theme_dirs(root: &Path, config: &SiteConfig) -> Vec<PathBuf> {
    vec![root.join("themes").join(&config.theme), root.to_path_buf()]
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_theme.rs"));
}

/// Whether `text` is, byte for byte, the built-in default theme's
/// template `name` (`item.html`): the compiled renderers of
/// src/render/native.rs stand in for those only.
pub fn is_default_template(name: &str, text: &[u8]) -> bool {
    embedded::EMBEDDED_DEFAULT_THEME
        .iter()
        .any(|(path, bytes)| path.strip_prefix("templates/") == Some(name) && *bytes == text)
}

/// The default theme as built into the binary, for sites that do not carry
/// a copy of it: the same files as themes/default/ in the repository.
fn embedded_default_theme(
    root: &Path,
    config: &SiteConfig,
    diags: &mut Diagnostics,
) -> LoadedTheme {
    let mut theme = LoadedTheme::default();
    let mut templates: BTreeMap<String, TemplateSource> = BTreeMap::new();
    for (name, bytes) in embedded::EMBEDDED_DEFAULT_THEME {
        let path = PathBuf::from("themes/default").join(name);
        if let Some(t) = name.strip_prefix("templates/") {
            let text = String::from_utf8_lossy(bytes).into_owned();
            templates.insert(
                t.to_string(),
                TemplateSource {
                    name: t.to_string(),
                    path,
                    text,
                },
            );
        } else if name.starts_with("static/") {
            theme.static_files.insert(name.to_string(), bytes.to_vec());
        } else if let Some(file) = name.strip_prefix("i18n/") {
            let lang = file.trim_end_matches(".toml").to_string();
            theme
                .strings
                .insert(lang, (path, String::from_utf8_lossy(bytes).into_owned()));
        }
    }
    // The site's own overrides still apply, file by file.
    read_templates_and_static(root, root, &mut templates, &mut theme, diags);
    for lang in &config.languages {
        let site_rel = PathBuf::from("i18n").join(format!("{}.toml", lang.code));
        if root.join(&site_rel).is_file()
            && let Some(text) = read_text(root, &site_rel, diags)
        {
            theme.strings.insert(lang.code.clone(), (site_rel, text));
        }
        if !theme.strings.contains_key(&lang.code) {
            diags.error(
                Code::MissingUiStrings,
                Location::file(Path::new("site.toml")),
                format!(
                    "the default theme has no UI strings for language `{}`",
                    lang.code
                ),
                Some(format!(
                    "add i18n/{}.toml to the site with the same keys as the theme's zh.toml",
                    lang.code
                )),
            );
        }
    }
    theme.strings.retain(|lang, _| config.is_language(lang));
    theme.templates = templates.into_values().collect();
    theme
}

pub fn load_theme(root: &Path, config: &SiteConfig, diags: &mut Diagnostics) -> LoadedTheme {
    let mut theme = LoadedTheme::default();
    let theme_dir = root.join("themes").join(&config.theme);
    if !theme_dir.is_dir() && config.theme == "default" {
        return embedded_default_theme(root, config, diags);
    }
    if !theme_dir.is_dir() {
        diags.error(
            Code::MissingTheme,
            Location::file(Path::new("site.toml")),
            format!(
                "theme `{}` not found at themes/{}/",
                config.theme, config.theme
            ),
            Some("set `theme` in site.toml to a folder under themes/".into()),
        );
        return theme;
    }
    let mut templates: BTreeMap<String, TemplateSource> = BTreeMap::new();
    for dir in theme_dirs(root, config) {
        read_templates_and_static(&dir, root, &mut templates, &mut theme, diags);
    }
    theme.templates = templates.into_values().collect();
    for lang in &config.languages {
        let rel = theme_dir.join("i18n").join(format!("{}.toml", lang.code));
        let rel = rel.strip_prefix(root).unwrap_or(&rel).to_path_buf();
        let site_rel = PathBuf::from("i18n").join(format!("{}.toml", lang.code));
        let chosen = if root.join(&site_rel).is_file() {
            site_rel
        } else {
            rel
        };
        if let Some(text) = read_text(root, &chosen, diags) {
            theme.strings.insert(lang.code.clone(), (chosen, text));
        }
    }
    theme
}

/// The files under `dir`'s templates/ and static/ into `templates` and
/// `theme`, replacing those of the same name (a later folder wins).
fn read_templates_and_static(
    dir: &Path,
    root: &Path,
    templates: &mut BTreeMap<String, TemplateSource>,
    theme: &mut LoadedTheme,
    diags: &mut Diagnostics,
) {
    for (name, path) in files_under(&dir.join("templates"), root, diags) {
        if let Some(text) = read_text(root, &path, diags) {
            templates.insert(name.clone(), TemplateSource { name, path, text });
        }
    }
    for (name, path) in files_under(&dir.join("static"), root, diags) {
        match std::fs::read(root.join(&path)) {
            Ok(bytes) => {
                theme.static_files.insert(format!("static/{name}"), bytes);
            }
            Err(e) => diags.error(
                Code::CannotRead,
                Location::file(&path),
                format!("cannot read file: {e}"),
                None,
            ),
        }
    }
}

/// Every site-wide source this stage reads or reports, relative to the
/// root: site.toml, the files under the theme's and the site's templates/
/// and static/ (symbolic links included, which loading reports), and the
/// UI strings of the site's languages. `serve` compares their bytes to
/// tell an edit from a file that was only touched.
pub fn site_wide_sources(root: &Path, config: &SiteConfig) -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("site.toml")];
    let mut reported = Diagnostics::new();
    for dir in theme_dirs(root, config) {
        for sub in ["templates", "static"] {
            let files = files_under(&dir.join(sub), root, &mut reported);
            out.extend(files.into_iter().map(|(_, path)| path));
        }
        for lang in &config.languages {
            let strings = dir.join("i18n").join(format!("{}.toml", lang.code));
            out.push(strings.strip_prefix(root).unwrap_or(&strings).to_path_buf());
        }
    }
    out.extend(
        reported
            .iter()
            .filter(|d| d.code == Code::SymbolicLink)
            .map(|d| d.path.clone()),
    );
    out.sort();
    out.dedup();
    out
}

/// (name relative to `dir` with `/`, path relative to root) of every file.
/// What cannot be read, and symbolic links (not followed, as in
/// content/), are reported rather than left out in silence; hidden files
/// are skipped.
fn files_under(dir: &Path, root: &Path, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let rel_to_root = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut out = Vec::new();
    let mut walk = WalkDir::new(dir).sort_by_file_name().into_iter();
    while let Some(entry) = walk.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e
                    .path()
                    .map(rel_to_root)
                    .unwrap_or_else(|| rel_to_root(dir));
                diags.error(
                    Code::CannotRead,
                    Location::file(&at),
                    format!("cannot read: {e}"),
                    None,
                );
                continue;
            }
        };
        if entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.') {
            if entry.file_type().is_dir() {
                walk.skip_current_dir();
            }
            continue;
        }
        if entry.file_type().is_symlink() {
            diags.error(
                Code::SymbolicLink,
                Location::file(&rel_to_root(entry.path())),
                "this is a symbolic link; planpub does not follow links in the site's folders",
                Some("put the file (or folder) itself here instead of a link to it".into()),
            );
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        out.push((name, rel_to_root(entry.path())));
    }
    out
}
