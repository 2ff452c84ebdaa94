//! Old item URLs (issue #19.4): an item renumbered keeps its former
//! numbers (`former_numbers`), and their URLs keep leading to it. At each
//! old URL, in every language, a small page names the item, links to it
//! and redirects there (`<meta http-equiv="refresh">`, `rel=canonical`,
//! kept out of search engines); the old badge URL serves the current
//! badge. For hosts that can answer with a real 301, `_redirects`
//! (Netlify, Cloudflare Pages) and `redirects.nginx.conf` (an nginx
//! `map`) list every move. Both files are written even when nothing has
//! moved, so that a deployment set up once keeps working.

use super::markdown::escape_html;
use super::ui::{direction, language_tag, ui, ui_fmt};
use crate::link::LinkedSite;
use crate::pages::{absolute, href, item_path, lang_code, moved_path};

/// The page at old URL `plan`/`moved` in language `lang`.
pub fn render_moved_page(site: &LinkedSite, plan: usize, moved: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    let m = &p.moves[moved];
    let it = &p.items[m.item].item;
    let code = lang_code(site, lang);
    let title = it.title.get(code, &site.config.default_language).0;
    let new_path = item_path(site, plan, m.item, lang);
    let target = escape_html(&href(site, &new_path));
    let canonical = escape_html(&absolute(site, &new_path));
    let heading = escape_html(&ui_fmt(
        site,
        lang,
        "moved-heading",
        &[
            ("old", &m.number.to_string()),
            ("new", &it.number.to_string()),
        ],
    ));
    let link_text = escape_html(&format!(
        "{} {title}",
        ui_fmt(
            site,
            lang,
            "item-number",
            &[("number", &it.number.to_string())]
        )
    ));
    let note = escape_html(ui(site, lang, "moved-note"));
    let stylesheet = escape_html(&href(site, "static/style.css"));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{tag}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n<title>{heading}</title>\n<link rel=\"canonical\" href=\"{canonical}\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n<link rel=\"stylesheet\" href=\"{stylesheet}\">\n</head>\n<body>\n<main id=\"main\" class=\"moved\">\n<h1>{heading}</h1>\n<p><a href=\"{target}\">{link_text}</a></p>\n<p>{note}</p>\n</main>\n</body>\n</html>\n",
        tag = language_tag(site, code),
        dir = direction(site, lang),
    )
}

/// Every move as (old URL, new URL), root-relative with the base path,
/// language by language, plan by plan, by former number.
pub fn redirect_pairs(site: &LinkedSite) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for lang in 0..site.config.languages.len() {
        for (plan, p) in site.plans.iter().enumerate() {
            for (moved, m) in p.moves.iter().enumerate() {
                pairs.push((
                    href(site, &moved_path(site, plan, moved, lang)),
                    href(site, &item_path(site, plan, m.item, lang)),
                ));
            }
        }
    }
    pairs
}

/// `_redirects`: one `old new 301` line per old URL, in the format
/// Netlify and Cloudflare Pages read (`#` starts a comment).
pub fn render_redirects(site: &LinkedSite) -> String {
    let mut out = String::from(
        "# Renumbered work items: each old URL (a `former_numbers` entry) moves\n# permanently to its item. Written by planpub; empty when nothing moved.\n",
    );
    for (old, new) in redirect_pairs(site) {
        out.push_str(&format!("{} {} 301\n", url_path(&old), url_path(&new)));
    }
    out
}

/// `redirects.nginx.conf`: an nginx `map` from each old URL to its item,
/// with the lines that use it.
pub fn render_nginx_redirects(site: &LinkedSite) -> String {
    let mut out = String::from(
        "# Renumbered work items: each old URL (a `former_numbers` entry) and the\n\
         # URL of its item. Written by planpub; the map is empty when nothing moved.\n\
         #\n\
         # Use: include this file in nginx's http { } block, and answer with a 301\n\
         # in the server { } block that serves the site:\n\
         #\n\
         #     http {\n\
         #         include /srv/www/plan/redirects.nginx.conf;\n\
         #         server {\n\
         #             if ($planpub_redirect) { return 301 $planpub_redirect; }\n\
         #             location /plan/ { ... }   # deploy/nginx-planpub.conf\n\
         #         }\n\
         #     }\n\
         map $uri $planpub_redirect {\n    default \"\";\n",
    );
    for (old, new) in redirect_pairs(site) {
        let new = url_path(&new);
        out.push_str(&format!(
            "    {} {};\n",
            nginx_string(&old),
            nginx_string(&new)
        ));
        out.push_str(&format!(
            "    {} {};\n",
            nginx_string(&format!("{old}index.html")),
            nginx_string(&new)
        ));
    }
    out.push_str("}\n");
    out
}

/// A path as a URL writes it: bytes outside ASCII, controls, space,
/// `"`, `%` and backslash percent-encoded.
pub fn url_path(path: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const PATH: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'%').add(b'\\');
    utf8_percent_encode(path, PATH).to_string()
}

/// A quoted nginx string (plan ids hold no quote or backslash; escaped
/// all the same).
fn nginx_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::url_path;

    #[test]
    fn url_paths_encode_what_is_not_ascii() {
        assert_eq!(url_path("/plan/2023/17/"), "/plan/2023/17/");
        assert_eq!(url_path("/规划/17/"), "/%E8%A7%84%E5%88%92/17/");
    }
}
