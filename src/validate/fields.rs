//! The front-matter fields, each declared once. A table below names a
//! field, the type it is read into and how it is read; the
//! [`front_matter!`] macro makes of it the struct that holds what was read,
//! the reader (every field in table order, every problem reported), and
//! the list of known fields that "did you mean `…`?" suggests from. A
//! field marked `=> <name>` is copied as it is into the model's [`Item`].
//!
//! Adding a field to items is one line here and the field in
//! [`Item`]; a field a translation may not set is ignored there with a
//! warning without further ado.

use super::rounds::{RoundEntry, located_numbers, located_texts_by_key, round_entries};
use super::values::{
    boolean, date, item_numbers, item_ref, located_date, located_status, located_text,
    located_texts, number, required_number, required_text, status, target_goal, target_key,
    target_translations, targets, text, texts, update_date, update_translations, updates,
    withdrawn, withdrawn_date, withdrawn_translation,
};
use crate::diagnostics::{Code, Diagnostics, Location};
use crate::model::{Date, Item, ItemRef, Status, Target, Update, Withdrawn};
use crate::toml_fields::FieldReader;
use std::collections::BTreeMap;
use toml::Spanned;

/// Declares one table of front-matter fields; see the module docs.
macro_rules! front_matter {
    (
        $(#[$meta:meta])*
        pub struct $name:ident in $what:literal into $target:ty {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $reader:expr $(=> $to:ident)? ),* $(,)?
        }
    ) => {
        front_matter! {
            $(#[$meta])*
            pub struct $name in $what {
                $( $(#[$fmeta])* $field : $ty = $reader ),*
            }
        }

        impl $name {
            /// Moves the fields marked `=> <name>` into `target`.
            pub fn copy_into(&mut self, target: &mut $target) {
                $( $( target.$to = std::mem::take(&mut self.$field); )? )*
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident in $what:literal {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $reader:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// The fields' names, in table order: the known fields an
            /// unknown one is compared with.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Reads every field in table order, without warning about
            /// the keys no field reads (see [`Self::read`]).
            pub fn read_fields(r: &mut FieldReader<'_, '_>, diags: &mut Diagnostics) -> Self {
                $name { $( $field: ($reader)(r, stringify!($field), diags), )* }
            }

            /// Reads every field in table order, then warns about every key
            /// that no field reads.
            pub fn read(r: &mut FieldReader<'_, '_>, diags: &mut Diagnostics) -> Self {
                let fields = Self::read_fields(r, diags);
                r.warn_unknown($what, Self::NAMES, diags);
                fields
            }
        }
    };
}

front_matter! {
    /// A plan's `_index.md` in the default language.
    pub struct PlanFields in "a plan's front matter" {
        title: Option<String> = required_text("\"南阳市教育局2023年工作要点\""),
        issuer: Option<String> = text,
        published: Option<Date> = date,
        source: Option<String> = text,
        /// Overrides `[progress] illustrative` of site.toml for this plan.
        illustrative: Option<bool> = boolean,
        /// The plan's period; default: the calendar year of its id.
        start: Option<Date> = date,
        /// Where it was written (checked against `start`).
        end: Option<(Date, Location)> = located_date,
    }
}

front_matter! {
    /// A plan's translation, `_index.<lang>.md`.
    pub struct PlanTranslationFields in "a plan translation's front matter" {
        title: Option<String> = text,
        issuer: Option<String> = text,
        /// The `source_hash` of the default-language text it was made
        /// from, where it is written (issue #18.3).
        source_hash: Option<(String, Location)> = located_text,
    }
}

front_matter! {
    /// A section's `_index.md` in the default language.
    pub struct SectionFields in "a section's front matter" {
        number: Option<(u32, Location)> = required_number,
        title: Option<String> = required_text("\"加强党对教育工作的全面领导\""),
    }
}

front_matter! {
    /// A section's translation.
    pub struct SectionTranslationFields in "a section translation's front matter" {
        title: Option<String> = text,
        /// The `source_hash` of the default-language text it was made
        /// from, where it is written (issue #18.3).
        source_hash: Option<(String, Location)> = located_text,
    }
}

front_matter! {
    /// A work item in the default language.
    pub struct ItemFields in "a work item's front matter" into Item {
        number: Option<(u32, Location)> = required_number,
        title: Option<String> = required_text("\"推进学前教育普及普惠优质安全发展\""),
        /// With where it was written (checked against the latest update).
        status: Option<(Status, Location)> = located_status,
        lead: Vec<String> = texts => lead,
        /// With where it was written (checked against the plan's period).
        due: Option<(Date, Location)> = located_date,
        /// As written, each where it was written (checked against
        /// site.toml once all files are read).
        tags: Vec<(String, Location)> = located_texts,
        /// As written (resolved once all files are read).
        related: Vec<(u32, Location)> = item_numbers,
        /// The item of an earlier plan this one carries on, as written
        /// (resolved once all files are read).
        continues: Option<(ItemRef, Location)> = item_ref,
        targets: Vec<Target> = targets => targets,
        /// Oldest first, each with where its date was written.
        updates: Vec<(Update, Location)> = updates,
        /// As written, each where it was written (checked against the
        /// plan's numbers once all files are read).
        former_numbers: Vec<(u32, Location)> = item_numbers,
        withdrawn: Option<Withdrawn> = withdrawn => withdrawn,
    }
}

front_matter! {
    /// A work item's translation: words only.
    pub struct ItemTranslationFields in "a work item translation's front matter" {
        title: Option<String> = text,
        /// Target key → (label, unit, where the key was written).
        targets: BTreeMap<String, (Option<String>, Option<String>, Location)> = target_translations,
        /// Update date as written → (text, where the date was written).
        updates: BTreeMap<String, (String, Location)> = update_translations,
        /// `withdrawn = { reason = "…" }`: the reason in this language.
        withdrawn: Option<(String, Location)> = withdrawn_translation,
        /// The `source_hash` of the default-language text it was made
        /// from, where it is written (issue #18.3).
        source_hash: Option<(String, Location)> = located_text,
    }
}

impl ItemTranslationFields {
    /// Reads a translation's fields and warns about each field that only
    /// the default-language file may set (numbers, statuses and links).
    pub fn read_translation(r: &mut FieldReader<'_, '_>, diags: &mut Diagnostics) -> Self {
        let fields = Self::read_fields(r, diags);
        for field in ItemFields::NAMES {
            if Self::NAMES.contains(field) {
                continue;
            }
            if let Some(v) = r.raw(field) {
                diags.warning(
                    Code::IgnoredField,
                    r.lines().span(&v.span()),
                    format!(
                        "`{field}` in a translation is ignored: it comes from the default-language file"
                    ),
                    Some(format!("remove `{field}` from this file")),
                );
            }
        }
        r.warn_unknown("a work item translation's front matter", Self::NAMES, diags);
        fields
    }
}

front_matter! {
    /// One `[[targets]]` entry of an item.
    pub struct TargetFields in "a target" {
        key: Option<Spanned<String>> = target_key,
        label: Option<String> = required_text("\"新建、改扩建公办幼儿园\""),
        goal: Option<Spanned<f64>> = target_goal,
        actual: Option<Spanned<f64>> = number,
        unit: Option<String> = text,
    }
}

front_matter! {
    /// One `[[updates]]` entry of an item.
    pub struct UpdateFields in "an update" {
        date: Option<Spanned<Date>> = update_date,
        status: Option<Status> = status,
        text: Option<String> = required_text("\"……\""),
    }
}

front_matter! {
    /// An item's `withdrawn = { date = 2023-07-01, reason = "…" }`.
    pub struct WithdrawnFields in "`withdrawn`" {
        date: Option<Spanned<Date>> = withdrawn_date,
        reason: Option<String> = required_text("\"……\""),
    }
}

front_matter! {
    /// `withdrawn = { reason = "…" }` in an item's translation.
    pub struct WithdrawnTranslationFields in "`withdrawn` in a translation" {
        reason: Option<String> = required_text("\"…\""),
    }
}

front_matter! {
    /// One `[targets.<key>]` table of an item's translation.
    pub struct TargetTranslationFields in "a target's translation" {
        label: Option<String> = text,
        unit: Option<String> = text,
    }
}

front_matter! {
    /// One `[updates.<date>]` table of an item's translation.
    pub struct UpdateTranslationFields in "an update's translation" {
        text: Option<String> = required_text("\"…\""),
    }
}

front_matter! {
    /// A progress round, `content/<plan>/progress/<YYYY-MM-DD>.toml`.
    pub struct RoundFields in "a progress round" {
        item: Vec<RoundEntry> = round_entries,
    }
}

front_matter! {
    /// One `[[item]]` of a progress round: that item's update on the
    /// round's date.
    pub struct RoundItemFields in "a progress round's `[[item]]`" {
        number: Option<(u32, Location)> = required_number,
        /// A status key or its label in the default language, as written.
        status: Option<(String, Location)> = located_text,
        /// Target key → the value as of the round's date.
        actual: Vec<(String, f64, Location)> = located_numbers,
        /// Language → the update's text.
        text: Vec<(String, String, Location)> = located_texts_by_key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first column of the field table that follows `heading` in the
    /// content format (docs/content-format.md).
    fn documented_fields(heading: &str) -> Vec<String> {
        let doc = include_str!("../../docs/content-format.md");
        let at = doc
            .find(heading)
            .unwrap_or_else(|| panic!("no {heading:?} in the format"));
        doc[at..]
            .lines()
            .skip_while(|l| !l.starts_with("| field |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| l.split('|').nth(1).unwrap_or_default().trim().to_string())
            .collect()
    }

    // issue #16.1: the content format documents exactly the fields the
    // tables read, in their order (which is also the order of "known
    // fields" in the hint for a misspelt one).
    #[test]
    fn the_content_format_lists_exactly_the_fields_the_tables_read() {
        for (heading, names) in [
            ("## Plan (", PlanFields::NAMES),
            ("## Section (", SectionFields::NAMES),
            ("## Work item (", ItemFields::NAMES),
            ("A target (`[[targets]]`)", TargetFields::NAMES),
            ("An update (`[[updates]]`)", UpdateFields::NAMES),
        ] {
            assert_eq!(documented_fields(heading), names, "{heading}");
        }
    }

    #[test]
    fn a_translation_may_set_only_words() {
        assert_eq!(
            ItemTranslationFields::NAMES,
            ["title", "targets", "updates", "withdrawn", "source_hash"]
        );
        assert_eq!(
            PlanTranslationFields::NAMES,
            ["title", "issuer", "source_hash"]
        );
    }
}
