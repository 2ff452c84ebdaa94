//! Typed template contexts: what each template receives, one struct per
//! template (`pages.rs`) made of the parts in `common.rs`, `item.rs` and
//! `plan.rs`. Each field's doc comment is its documentation: the README's
//! table of template variables is generated from these files, and a test
//! (tests/template_variables.rs) fails when they differ.
//!
//! Architecture invariant: templates never see unescaped content text.
//! Titles, labels and update texts are plain strings (tera escapes them);
//! only `*_html` fields carry HTML, and those come from the sanitizing
//! Markdown renderer or from code in this crate.

pub mod common;
pub mod item;
mod json_ld;
pub mod method;
pub mod pages;
pub mod plan;

pub use pages::page_context;
