//! What is on disk against what the session last read: which changed
//! paths are sources, which sources have new bytes, and reading them
//! again, with `load`'s own functions and rules, so that `serve` sees
//! exactly what `build` would (a hidden file under content/ is warned
//! about, a symbolic link in the theme is an error, in both).

use super::{RebuildOutcome, Session, SiteUrl};
use crate::diagnostics::Diagnostics;
use crate::load::{
    SourceAsset, SourceDocument, is_editor_or_system_file, load_content_file, load_site,
    site_wide_sources,
};
use crate::pipeline::{Stage, apply_base_url, stage};
use crate::validate::{ParsedFile, parse_file};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a changed path means for the rebuild.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ChangeKind {
    /// A file or folder under content/: reload that file, or all of
    /// content/ (see [`Session::rebuild`]).
    Content,
    /// site.toml, the theme, the site's templates, static files or UI
    /// strings: everything is rebuilt.
    Everything,
    /// public/, editor droppings, .git: not a source.
    Ignored,
}

pub(super) fn classify(rel: &Path) -> ChangeKind {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // What loading skips without a word (load.rs): editor and system
    // files anywhere, hidden files outside content/ (under content/ they
    // are warned about, so they count).
    if is_editor_or_system_file(&name) {
        return ChangeKind::Ignored;
    }
    let first = rel
        .iter()
        .next()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match first.as_str() {
        "content" => ChangeKind::Content,
        _ if name.starts_with('.') => ChangeKind::Ignored,
        "site.toml" | "themes" | "templates" | "static" | "i18n" => ChangeKind::Everything,
        _ => ChangeKind::Ignored,
    }
}

impl Session {
    /// Whether a site-wide source differs from what was last loaded: new,
    /// gone, edited, or a folder that appeared or moved.
    pub(super) fn site_source_changed(&self, rel: &Path) -> bool {
        let abs = self.root.join(rel);
        match self.site_sources.get(rel) {
            Some(bytes) => std::fs::read(&abs).map(|b| b != *bytes).unwrap_or(true),
            // Anything there now (a dangling link too: loading reports it).
            None => {
                std::fs::symlink_metadata(&abs).is_ok()
                    || self.site_sources.keys().any(|p| p.starts_with(rel))
            }
        }
    }

    /// Whether a content file's bytes differ from the cached ones.
    pub(super) fn content_file_changed(&self, rel: &Path) -> bool {
        let known: Option<&[u8]> = match (self.documents.get(rel), self.assets.get(rel)) {
            (Some((doc, _)), _) => Some(doc.text.as_bytes()),
            (_, Some(asset)) => Some(&asset.bytes),
            _ => None,
        };
        match known {
            Some(bytes) => std::fs::read(self.root.join(rel))
                .map(|b| b != bytes)
                .unwrap_or(true),
            None => true,
        }
    }

    /// Whether a content document or attachment was loaded from `rel` or
    /// from under it (a folder).
    pub(super) fn knows_content_under(&self, rel: &Path) -> bool {
        self.documents.keys().any(|p| p.starts_with(rel))
            || self.assets.keys().any(|p| p.starts_with(rel))
            || self
                .load_diagnostics
                .iter()
                .any(|d| d.path.starts_with(rel))
    }

