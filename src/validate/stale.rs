//! Stale translations (issue #18.3): a translation records the
//! `source_hash` of the default-language text it was made from; when that
//! text changes, the hash no longer matches and the translation is older
//! than its source. Reported with [`Code::StaleTranslation`] and marked in
//! the model (`stale_translations`), so that its pages show a notice.
//! The hash itself is defined in [`crate::source_text`].

use super::assemble::{Assembly, RecordedHashes};
use crate::diagnostics::{Code, Diagnostics};
use crate::source_text::{item_source_hash, plan_source_hash, section_source_hash};
use std::collections::BTreeSet;

/// Compares every recorded `source_hash` with its file's current hash
/// and marks each plan, section and item whose translation is stale.
pub(super) fn check_stale_translations(a: &mut Assembly<'_>, diags: &mut Diagnostics) {
    for plan in a.plans.values_mut() {
        let recorded = a.source_hashes.remove(&plan.path).unwrap_or_default();
        plan.stale_translations = stale_languages(recorded, || plan_source_hash(plan), diags);
    }
    for section in a.sections.values_mut() {
        let recorded = a.source_hashes.remove(&section.path).unwrap_or_default();
        section.stale_translations =
            stale_languages(recorded, || section_source_hash(section), diags);
    }
    for placed in &mut a.items {
        let recorded = std::mem::take(&mut placed.source_hashes);
        let item = &placed.item;
        let stale = stale_languages(recorded, || item_source_hash(item), diags);
        placed.item.stale_translations = stale;
    }
}

/// The languages whose recorded hash differs from the file's `current`
/// one, each with a warning where its `source_hash` is written. `current`
/// is computed only when a translation records a hash.
pub(super) fn stale_languages(
    recorded: RecordedHashes,
    current: impl FnOnce() -> String,
    diags: &mut Diagnostics,
) -> BTreeSet<String> {
    let mut stale = BTreeSet::new();
    if recorded.is_empty() {
        return stale;
    }
    let current = current();
    for (lang, hash, at) in recorded {
        if hash == current {
            continue;
        }
        diags.warning(
            Code::StaleTranslation,
            at,
            format!(
                "the `{lang}` translation is older than its source: the default-language text changed since it was translated"
            ),
            Some(format!(
                "update the translation, then set `source_hash = \"{current}\"` (`planpub translate hash` prints it); or export, translate and `planpub translate import`"
            )),
        );
        stale.insert(lang);
    }
    stale
}
