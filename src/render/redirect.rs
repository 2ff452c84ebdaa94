//! Pages that only send the reader on: the page at a tag's former slug
//! (`former_slugs` in site.toml) leads to the tag's page. A meta refresh
//! for browsers, `rel=canonical` for search engines, and a plain link for
//! everyone else (readers without automatic redirects, screen readers).

use crate::link::LinkedSite;
use crate::pages::{Page, absolute, href, lang_code, page_path};
use crate::render::markdown::escape_html;
use crate::render::ui::{language_tag, ui};

/// A small HTML page that redirects to `target` (a site-relative path),
/// naming it `name` in language `lang`.
pub fn redirect_page(site: &LinkedSite, lang: usize, target: &str, name: &str) -> String {
    let code = lang_code(site, lang);
    let url = escape_html(&absolute(site, target));
    let local = escape_html(&href(site, target));
    let name = escape_html(name);
    let moved = escape_html(ui(site, lang, "page-moved"));
    format!(
        "<!doctype html>\n<html lang=\"{tag}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{name}</title>\n<meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"canonical\" href=\"{url}\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={local}\">\n</head>\n\
         <body>\n<p>{moved} <a href=\"{local}\">{name}</a></p>\n</body>\n</html>\n",
        tag = language_tag(site, code),
    )
}

/// The page at a former slug of tag `tag` of plan `plan`.
pub fn render_tag_redirect(site: &LinkedSite, plan: usize, tag: usize, lang: usize) -> String {
    let t = &site.plans[plan].tags[tag];
    let name = t.names.get(lang_code(site, lang)).unwrap_or(&t.name);
    let target = page_path(site, Page::Tag { plan, tag, lang });
    redirect_page(site, lang, &target, name)
}
