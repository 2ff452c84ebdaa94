//! planpub's integration tests, one binary (one compile, one link) with a
//! module per area, as mdBook's tests/testsuite/. Every site is made by the
//! one fixture builder in `common` (`TestSite`): a fixture under
//! tests/fixtures/ copied with the repository's theme into a temporary
//! folder. Engine tests build fixtures, never the shipped plan in
//! content/ (tests/fixtures/plan2023/ is a frozen copy of it), so that an
//! editorial change to content/ breaks none of them; tests/content_fidelity.rs
//! checks content/ itself.
//!
//! Snapshots (insta) are under tests/it/snapshots/; `INSTA_UPDATE=always`
//! refreshes them.

mod common;

mod build_site;
mod check_for_ci;
mod citing;
mod cli;
mod deploy_servers;
mod deploy_workflows;
mod fresh_clone;
mod fuzz;
mod import;
mod languages;
mod native_templates;
mod output_folder;
mod pace_and_staleness;
mod portability;
mod progress_and_data;
mod progress_sheet;
mod redirects;
mod rounds;
mod serve;
mod several_plans;
mod tag_order;
mod template_variables;
mod tidy;
mod translate;
mod typography;
mod validation_errors;