    /// Whether `rel` can be re-read on its own: a regular file (not a
    /// link: the walk of content/ does not follow links) that the last
    /// load read as a document or an attachment, and that no load problem
    /// names. Anything else needs a whole load of content/ to come out as
    /// a clean build would have it.
    pub(super) fn can_reload_alone(&self, rel: &Path) -> bool {
        let known = self.documents.contains_key(rel) || self.assets.contains_key(rel);
        known
            && std::fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.is_file())
            && !self.load_diagnostics.iter().any(|d| d.path == rel)
    }

    /// Re-reads one known content file. `false` (and nothing changed) when
    /// loading it now reports a problem or gives another kind of file:
    /// the caller then loads content/ whole.
    pub(super) fn reload_known_file(&mut self, rel: &Path) -> bool {
        let config = self.config.as_ref().expect("content reloads need a config");
        let mut d = Diagnostics::new();
        let (doc, asset) = load_content_file(&self.root, rel, config, &mut d);
        if !d.is_empty() {
            return false;
        }
        match (doc, asset) {
            (Some(doc), None) if self.documents.contains_key(rel) => {
                let parsed = parse_file(&doc, &config.default_language);
                self.documents.insert(rel.to_path_buf(), (doc, parsed));
                true
            }
            (None, Some(asset)) if self.assets.contains_key(rel) => {
                self.assets.insert(rel.to_path_buf(), asset);
                true
            }
            _ => false,
        }
    }

    /// Loads content/ whole, as `build` does, and rebuilds if the
    /// documents, attachments or load problems differ from the session's.
    /// Documents whose text did not change keep their parse results.
    pub(super) fn sync_content(&mut self) -> RebuildOutcome {
        let mut d = Diagnostics::new();
        let Some(loaded) = load_site(&self.root, &mut d) else {
            // site.toml is gone or unreadable now.
            return self.reload_everything();
        };
        if self.read_site_sources() != self.site_sources {
            return self.reload_everything();
        }
        let default_language = loaded.config.default_language.clone();
        let old = std::mem::take(&mut self.documents);
        let parsed: Vec<ParsedFile> = loaded
            .documents
            .par_iter()
            .map(|doc| match old.get(&doc.path) {
                Some((known, parsed)) if known == doc => parsed.clone(),
                _ => parse_file(doc, &default_language),
            })
            .collect();
        let documents: BTreeMap<PathBuf, (SourceDocument, ParsedFile)> = loaded
            .documents
            .into_iter()
            .zip(parsed)
            .map(|(doc, p)| (doc.path.clone(), (doc, p)))
            .collect();
        let assets: BTreeMap<PathBuf, SourceAsset> = loaded
            .assets
            .into_iter()
            .map(|a| (PathBuf::from("content").join(&a.output_path), a))
            .collect();
        let same_documents = documents.len() == old.len()
            && documents
                .iter()
                .zip(&old)
                .all(|((p, (d, _)), (q, (e, _)))| p == q && d == e);
        let same_assets = assets.len() == self.assets.len()
            && assets
                .iter()
                .zip(&self.assets)
                .all(|((p, a), (q, b))| p == q && a.bytes == b.bytes);
        let same_problems = d.sorted() == self.load_diagnostics.sorted();
        self.documents = documents;
        self.assets = assets;
        self.load_diagnostics = d;
        if same_documents && same_assets && same_problems {
            return RebuildOutcome::unchanged();
        }
        self.rebuild_from_documents()
    }

    /// Reads every site-wide source that loading reads or reports (see
    /// [`Session::site_sources`]); one that cannot be read is kept empty.
    pub(super) fn read_site_sources(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let Some(config) = &self.config else {
            return BTreeMap::new();
        };
        site_wide_sources(&self.root, config)
            .into_iter()
            .map(|rel| {
                let bytes = std::fs::read(self.root.join(&rel)).unwrap_or_default();
                (rel, bytes)
            })
            .collect()
    }

    /// site.toml, theme and content from scratch, then a full render.
    pub(super) fn reload_everything(&mut self) -> RebuildOutcome {
        // Until a load succeeds, any site-wide event is a change.
        self.site_sources.clear();
        let mut d = Diagnostics::new();
        let loaded = stage(self.hooks, Stage::Load, || load_site(&self.root, &mut d));
        let Some(mut loaded) = loaded else {
            return self.fail(d);
        };
        let url = match &self.url {
            SiteUrl::Configured => None,
            SiteUrl::Override(url) => Some(url.clone()),
            SiteUrl::Origin(origin) => Some(format!("{origin}{}", loaded.config.base_path)),
        };
        if apply_base_url(&mut loaded.config, url.as_deref(), &mut d).is_none() {
            return self.fail(d);
        }
        let default_language = loaded.config.default_language.clone();
        let parsed: Vec<ParsedFile> = stage(self.hooks, Stage::Parse, || {
            loaded
                .documents
                .par_iter()
                .map(|doc| parse_file(doc, &default_language))
                .collect()
        });
        self.documents = loaded
            .documents
            .drain(..)
            .zip(parsed)
            .map(|(doc, p)| (doc.path.clone(), (doc, p)))
            .collect();
        self.assets = loaded
            .assets
            .drain(..)
            .map(|a| (PathBuf::from("content").join(&a.output_path), a))
            .collect();
        self.config = Some(loaded.config);
        self.theme = loaded.theme;
        self.site_sources = self.read_site_sources();
        // Load problems that are not per-document (theme, strings) stay.
        self.load_diagnostics = d;
        // A new theme or config invalidates everything rendered before.
        self.built = None;
        self.rebuild_from_documents()
    }
}
